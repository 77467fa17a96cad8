// A Microsoft.Extensions.AI app whose chat client keeps its conversation in Continuum: one line in the pipeline.
// The model is called directly (any OpenAI-compatible endpoint); Continuum supplies and records the memory.
using System.ClientModel;
using Continuum.Client;
using Continuum.Users;
using Microsoft.Extensions.AI;
using OpenAI;

var server = Environment.GetEnvironmentVariable("CONTINUUM_SERVER") ?? "http://127.0.0.1:5080/";
var endpoint = Environment.GetEnvironmentVariable("MODEL_ENDPOINT") ?? "http://127.0.0.1:11434/v1"; // Ollama
var model = Environment.GetEnvironmentVariable("MODEL_NAME") ?? "llama3.1";

using var http = new HttpClient { BaseAddress = new Uri(server) };
var continuum = new ContinuumClient(http);
IChatClient inner = new OpenAIClient(new ApiKeyCredential(Environment.GetEnvironmentVariable("OPENAI_API_KEY") ?? "none"),
        new OpenAIClientOptions { Endpoint = new Uri(endpoint) })
    .GetChatClient(model)
    .AsIChatClient();

using var chat = new ChatClientBuilder(inner)
    .UseContinuumMemory(new ContinuumMemoryOptions
    {
        Sessions = continuum,
        Context = continuum,
        Identity = new IdentityRef { Interface = "meai-sample", ExternalUserId = Environment.UserName },
        Interface = "meai-sample",
    })
    .Build();

var history = new List<ChatMessage>();
Console.WriteLine("Type a message (empty line to quit).");
while (Console.ReadLine() is { Length: > 0 } line)
{
    history.Add(new ChatMessage(ChatRole.User, line));
    var text = "";
    await foreach (var update in chat.GetStreamingResponseAsync(history))
    {
        Console.Write(update.Text);
        text += update.Text;
    }

    Console.WriteLine();
    history.Add(new ChatMessage(ChatRole.Assistant, text));
}
