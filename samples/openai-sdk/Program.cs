// The official OpenAI .NET SDK, pointed at Continuum's gateway: the only change is the endpoint (and, to say whose
// memory it is, one header). Run it twice: the second run remembers the first.
using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

var server = Environment.GetEnvironmentVariable("CONTINUUM_SERVER") ?? "http://127.0.0.1:5080";
var options = new OpenAIClientOptions { Endpoint = new Uri(server.TrimEnd('/') + "/v1") };
options.AddPolicy(new ContinuumUser("sample-user", "openai-sdk"), PipelinePosition.PerCall);
var chat = new ChatClient("continuum", new ApiKeyCredential(Environment.GetEnvironmentVariable("CONTINUUM_KEY") ?? "none"), options);

var question = args.Length > 0 ? string.Join(' ', args) : "What did we talk about last time?";
Console.WriteLine("> " + question);
await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(question)]))
{
    foreach (var part in update.ContentUpdate)
    {
        Console.Write(part.Text);
    }
}

Console.WriteLine();

// Sends X-Continuum-User and X-Continuum-Interface with every call (OpenAI's `user` field works too:
// ChatCompletionOptions.EndUserId).
internal sealed class ContinuumUser(string user, string iface) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Set(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Set(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Set(PipelineMessage message)
    {
        message.Request.Headers.Set("X-Continuum-User", user);
        message.Request.Headers.Set("X-Continuum-Interface", iface);
    }
}
