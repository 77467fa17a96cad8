using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

internal static class SqliteConnectionExtensions
{
    /// <summary>True when no transaction is open on the connection.</summary>
    public static bool AutoCommitMode(this SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;
}
