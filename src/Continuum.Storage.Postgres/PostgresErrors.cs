using Continuum.Errors;
using Npgsql;

namespace Continuum.Storage.Postgres;

/// <summary>
/// Turns the PostgreSQL driver's errors into Continuum's, as SQLite's are: a constraint violation (a unique key
/// taken) is a conflict (409); a serialization failure, a deadlock, a server that is starting or shutting down, or
/// a lost connection is transient (503 with <c>Retry-After</c>); text PostgreSQL cannot store is a validation
/// error. Anything else is left as it is (a 500 that never shows its text).
/// </summary>
internal static class PostgresErrors
{
    /// <summary>The error Continuum reports for <paramref name="exception"/>, or null when it is none of the above.</summary>
    public static ContinuumException? Translate(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.ExclusionViolation }
            => new ConflictException("constraint-violation", "The write conflicts with data already stored."),
        PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter } pg
            => new ValidationException("body", $"holds text PostgreSQL cannot store ({pg.MessageText}); remove NUL characters (U+0000)."),
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected }
            => new TransientStoreException("The write collided with a concurrent one and was rolled back; try again.", exception),
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown }
            => new TransientStoreException("The database server is starting or shutting down; try again shortly.", exception),
        NpgsqlException { IsTransient: true }
            => new TransientStoreException($"The database is unavailable ({exception.GetType().Name}); try again shortly.", exception),
        _ => null,
    };

    /// <summary>
    /// Safe to run again: the server says the transaction did not commit (serialization failure, deadlock, a server
    /// not taking work now), or the connection failed before the commit was sent. A connection lost during the commit
    /// leaves its outcome unknown, so that one is reported, not repeated.
    /// </summary>
    public static bool Retryable(Exception exception, bool committing) => exception switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown,
        NpgsqlException { IsTransient: true } => !committing,
        _ => false,
    };
}
