using System.ClientModel;
using System.Net;
using Continuum.Client;
using Continuum.Memory;
using Continuum.Server.Tests.Api;
using Continuum.Storage;
using Continuum.Testing;
using Continuum.Users;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace Continuum.Server.Tests.Gateway;

/// <summary><c>UseContinuumMemory</c> in a Microsoft.Extensions.AI pipeline, against a server and in-process.</summary>
public sealed class MemoryMiddlewareTests
{
    private static IChatClient Inner(FakeChatModelServer upstream) =>
        new OpenAIClient(new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = new Uri(upstream.Endpoint) })
            .GetChatClient("fake-model")
            .AsIChatClient();

    [Fact]
    public async Task Against_a_server_the_middleware_brings_in_the_other_interface_and_records_each_message_once()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        await using var server = await ApiServer.StartAsync();
        var telegram = await server.OpenSessionAsync("telegram", "nia");
        await server.AppendAsync((string)telegram["id"]!, "The staging database lives on host orion-7.");
        var code = (string)(await server.PostOkAsync($"api/users/{(string)telegram["userId"]!}/link-codes", new { }))["code"]!;
        await server.PostOkAsync("api/users/link", new { code, identity = new { @interface = "my-app", externalUserId = "nia-app" } }, HttpStatusCode.OK);
        var continuum = new ContinuumClient(server.Http);
        using var chat = new ChatClientBuilder(Inner(upstream))
            .UseContinuumMemory(new ContinuumMemoryOptions
            {
                Sessions = continuum,
                Context = continuum,
                Identity = new IdentityRef { Interface = "my-app", ExternalUserId = "nia-app" },
                Interface = "my-app",
            })
            .Build();

        List<ChatMessage> history = [new(ChatRole.User, "where is the staging database?")];
        var first = await chat.GetResponseAsync(history);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "and its backups?"));
        await chat.GetResponseAsync(history);

        first.Text.ShouldBe("Fake answer to: where is the staging database?");
        upstream.RequestsMentioning("where is the staging database?")[0]["messages"]!.ToJsonString().ShouldContain("orion-7");
        var events = await ChatTurnsTests.ConversationAsync(server, (string)telegram["id"]!);
        events.Select(e => (string)e["interface"]! + ":" + (string)e["content"]!).ShouldBe([
            "telegram:The staging database lives on host orion-7.",
            "my-app:where is the staging database?",
            "my-app:Fake answer to: where is the staging database?",
            "my-app:and its backups?",
            "my-app:Fake answer to: and its backups?",
        ]);
        ((string)events[2]["metadata"]!["model"]!).ShouldBe("fake-model");
    }

    [Fact]
    public async Task In_process_the_middleware_takes_cores_services_and_streams_with_the_users_memories()
    {
        await using var upstream = await FakeChatModelServer.StartAsync();
        var data = Path.Combine(Path.GetTempPath(), "continuum-meai-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Continuum:DataDirectory", data)]).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddContinuum(configuration);
        var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IStoreMigrator>().MigrateAsync(CancellationToken.None);
            var user = await provider.GetRequiredService<IIdentityService>().ResolveAsync(new IdentityRef { Interface = "console", ExternalUserId = "oz" });
            await provider.GetRequiredService<IMemoryService>().AddAsync(new NewMemory { UserId = user.Id, Kind = "preference", Content = "Oz wants answers as haiku." });
            using var chat = new ChatClientBuilder(Inner(upstream))
                .UseContinuumMemory(o => o.UserId = user.Id)
                .Build(provider);

            var text = "";
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "tell me about the weather")]))
            {
                text += update.Text;
            }

            text.ShouldBe("Fake answer to: tell me about the weather");
            upstream.Requests.Single()["messages"]!.ToJsonString().ShouldContain("haiku");
            var sessionId = chat.GetService<ContinuumMemoryChatClient>()!.SessionId!;
            var events = (await provider.GetRequiredService<Continuum.Sessions.ISessionService>().ListEventsAsync(sessionId)).Items.Where(e => e.Role != "system").ToList();
            events.Select(e => e.Content).ShouldBe(["tell me about the weather", "Fake answer to: tell me about the weather"]);
            events[1].Interface.ShouldBe("dotnet");
        }
        finally
        {
            await provider.DisposeAsync();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
