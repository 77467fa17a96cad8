using System.Diagnostics;
using System.Net;
using Continuum.Server.Tests.Api;
using Continuum.Storage.Tests;
using Xunit.Abstractions;

namespace Continuum.Server.Tests.Security;

/// <summary>Two servers on one PostgreSQL database with keys required: a key revoked through one is refused by the other within a second.</summary>
public sealed class RevocationAcrossNodesTests(PostgresCluster cluster, ITestOutputHelper output) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task A_key_revoked_through_one_node_is_refused_by_the_other_within_one_second()
    {
        var database = await cluster.CreateDatabaseAsync();
        string[] settings = ["--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database, "--Continuum:Security:RequireKeys", "true"];
        await using var a = await ApiServer.StartAsync(settings);
        await using var b = await ApiServer.StartAsync(settings);
        var admin = new KeyedClient(a, "Bearer " + (await KeyedClient.CreateKeyAsync(a, "default", "read,write,admin")).Secret);
        var created = await admin.OkAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" } }, HttpStatusCode.Created);
        var onB = new KeyedClient(b, "Bearer " + (string)created["secret"]!);

        // Node B has the key cached (it just used it), so only the revocation notice or the cache bound can stop it.
        for (var i = 0; i < 5; i++)
        {
            (await onB.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);
        }

        var clock = Stopwatch.StartNew();
        await admin.OkAsync(HttpMethod.Delete, $"api/keys/{(string)created["key"]!["id"]!}");
        var revokedAt = clock.Elapsed;
        var attempts = 0;
        HttpStatusCode status;
        do
        {
            attempts++;
            status = (await onB.GetAsync("api/sessions")).Status;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(5));

        var refusedAfter = clock.Elapsed - revokedAt;
        output.WriteLine($"refused by the other node {refusedAfter.TotalMilliseconds:F0} ms after the revocation was acknowledged, after {attempts} requests");
        status.ShouldBe(HttpStatusCode.Unauthorized);
        refusedAfter.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        await cluster.DropDatabaseAsync(database);
    }
}
