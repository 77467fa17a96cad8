namespace Continuum.Storage.Postgres;

/// <summary>
/// Whether the server offers pgvector (<c>pg_available_extensions</c> lists <c>vector</c>). Vectors are kept in the
/// store's own half-precision column and searched exactly in process either way; see docs/search.md for the
/// pgvector path and what of it is built.
/// </summary>
public static class PostgresVectorExtension
{
    /// <summary>True when the server can <c>CREATE EXTENSION vector</c>; false on servers without the package.</summary>
    public static Task<bool> IsAvailableAsync(PostgresDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.ReadAsync(async c =>
        {
            using var command = c.Command("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')");
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);
    }
}
