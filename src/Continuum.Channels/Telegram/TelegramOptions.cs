namespace Continuum.Channels.Telegram;

/// <summary>The Telegram bot's settings (<c>Continuum:Channels:Telegram</c>).</summary>
public sealed class TelegramOptions
{
    /// <summary>Long polling: the bot asks the Bot API for updates.</summary>
    public const string Polling = "polling";

    /// <summary>Webhook: the Bot API posts updates to <c>/channels/telegram/webhook</c>.</summary>
    public const string Webhook = "webhook";

    /// <summary>The bot's token from BotFather (keep it in the environment: <c>Continuum__Channels__Telegram__Token</c>). The bot runs when it is set.</summary>
    public string? Token { get; set; }

    /// <summary>The Bot API's address (default Telegram's own); a self-hosted Bot API server's address, such as <c>http://127.0.0.1:8081</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary><c>polling</c> (default) or <c>webhook</c>.</summary>
    public string Mode { get; set; } = Polling;

    /// <summary>
    /// In webhook mode, the secret Telegram sends in <c>X-Telegram-Bot-Api-Secret-Token</c> (the <c>secret_token</c>
    /// given to <c>setWebhook</c>): 1 to 256 of <c>A-Z a-z 0-9 _ -</c>. A request without it is refused with 401.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How long one long-polling request waits for updates, in seconds (default 50).</summary>
    public int PollTimeoutSeconds { get; set; } = 50;

    /// <summary>True when a token is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    /// <summary>True in webhook mode.</summary>
    public bool IsWebhook => string.Equals(Mode?.Trim(), Webhook, StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with these settings, each saying what to set.</summary>
    public IReadOnlyList<string> Problems()
    {
        if (!Enabled)
        {
            return [];
        }

        var problems = new List<string>();
        var mode = Mode?.Trim().ToLowerInvariant();
        if (mode is not (Polling or Webhook))
        {
            problems.Add($"Continuum:Channels:Telegram:Mode is '{Mode}'; set it to 'polling' or 'webhook'.");
        }

        if (IsWebhook && (string.IsNullOrEmpty(WebhookSecret) || WebhookSecret.Length > 256 || !WebhookSecret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            problems.Add("Continuum:Channels:Telegram:WebhookSecret must be set in webhook mode: 1 to 256 of A-Z, a-z, 0-9, _ and - (the secret_token given to setWebhook).");
        }

        if (BaseUrl is not null && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            problems.Add($"Continuum:Channels:Telegram:BaseUrl '{BaseUrl}' is not an absolute URL (for example http://127.0.0.1:8081).");
        }

        if (!Token!.Contains(':', StringComparison.Ordinal))
        {
            problems.Add("Continuum:Channels:Telegram:Token does not look like a BotFather token (digits, a colon, then letters).");
        }

        if (PollTimeoutSeconds is < 0 or > 600)
        {
            problems.Add("Continuum:Channels:Telegram:PollTimeoutSeconds must be between 0 and 600.");
        }

        return problems;
    }
}
