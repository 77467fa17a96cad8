using Continuum.Errors;
using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

/// <summary>Turns SQLite's errors into Continuum's.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int Full = 13;
    private const int Constraint = 19;

    public static Exception Translate(SqliteException exception) => exception.SqliteErrorCode switch
    {
        Busy or Locked => new TransientStoreException("The database is busy (another process holds its lock). Try again.", exception),
        Full => new TransientStoreException("The disk holding the database is full.", exception),
        Constraint => new ConflictException("constraint-violation", "The write conflicts with data already stored."),
        _ => exception,
    };
}
