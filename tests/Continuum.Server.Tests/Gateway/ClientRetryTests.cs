using System.Net;
using Continuum.Client;
using Continuum.Errors;
using Continuum.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Continuum.Server.Tests.Gateway;

/// <summary><c>AddContinuumClient</c>'s retries against a loopback server that fails transiently.</summary>
public sealed class ClientRetryTests
{
    [Fact]
    public async Task Reads_and_keyed_appends_are_retried_but_a_post_that_may_have_landed_is_not()
    {
        await using var flaky = await FlakyServer.StartAsync();
        var services = new ServiceCollection();
        services.AddContinuumClient(flaky.Address, "ck_test_key");
        await using var provider = services.BuildServiceProvider();
        var sessions = provider.GetRequiredService<ISessionService>();

        var missing = await sessions.GetAsync("ses_flaky");
        var keyed = await sessions.AppendAsync("ses_flaky", new NewEvent { Content = "hello", IdempotencyKey = "k-1" });
        var unkeyed = await Should.ThrowAsync<TransientStoreException>(() => sessions.AppendAsync("ses_flaky", new NewEvent { Content = "hello again" }));
        var badRequest = await Should.ThrowAsync<ValidationException>(() => sessions.AppendAsync("ses_invalid", new NewEvent { Content = "x", IdempotencyKey = "k-2" }));

        missing.ShouldBeNull();
        flaky.Calls("GET /api/sessions/ses_flaky").ShouldBe(3, "two 503s, then the answer");
        keyed.Event.Seq.ShouldBe(1);
        flaky.Calls("POST /api/sessions/ses_flaky/events k-1").ShouldBe(2, "a keyed append is retried");
        flaky.Calls("POST /api/sessions/ses_flaky/events -").ShouldBe(1, "an append without a key may have landed: not retried");
        flaky.Calls("POST /api/sessions/ses_invalid/events k-2").ShouldBe(1, "a 400 is not transient");
        badRequest.Errors.Keys.ShouldContain("content");
        flaky.Authorizations.ShouldAllBe(a => a == "Bearer ck_test_key");
    }

    private sealed class FlakyServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly Dictionary<string, int> _calls = [];

        private FlakyServer(WebApplication app) => _app = app;

        public Uri Address { get; private set; } = null!;

        public List<string> Authorizations { get; } = [];

        public int Calls(string key)
        {
            lock (_calls)
            {
                return _calls.GetValueOrDefault(key);
            }
        }

        public static async Task<FlakyServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new FlakyServer(app);
            app.MapGet("/api/sessions/{id}", (HttpContext http, string id) =>
                server.Count(http, $"GET /api/sessions/{id}") <= 2 ? Unavailable() : Results.Problem(statusCode: 404, type: "https://continuum.dev/problems/not-found", title: "Not found."));
            app.MapPost("/api/sessions/{id}/events", async (HttpContext http, string id) =>
            {
                var body = await System.Text.Json.JsonDocument.ParseAsync(http.Request.Body);
                var key = body.RootElement.TryGetProperty("idempotencyKey", out var k) && k.ValueKind == System.Text.Json.JsonValueKind.String ? k.GetString() : "-";
                var count = server.Count(http, $"POST /api/sessions/{id}/events {key}");
                if (id == "ses_invalid")
                {
                    return Results.Problem(statusCode: 400, type: "https://continuum.dev/problems/validation", title: "Invalid.", extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["content"] = ["is wrong."] } });
                }

                return count == 1 || key == "-"
                    ? Unavailable()
                    : Results.Json(new { id = "evt_1", sessionId = id, seq = 1, type = "message", role = "user", content = "hello", tokens = 1, entities = Array.Empty<string>(), @interface = "cli", createdAt = DateTimeOffset.UnixEpoch }, statusCode: 201);
            });
            await app.StartAsync();
            server.Address = new Uri(app.Urls.First());
            return server;
        }

        private static IResult Unavailable() =>
            Results.Problem(statusCode: 503, type: "https://continuum.dev/problems/store-unavailable", title: "Store unavailable.");

        private int Count(HttpContext http, string key)
        {
            lock (_calls)
            {
                Authorizations.Add(http.Request.Headers.Authorization.ToString());
                _calls[key] = _calls.GetValueOrDefault(key) + 1;
                return _calls[key];
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
