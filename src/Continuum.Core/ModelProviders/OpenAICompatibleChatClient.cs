using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace Continuum.ModelProviders;

/// <summary>An <see cref="IChatClient"/> over any OpenAI-compatible <c>/v1/chat/completions</c> endpoint, through the OpenAI SDK.</summary>
public sealed class OpenAICompatibleChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly string _model;

    /// <summary>Connects to the endpoint in <paramref name="options"/>; the key is read from its environment variable.</summary>
    public OpenAICompatibleChatClient(ChatModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("Continuum:Models:Chat needs Endpoint and Model.");
        }

        _model = options.Model!;
        var key = Environment.GetEnvironmentVariable(options.ApiKeyEnvironmentVariable);
        _client = new ChatClient(_model, new ApiKeyCredential(string.IsNullOrEmpty(key) ? "no-key" : key), new OpenAIClientOptions
        {
            Endpoint = new Uri(options.Endpoint!),
            NetworkTimeout = options.Timeout,
            // Continuum retries failed summaries itself, later; a blocking retry loop here would only delay the fallback.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
    }

    /// <summary>A client for the configured endpoint, or null when none is configured.</summary>
    public static OpenAICompatibleChatClient? FromOptions(ChatModelOptions options) =>
        options is { IsConfigured: true } ? new OpenAICompatibleChatClient(options) : null;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var completion = await _client.CompleteChatAsync(Convert(messages), Options(options), cancellationToken).ConfigureAwait(false);
        var text = string.Concat(completion.Value.Content.Select(c => c.Text));
        return new ChatResponse(new AiChatMessage(ChatRole.Assistant, text)) { ModelId = completion.Value.Model };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in _client.CompleteChatStreamingAsync(Convert(messages), Options(options), cancellationToken).ConfigureAwait(false))
        {
            var text = string.Concat(update.ContentUpdate.Select(c => c.Text));
            if (text.Length > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = update.Model };
            }
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static List<OpenAIChatMessage> Convert(IEnumerable<AiChatMessage> messages) =>
        [.. messages.Select(m => m.Role == ChatRole.System ? new SystemChatMessage(m.Text) :
            m.Role == ChatRole.Assistant ? new AssistantChatMessage(m.Text) :
            (OpenAIChatMessage)new UserChatMessage(m.Text))];

    private static ChatCompletionOptions Options(ChatOptions? options) => new()
    {
        Temperature = options?.Temperature,
        MaxOutputTokenCount = options?.MaxOutputTokens,
    };
}
