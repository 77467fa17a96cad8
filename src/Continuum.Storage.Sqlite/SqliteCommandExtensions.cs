using Microsoft.Data.Sqlite;

namespace Continuum.Storage.Sqlite;

internal static class SqliteCommandExtensions
{
    public static SqliteCommand Bind(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static SqliteCommand Bind(this SqliteCommand command, string name, DateTimeOffset value) =>
        command.Bind(name, value.UtcTicks);

    public static SqliteCommand Bind(this SqliteCommand command, string name, DateTimeOffset? value) =>
        command.Bind(name, value?.UtcTicks);

    public static DateTimeOffset GetTime(this SqliteDataReader reader, int ordinal) =>
        new(reader.GetInt64(ordinal), TimeSpan.Zero);

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
