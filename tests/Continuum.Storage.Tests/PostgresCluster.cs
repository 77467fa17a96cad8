using Continuum.Testing;

namespace Continuum.Storage.Tests;

/// <summary>A throw-away PostgreSQL cluster as an xunit fixture: started before the class's tests, removed after.</summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private readonly PostgresServer _server = new();

    /// <summary>The server's address (the maintenance database).</summary>
    public string ConnectionString => _server.ConnectionString;

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A new empty database; its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => _server.CreateDatabaseAsync();

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>.</summary>
    public Task DropDatabaseAsync(string connectionString) => _server.DropDatabaseAsync(connectionString);

    /// <summary>Stops the server (as a crash or a maintenance restart would).</summary>
    public Task StopAsync(string mode = "fast") => _server.StopAsync(mode);

    /// <summary>Starts it again on the same port.</summary>
    public Task StartAsync() => _server.StartAsync();
}
