namespace Continuum.Testing;

/// <summary>
/// Which store the API tests' servers use: the embedded SQLite default, or, with <c>CONTINUUM_TEST_STORE=postgres</c>,
/// a database of their own in one throw-away PostgreSQL cluster shared by the test process (started on first use,
/// removed when the process ends). Running the same API tests on both stores is how every store behaviour that
/// the API reaches is checked on PostgreSQL too.
/// </summary>
public static class TestStore
{
    private static readonly Lazy<Task<PostgresServer>> Cluster = new(StartClusterAsync);

    /// <summary>True when the tests run on PostgreSQL.</summary>
    public static bool IsPostgres => string.Equals(Environment.GetEnvironmentVariable("CONTINUUM_TEST_STORE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <paramref name="settings"/> with the store's settings added: a new PostgreSQL database when the tests run on
    /// PostgreSQL and the settings choose no provider themselves; otherwise the settings as they are.
    /// </summary>
    public static async Task<string[]> WithStoreAsync(string[] settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings = WithoutModel(settings);
        if (!IsPostgres || settings.Contains("--Continuum:Storage:Provider"))
        {
            return settings;
        }

        var database = await (await Cluster.Value).CreateDatabaseAsync();
        return [.. settings, "--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database];
    }

    /// <summary>
    /// <paramref name="settings"/> with the embedding provider set to <c>none</c> unless they choose a model
    /// themselves: test servers do not load the embedded model (its own tests do), so the suite stays fast.
    /// </summary>
    public static string[] WithoutModel(string[] settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Contains("--Continuum:Models:Embeddings:Provider") || settings.Contains("--Continuum:Models:Embeddings:Endpoint")
            ? settings
            : [.. settings, "--Continuum:Models:Embeddings:Provider", "none"];
    }

    private static async Task<PostgresServer> StartClusterAsync()
    {
        var server = new PostgresServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        await server.InitializeAsync();
        return server;
    }
}
