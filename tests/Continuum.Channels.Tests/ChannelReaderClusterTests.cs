using Continuum.Channels.Tests.Fakes;
using Continuum.Server.Tests.Api;
using Continuum.Storage.Tests;
using Continuum.Testing;

namespace Continuum.Channels.Tests;

/// <summary>
/// Two servers on one PostgreSQL database, as two nodes behind a load balancer, each with the bots' readers
/// configured: only the node holding a reader's cluster lease reads (the fake Bot API answers 409 Conflict to a
/// second poller, as Telegram does), so nothing is answered twice, and the other node takes over when it stops.
/// </summary>
public sealed class ChannelReaderClusterTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Only_the_node_holding_the_lease_polls_and_the_other_takes_over_when_it_stops()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var bot = await FakeBotApi.StartAsync();
        string[] settings =
        [
            "--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database,
            "--Continuum:Channels:Telegram:Token", FakeBotApi.Token, "--Continuum:Channels:Telegram:BaseUrl", bot.BaseUrl,
            "--Continuum:Channels:Telegram:PollTimeoutSeconds", "1", "--Continuum:Channels:LeaseRetryInterval", "00:00:00.2",
        ];
        ApiServer? first = await ApiServer.StartAsync(settings);
        try
        {
            bot.Enqueue(bot.MessageUpdate(5101, "/start", "Ann"));
            (await bot.WaitForMessagesAsync(5101, 1)).Single().Text.ShouldStartWith("Hi Ann.");
            await using var second = await ApiServer.StartAsync(settings);

            // The second node asks for the lease every 0.2 s while the first polls on, one second a call.
            var polled = bot.Polls.Snapshot().Count;
            await bot.Polls.WaitForAsync(_ => true, polled + 4);
            var bob = bot.MessageUpdate(5202, "/start", "Bob");
            bot.Enqueue(bob);
            (await bot.WaitForMessagesAsync(5202, 1)).Single().Text.ShouldStartWith("Hi Bob.");
            await bot.Polls.WaitForAsync(offset => offset > (long)bob["update_id"]!);

            bot.Calls.Snapshot().Where(c => c.Method == "conflict:getUpdates").ShouldBeEmpty("only one node polls");
            bot.TextsTo(5202).Count.ShouldBe(1, "one node answered");

            await first.DisposeAsync();
            first = null;
            bot.Enqueue(bot.MessageUpdate(5303, "/start", "Cy"));

            (await bot.WaitForMessagesAsync(5303, 1)).Single().Text.ShouldStartWith("Hi Cy.", Case.Sensitive, "the second node took the polling over");
            bot.TextsTo(5101).Count.ShouldBe(1, "what the first node confirmed is not fetched again");
            (await second.SessionsOnAsync("telegram")).Select(s => (string?)s["interfaceId"]).Order().ShouldBe(["5101", "5202", "5303"]);
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            await cluster.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Only_one_node_reads_the_discord_mention_channels_so_a_mention_is_answered_once()
    {
        const string Channel = "600000000000000002";
        var database = await cluster.CreateDatabaseAsync();
        await using var discord = await FakeDiscordApi.StartAsync();
        string[] settings =
        [
            "--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", database,
            "--Continuum:Channels:Discord:PublicKey", new DiscordKeys().PublicKeyHex,
            "--Continuum:Channels:Discord:BotToken", FakeDiscordApi.BotToken,
            "--Continuum:Channels:Discord:BaseUrl", discord.BaseUrl,
            "--Continuum:Channels:Discord:MentionChannels:0", Channel,
            "--Continuum:Channels:Discord:MentionPollInterval", "00:00:00.1",
            "--Continuum:Channels:LeaseRetryInterval", "00:00:00.2",
        ];
        try
        {
            await using var first = await ApiServer.StartAsync(settings);
            await using var second = await ApiServer.StartAsync(settings);
            // Both nodes are up and the channel has been read a few times since (a reader that answers starts from the newest message).
            var reads = discord.Calls.Snapshot().Count(c => c.Kind == "read");
            await discord.Calls.WaitForAsync(c => c.Kind == "read" && c.Target == Channel, reads + 4);

            var asked = discord.Post(Channel, "500000000000000009", $"<@{FakeDiscordApi.BotUserId}> /memories", mentionsBot: true);
            var reply = (await discord.Calls.WaitForAsync(c => c.Kind == "create")).Single();
            var after = discord.Calls.Snapshot().Count(c => c.Kind == "read");
            await discord.Calls.WaitForAsync(c => c.Kind == "read", after + 5);

            ((string?)reply.Body["message_reference"]!["message_id"]).ShouldBe(asked);
            discord.Calls.Snapshot().Where(c => c.Kind == "create").ShouldHaveSingleItem("one node answered the mention");
        }
        finally
        {
            await cluster.DropDatabaseAsync(database);
        }
    }
}
