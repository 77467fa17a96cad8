using System.Net;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Handoffs;

namespace Continuum.Server.Tests.Security;

/// <summary><c>continuum keys</c> as a child process: in-process on a data directory, and against a server with an admin key.</summary>
public sealed class KeyCliTests
{
    [Fact]
    public async Task Keys_create_list_and_revoke_work_in_process_on_the_data_directory_and_the_secret_is_printed_once()
    {
        var data = Directory.CreateTempSubdirectory("continuum-keys-").FullName;
        try
        {
            var created = await CliRun.RunAsync("keys", "create", "--tenant", "acme", "--scopes", "read,write,admin", "--name", "first", "--json", "--data", data);
            created.ExitCode.ShouldBe(0, created.Err);
            var json = JsonNode.Parse(created.Out)!.AsObject();
            var secret = (string)json["secret"]!;
            var id = (string)json["key"]!["id"]!;
            secret.ShouldStartWith("ck_live_");
            ((string)json["key"]!["tenantId"]!).ShouldBe("acme");
            ((string)json["key"]!["createdBy"]!).ShouldBe("local");

            var listed = await CliRun.RunAsync("keys", "list", "--tenant", "acme", "--json", "--data", data);
            listed.ExitCode.ShouldBe(0, listed.Err);
            listed.Out.ShouldContain(id);
            listed.Out.ShouldNotContain(secret[^20..]);
            var human = await CliRun.RunAsync("keys", "list", "--tenant", "acme", "--data", data);
            human.Out.ShouldContain((string)json["key"]!["prefix"]!);
            human.Out.ShouldContain("active");
            (await CliRun.RunAsync("keys", "list", "--tenant", "other", "--json", "--data", data)).Out.ShouldNotContain(id, customMessage: "another tenant's list");

            var revoked = await CliRun.RunAsync("keys", "revoke", id, "--tenant", "acme", "--data", data);
            revoked.ExitCode.ShouldBe(0, revoked.Err);
            revoked.Out.ShouldContain("Revoked");
            (await CliRun.RunAsync("keys", "list", "--tenant", "acme", "--data", data)).Out.ShouldContain("revoked");

            var bad = await CliRun.RunAsync("keys", "create", "--scopes", "root", "--data", data);
            bad.ExitCode.ShouldBe(1);
            bad.Err.ShouldContain("'root' is not a scope");
            var missing = await CliRun.RunAsync("keys", "revoke", "key_nope", "--data", data);
            missing.ExitCode.ShouldBe(1);
            missing.Err.ShouldContain("was not found");
            var badExpiry = await CliRun.RunAsync("keys", "create", "--scopes", "read", "--expires", "soon", "--data", data);
            badExpiry.ExitCode.ShouldBe(1);
            badExpiry.Err.ShouldContain("--expires");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Keys_against_a_server_need_an_admin_key_and_make_keys_in_its_tenant()
    {
        await using var server = await ApiServer.StartAsync("--Continuum:Security:RequireKeys", "true");
        var admin = await KeyedClient.CreateKeyAsync(server, "acme", "read,write,admin");
        var url = server.Http.BaseAddress!.ToString();

        var refused = await CliRun.RunAsync(new Dictionary<string, string?> { ["CONTINUUM_KEY"] = null }, "keys", "list", "--server", url);
        refused.ExitCode.ShouldBe(1);
        refused.Err.ShouldContain("401");

        var created = await CliRun.RunAsync(new Dictionary<string, string?> { ["CONTINUUM_KEY"] = admin.Secret }, "keys", "create", "--scopes", "read", "--user", "usr_missing", "--server", url);
        created.ExitCode.ShouldBe(1, "a user binding must name a user of the tenant");
        created.Err.ShouldContain("404");

        var made = await CliRun.RunAsync("keys", "create", "--scopes", "read", "--json", "--server", url, "--key", admin.Secret);
        made.ExitCode.ShouldBe(0, made.Err);
        var json = JsonNode.Parse(made.Out)!.AsObject();
        ((string)json["key"]!["tenantId"]!).ShouldBe("acme");
        ((string)json["key"]!["createdBy"]!).ShouldBe(admin.Key.Id);
        var reader = new KeyedClient(server, "Bearer " + (string)json["secret"]!);
        (await reader.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.OK);

        var tenantFlag = await CliRun.RunAsync("keys", "list", "--tenant", "acme", "--server", url, "--key", admin.Secret);
        tenantFlag.ExitCode.ShouldBe(1);
        tenantFlag.Err.ShouldContain("--tenant works in-process only");

        // Every other command sends the key too.
        var sessions = await CliRun.RunAsync("sessions", "list", "--json", "--server", url, "--key", (string)json["secret"]!);
        sessions.ExitCode.ShouldBe(0, sessions.Err);

        var revoke = await CliRun.RunAsync("keys", "revoke", (string)json["key"]!["id"]!, "--server", url, "--key", admin.Secret);
        revoke.ExitCode.ShouldBe(0, revoke.Err);
        (await reader.GetAsync("api/sessions")).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
