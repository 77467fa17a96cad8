using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Continuum.Channels.Tests.Fakes;
using Continuum.Server.Tests.Api;

namespace Continuum.Channels.Tests;

/// <summary>
/// The Discord bot inside a real server: interactions signed with a key pair made for the test, answers going to a
/// fake Discord API on loopback.
/// </summary>
public sealed class DiscordTests : IAsyncLifetime
{
    private const string ApplicationId = "800000000000000001";
    private const string Channel = "700000000000000001";
    private readonly DiscordKeys _keys = new();
    private FakeDiscordApi _discord = null!;
    private ApiServer _server = null!;
    private int _interactions;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscordApi.StartAsync();
        _server = await ApiServer.StartAsync(
            "--Continuum:Channels:Discord:ApplicationId", ApplicationId,
            "--Continuum:Channels:Discord:PublicKey", _keys.PublicKeyHex,
            "--Continuum:Channels:Discord:BotToken", FakeDiscordApi.BotToken,
            "--Continuum:Channels:Discord:BaseUrl", _discord.BaseUrl,
            "--Continuum:Channels:Discord:MentionChannels:0", "600000000000000001",
            "--Continuum:Channels:Discord:MentionPollInterval", "00:00:00.1");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _discord.DisposeAsync();
    }

    [Fact]
    public async Task A_signed_ping_is_answered_pong()
    {
        var (status, body) = await SendSignedAsync(new JsonObject { ["id"] = "1", ["application_id"] = ApplicationId, ["type"] = 1, ["token"] = "t", ["version"] = 1 });

        status.ShouldBe(HttpStatusCode.OK);
        ((int?)body!["type"]).ShouldBe(1);
    }

    [Fact]
    public async Task An_interaction_whose_signature_does_not_verify_is_401_and_writes_nothing()
    {
        var before = await _server.CountsAsync();
        var interaction = Command("link").ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var other = new DiscordKeys();
        var cases = new (string? Signature, string? Timestamp, string Body)[]
        {
            (null, null, interaction),
            (_keys.Sign(timestamp, interaction), null, interaction),
            (other.Sign(timestamp, interaction), timestamp, interaction),
            (_keys.Sign(timestamp, interaction), timestamp, interaction.Replace("\"link\"", "\"forget\"", StringComparison.Ordinal)),
            (_keys.Sign(timestamp, interaction), (long.Parse(timestamp, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture), interaction),
            ("zz" + _keys.Sign(timestamp, interaction)[2..], timestamp, interaction),
        };

        foreach (var (signature, stamp, body) in cases)
        {
            var (status, problem) = await SendAsync(body, signature, stamp);
            status.ShouldBe(HttpStatusCode.Unauthorized);
            ((string?)problem!["type"]).ShouldBe("https://continuum.dev/problems/unauthorized");
        }

        (await _server.CountsAsync()).ShouldBe(before);
        _discord.Calls.Snapshot().Where(c => c.Kind is "edit" or "followup").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_validly_signed_interaction_with_a_stale_or_future_timestamp_is_401_and_writes_nothing()
    {
        var before = await _server.CountsAsync();
        var now = DateTimeOffset.UtcNow;
        foreach (var at in new[] { now.AddMinutes(-6), now.AddMinutes(-60), now.AddMinutes(6) })
        {
            var body = Command("ask", new JsonObject { ["name"] = "message", ["type"] = 3, ["value"] = "replayed question" }).ToJsonString();
            var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

            var (status, problem) = await SendAsync(body, _keys.Sign(timestamp, body), timestamp);

            status.ShouldBe(HttpStatusCode.Unauthorized, $"signed at {at:O}");
            ((string?)problem!["type"]).ShouldBe("https://continuum.dev/problems/unauthorized");
            ((string)problem["detail"]!).ShouldContain("X-Signature-Timestamp");
        }

        (await _server.CountsAsync()).ShouldBe(before);
        var recent = Command("start");
        var stamp = now.AddMinutes(-4).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var (fresh, _) = await SendAsync(recent.ToJsonString(), _keys.Sign(stamp, recent.ToJsonString()), stamp);
        fresh.ShouldBe(HttpStatusCode.OK, "four minutes old is inside the window");
        (await _discord.Calls.WaitForAsync(c => c.Kind == "edit" && c.Target == (string?)recent["token"])).ShouldHaveSingleItem();
        _discord.Calls.Snapshot().Where(c => c.Kind is "edit" or "followup").ShouldHaveSingleItem("only the fresh interaction was answered");
    }

    [Fact]
    public async Task A_slash_command_is_deferred_then_answered_by_editing_the_original_response()
    {
        var interaction = Command("link");

        var (status, body) = await SendSignedAsync(interaction);

        status.ShouldBe(HttpStatusCode.OK);
        ((int?)body!["type"]).ShouldBe(5);
        ((int?)body["data"]!["flags"]).ShouldBe(64, "a link code is shown to its owner alone");
        var edit = (await _discord.Calls.WaitForAsync(c => c.Kind == "edit" && c.Target == (string?)interaction["token"])).Single();
        edit.Content!.ShouldContain("Your link code: ");
        edit.Body["allowed_mentions"]!["parse"]!.AsArray().ShouldBeEmpty();
        var session = (await _server.SessionsOnAsync("discord")).Single();
        ((string?)session["interfaceId"]).ShouldBe(Channel);
        var user = await _server.GetOkAsync($"api/users/{session["userId"]}");
        user["identities"]!.AsArray().ShouldContain(i => (string?)i!["interface"] == "discord" && (string?)i["externalUserId"] == "500000000000000001");
    }

    [Fact]
    public async Task Link_with_a_code_joins_the_discord_identity_and_forget_asks_for_confirmation()
    {
        var web = await _server.PostOkAsync("api/users/resolve", new { @interface = "web", externalUserId = "cookie-d1" }, HttpStatusCode.Created);
        var code = (string?)(await _server.PostOkAsync($"api/users/{web["id"]}/link-codes", new { }, HttpStatusCode.Created))["code"];
        await _server.PostOkAsync("api/memories", new { userId = (string?)web["id"], kind = "note", content = "Prefers Celsius" }, HttpStatusCode.Created);

        var link = Command("link", new JsonObject { ["name"] = "code", ["type"] = 3, ["value"] = code });
        await SendSignedAsync(link);
        (await _discord.Calls.WaitForAsync(c => c.Kind == "edit" && c.Target == (string?)link["token"])).Single().Content!.ShouldStartWith("Linked");
        var forget = Command("forget");
        await SendSignedAsync(forget);
        (await _discord.Calls.WaitForAsync(c => c.Kind == "edit" && c.Target == (string?)forget["token"])).Single().Content!.ShouldContain("confirm set to True");
        var confirm = Command("forget", new JsonObject { ["name"] = "confirm", ["type"] = 5, ["value"] = true });
        await SendSignedAsync(confirm);

        (await _discord.Calls.WaitForAsync(c => c.Kind == "edit" && c.Target == (string?)confirm["token"])).Single().Content!.ShouldContain("1 memory, 2 linked identities");
        (await _server.Http.GetAsync($"api/users/{web["id"]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_message_that_mentions_the_bot_is_answered_in_its_channel_and_others_are_not()
    {
        // The reader starts from the newest message: wait until it has read the channel once.
        await _discord.Calls.WaitForAsync(c => c.Kind == "read" && c.Target == "600000000000000001", 2);
        _discord.Post("600000000000000001", "500000000000000002", "just chatting", mentionsBot: false);
        var asked = _discord.Post("600000000000000001", "500000000000000002", $"<@{FakeDiscordApi.BotUserId}> /memories", mentionsBot: true);

        var reply = (await _discord.Calls.WaitForAsync(c => c.Kind == "create")).Single();

        reply.Target.ShouldBe("600000000000000001");
        reply.Content.ShouldBe("I hold no memories about you yet.");
        ((string?)reply.Body["message_reference"]!["message_id"]).ShouldBe(asked);
        var session = (await _server.SessionsOnAsync("discord")).Single();
        ((string?)session["interfaceId"]).ShouldBe("600000000000000001");
    }

    [Fact]
    public async Task An_unknown_command_is_answered_at_once_without_writing()
    {
        var before = await _server.CountsAsync();

        var (status, body) = await SendSignedAsync(Command("frobnicate"));

        status.ShouldBe(HttpStatusCode.OK);
        ((int?)body!["type"]).ShouldBe(4);
        ((string?)body["data"]!["content"]).ShouldBe("I do not know /frobnicate.");
        (await _server.CountsAsync()).ShouldBe(before);
    }

    private JsonObject Command(string name, params JsonObject[] options)
    {
        var n = Interlocked.Increment(ref _interactions);
        var data = new JsonObject { ["id"] = "300000000000000001", ["name"] = name, ["type"] = 1 };
        if (options.Length > 0)
        {
            data["options"] = new JsonArray([.. options]);
        }

        return new JsonObject
        {
            ["id"] = $"40000000000000{n:0000}",
            ["application_id"] = ApplicationId,
            ["type"] = 2,
            ["token"] = $"interaction-token-{n}-{Guid.NewGuid():N}",
            ["version"] = 1,
            ["guild_id"] = "200000000000000001",
            ["channel_id"] = Channel,
            ["member"] = new JsonObject { ["user"] = new JsonObject { ["id"] = "500000000000000001", ["username"] = "ann", ["global_name"] = "Ann" } },
            ["data"] = data,
        };
    }

    private Task<(HttpStatusCode, JsonNode?)> SendSignedAsync(JsonObject interaction)
    {
        var body = interaction.ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return SendAsync(body, _keys.Sign(timestamp, body), timestamp);
    }

    private async Task<(HttpStatusCode, JsonNode?)> SendAsync(string body, string? signature, string? timestamp)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "channels/discord/interactions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("X-Signature-Ed25519", signature);
        }

        if (timestamp is not null)
        {
            request.Headers.Add("X-Signature-Timestamp", timestamp);
        }

        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
