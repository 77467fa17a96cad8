using Continuum.Server.Tests.Handoffs;

namespace Continuum.Server.Tests.Security;

/// <summary>
/// A server bound beyond loopback refuses to start without an admin key. The address used (192.0.2.1, reserved for
/// documentation) is on no machine, so nothing ever listens beyond loopback in these tests.
/// </summary>
public sealed class RemoteBindingTests
{
    [Fact]
    public async Task A_server_bound_beyond_loopback_without_an_admin_key_refuses_to_start_and_says_how_to_make_one()
    {
        var data = Directory.CreateTempSubdirectory("continuum-remote-").FullName;
        try
        {
            var refusal = await StartAsync(data);
            refusal.ShouldBeOfType<InvalidOperationException>();
            refusal.Message.ShouldContain("Refusing to serve http://192.0.2.1:5999");
            refusal.Message.ShouldContain("continuum keys create --tenant default --scopes read,write,admin --json");

            // A read key is not enough; an admin key is.
            (await CliRun.RunAsync("keys", "create", "--scopes", "read", "--data", data)).ExitCode.ShouldBe(0);
            (await StartAsync(data)).Message.ShouldContain("Refusing to serve");
            (await CliRun.RunAsync("keys", "create", "--tenant", "default", "--scopes", "read,write,admin", "--json", "--data", data)).ExitCode.ShouldBe(0);
            var next = await StartAsync(data);
            next.Message.ShouldNotContain("Refusing to serve", customMessage: "the key check passed; what fails now is binding an address this machine does not have");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Keys_required_on_purpose_let_a_server_beyond_loopback_start_with_none_made_yet()
    {
        var data = Directory.CreateTempSubdirectory("continuum-remote-").FullName;
        try
        {
            (await StartAsync(data, "--Continuum:Security:RequireKeys", "true")).Message.ShouldNotContain("Refusing to serve");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<Exception> StartAsync(string data, params string[] settings)
    {
        var app = ContinuumServer.Build(["--urls", "http://192.0.2.1:5999", "--Continuum:DataDirectory", data, .. settings]);
        await using (app)
        {
            return await Should.ThrowAsync<Exception>(() => app.StartAsync());
        }
    }
}
