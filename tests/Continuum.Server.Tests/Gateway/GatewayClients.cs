using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;
using Continuum.Server.Tests.Context;
using Continuum.Testing;
using OpenAI;
using OpenAI.Chat;

namespace Continuum.Server.Tests.Gateway;

/// <summary>The official OpenAI .NET SDK pointed at a Continuum server's gateway, with Continuum's headers when given.</summary>
public static class GatewayClients
{
    public static ChatClient Chat(ApiServer server, string model = "fake-model", params (string Name, string Value)[] headers)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(server.Http.BaseAddress!, "v1"),
            // A failing call is the test's subject: it must not be retried behind its back.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        };
        foreach (var (name, value) in headers)
        {
            options.AddPolicy(new HeaderPolicy(name, value), PipelinePosition.PerCall);
        }

        return new ChatClient(model, new ApiKeyCredential("sk-client-key"), options);
    }

    public static Task<ApiServer> ServerAsync(FakeChatModelServer upstream, params string[] settings) => ApiServer.StartAsync([
        "--Continuum:Models:Chat:Endpoint", upstream.Endpoint,
        "--Continuum:Models:Chat:Model", "fake-model",
        "--Continuum:Models:Chat:Timeout", "00:00:10",
        .. settings]);

    /// <summary>The user's sessions' conversation events (no system records), oldest first, of the one session the user has.</summary>
    public static async Task<List<JsonObject>> ConversationOfAsync(ApiServer server, string sessionId) =>
        await ChatTurnsTests.ConversationAsync(server, sessionId);

    /// <summary>
    /// The conversation once it holds <paramref name="count"/> events: the gateway records an exchange after the client
    /// has its answer, one session's exchanges in call order, so once the last one is in, every earlier one is too.
    /// </summary>
    public static async Task<List<JsonObject>> RecordedConversationAsync(ApiServer server, string sessionId, int count)
    {
        await ContextServer.EventuallyAsync(async () => (await ConversationOfAsync(server, sessionId)).Count >= count, TimeSpan.FromSeconds(30), $"the gateway recorded {count} events");
        return await ConversationOfAsync(server, sessionId);
    }

    /// <summary>The one session of the user an identity resolves to.</summary>
    public static async Task<string> SessionOfUserAsync(ApiServer server, string iface, string externalUserId)
    {
        var reply = await server.PostAsync("api/users/resolve", new { @interface = iface, externalUserId });
        var sessions = await server.GetOkAsync($"api/sessions?userId={(string)reply.Json["id"]!}");
        return (string)sessions["sessions"]!.AsArray().Single()!["id"]!;
    }

    private sealed class HeaderPolicy(string name, string value) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
