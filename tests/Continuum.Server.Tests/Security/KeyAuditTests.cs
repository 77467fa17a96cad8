using System.Net;
using Continuum.Server.Tests.Api;

namespace Continuum.Server.Tests.Security;

/// <summary>Making and revoking keys is written to the audit log with who did it, never the secret.</summary>
public sealed class KeyAuditTests
{
    [Fact]
    public async Task Key_creation_and_revocation_are_audited_with_the_admin_key_as_actor_and_no_secret()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true");
        var bootstrap = await KeyedClient.CreateKeyAsync(server, "acme", "read,write,admin");
        var admin = new KeyedClient(server, "Bearer " + bootstrap.Secret);
        var created = await admin.OkAsync(HttpMethod.Post, "api/keys", new { scopes = new[] { "read" } }, HttpStatusCode.Created);
        var keyId = (string)created["key"]!["id"]!;
        await admin.OkAsync(HttpMethod.Delete, $"api/keys/{keyId}");

        var log = await admin.OkAsync(HttpMethod.Get, "api/audit");
        var entries = log["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var byAdmin = entries.Where(e => (string?)e["target"] == keyId).ToList();
        byAdmin.Select(e => (string)e["action"]!).Order().ShouldBe(["key.created", "key.revoked"]);
        byAdmin.ShouldAllBe(e => (string)e["actor"]! == bootstrap.Key.Id && (string)e["tenantId"]! == "acme");

        // The bootstrap key was made in-process: its actor is local.
        var local = entries.Single(e => (string?)e["target"] == bootstrap.Key.Id);
        ((string)local["action"]!).ShouldBe("key.created");
        ((string)local["actor"]!).ShouldBe("local");
        log.ToJsonString().ShouldNotContain((string)created["secret"]!);
        log.ToJsonString().ShouldNotContain(bootstrap.Secret);

        // Another tenant's admin reads its own log, which holds none of this.
        var other = await KeyedClient.WithNewKeyAsync(server, "globex", "read,write,admin");
        var otherLog = await other.OkAsync(HttpMethod.Get, "api/audit");
        otherLog.ToJsonString().ShouldNotContain(keyId);
        (await new KeyedClient(server, "Bearer " + (string)created["secret"]!).GetAsync("api/audit")).ShouldBeProblem(HttpStatusCode.Unauthorized);
        var reader = await KeyedClient.WithNewKeyAsync(server, "acme", "read,write");
        (await reader.GetAsync("api/audit")).ShouldBeProblem(HttpStatusCode.Forbidden);
    }
}
