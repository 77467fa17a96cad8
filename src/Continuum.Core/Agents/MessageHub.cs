using System.Globalization;
using System.Text.Json;
using Continuum.Errors;
using Continuum.Realtime;
using Continuum.Security;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Continuum.Agents;

/// <inheritdoc />
public sealed class MessageHub(
    IAgentStore store,
    IChangeFeed changes,
    ITenantContext tenant,
    IOptions<ContinuumOptions> options,
    TimeProvider time,
    ILogger<MessageHub> logger) : IMessageHub
{
    private const int MaxTextLength = 64 * 1024;

    /// <inheritdoc />
    public async Task<HubMessage> SendAsync(SendMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var from = InputValidator.Identifier(message.From, "from");
        var to = InputValidator.OptionalIdentifier(message.To, "to");
        var type = InputValidator.OneOf(message.Type, MessageTypes.All, "type", to is null ? "broadcast" : "request");
        var subject = Text(message.Subject, "subject", required: true);
        var body = Text(message.Body, "body", required: false);
        if (message.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data)
        {
            InputValidator.JsonValue(data, MaxTextLength, "data");
        }

        HubMessage? original = null;
        if (message.ReplyTo is { } replyTo)
        {
            original = await store.GetMessageAsync(tenant.TenantId, replyTo, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("message", replyTo.ToString(CultureInfo.InvariantCulture));
            CallerAccess.EnsureNamespace(original.Namespace, "message", replyTo.ToString(CultureInfo.InvariantCulture));
        }

        var sender = await store.GetAgentAsync(tenant.TenantId, from, cancellationToken).ConfigureAwait(false);
        var ns = CallerAccess.DefaultNamespace(message.Namespace) is { } given ? AgentNamespace.Validate(given) : sender?.Namespace ?? original?.Namespace ?? AgentNamespace.Default;
        if (CallerAccess.BoundNamespace is not null)
        {
            // A namespace-bound key speaks for its namespace's agents, to its namespace's agents.
            CallerAccess.EnsureNamespace(ns, "namespace", ns);
            CallerAccess.EnsureNamespace(sender?.Namespace ?? "", "agent", from);
            if (to is not null)
            {
                var recipient = await store.GetAgentAsync(tenant.TenantId, to, cancellationToken).ConfigureAwait(false);
                CallerAccess.EnsureNamespace(recipient?.Namespace ?? "", "agent", to);
            }
        }

        IReadOnlyList<string> recipients;
        if (to is not null)
        {
            recipients = [to];
        }
        else if (original is not null && message.Type is not "broadcast")
        {
            // A reply with no recipient goes back to the one who wrote the message it answers.
            to = original.From;
            recipients = [to];
        }
        else
        {
            var everyone = await store.ListAgentsAsync(tenant.TenantId, ns, cancellationToken).ConfigureAwait(false);
            recipients = [.. everyone.Select(a => a.SessionId).Where(s => s != from)];
        }

        var now = time.GetUtcNow();
        var sent = await store.SendAsync(tenant.TenantId, new HubMessage
        {
            Id = 0,
            ThreadId = 0,
            Type = type,
            From = from,
            To = to,
            Broadcast = to is null,
            Namespace = ns,
            Subject = subject,
            Body = body,
            Data = message.Data?.Clone(),
            ReplyTo = message.ReplyTo,
            CreatedAt = now,
        }, recipients, cancellationToken).ConfigureAwait(false);
        if (sender is not null)
        {
            await store.TouchAsync(tenant.TenantId, from, now, null, null, false, cancellationToken).ConfigureAwait(false);
        }

        foreach (var recipient in recipients)
        {
            await changes.PublishAsync(new ChangeNotice($"inbox:{recipient}", "message", sent.Id, from), cancellationToken).ConfigureAwait(false);
        }

        if (type == "ping" && to is not null)
        {
            await PongAsync(sent, cancellationToken).ConfigureAwait(false);
        }

        return sent;
    }

    /// <inheritdoc />
    public async Task<HubMessage> GetMessageAsync(long messageId, CancellationToken cancellationToken = default)
    {
        var message = await store.GetMessageAsync(tenant.TenantId, messageId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("message", messageId.ToString(CultureInfo.InvariantCulture));
        CallerAccess.EnsureNamespace(message.Namespace, "message", messageId.ToString(CultureInfo.InvariantCulture));
        return message;
    }

    /// <inheritdoc />
    public async Task<Page<HubMessage>> InboxAsync(string sessionId, InboxQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        InputValidator.Identifier(sessionId, "sessionId");
        if (query.Type is not null)
        {
            InputValidator.OneOf(query.Type, MessageTypes.All, "type");
        }

        var limit = InputValidator.Range(query.Limit ?? 100, 1, 1000, "limit");
        if (CallerAccess.BoundNamespace is not null)
        {
            var agent = await store.GetAgentAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false);
            CallerAccess.EnsureNamespace(agent?.Namespace ?? "", "agent", sessionId);
        }

        var after = Math.Max(Math.Max(0, query.After), ListCursor.NumberOf(query.Cursor));
        var rows = await store.InboxAsync(tenant.TenantId, sessionId, query.Type, query.UnreadOnly, after, limit + 1, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(rows, limit, m => ListCursor.AfterNumber(m.Position));
    }

    /// <inheritdoc />
    public async Task<int> AcknowledgeAsync(long messageId, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        InputValidator.OptionalIdentifier(sessionId, "sessionId");
        if (CallerAccess.BoundNamespace is not null)
        {
            await GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        }

        var acknowledged = await store.AcknowledgeAsync(tenant.TenantId, messageId, sessionId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return acknowledged > 0 || await store.GetMessageAsync(tenant.TenantId, messageId, cancellationToken).ConfigureAwait(false) is not null
            ? acknowledged
            : throw new NotFoundException("message", messageId.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task<Page<HubMessage>> ThreadAsync(long messageId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var size = InputValidator.Range(limit ?? 500, 1, 1000, "limit");
        var after = ListCursor.NumberOf(cursor);
        var message = await GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        var rows = await store.ThreadAsync(tenant.TenantId, message.ThreadId, after, size + 1, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(rows, size, m => ListCursor.AfterNumber(m.Id));
    }

    private static string Text(string? text, string field, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? throw new ValidationException(field, "is required.") : "";
        }

        return text.Length <= MaxTextLength ? text : throw new PayloadTooLargeException(field, text.Length, MaxTextLength);
    }

    private async Task PongAsync(HubMessage ping, CancellationToken cancellationToken)
    {
        // The hub answers for the pinged session when it is registered and not offline: a liveness check that
        // needs no agent code. An agent may also answer itself.
        var now = time.GetUtcNow();
        if (await store.GetAgentAsync(tenant.TenantId, ping.To!, cancellationToken).ConfigureAwait(false) is not { } registered
            || AgentRegistry.Effective(registered, now, options.Value.Agents.HeartbeatTimeout) is not { Status: not AgentStatus.Offline } target)
        {
            logger.LogDebug("Ping {MessageId} to {Session}: not registered or offline, no pong", ping.Id, ping.To);
            return;
        }

        var pong = await store.SendAsync(tenant.TenantId, new HubMessage
        {
            Id = 0,
            ThreadId = 0,
            Type = "response",
            From = ping.To!,
            To = ping.From,
            Namespace = ping.Namespace,
            Subject = "pong",
            Body = $"{target.AgentName} is {target.Status}" + (target.CurrentTask is { } task ? $": {task}" : ""),
            ReplyTo = ping.Id,
            CreatedAt = now,
        }, [ping.From], cancellationToken).ConfigureAwait(false);
        await changes.PublishAsync(new ChangeNotice($"inbox:{ping.From}", "message", pong.Id, ping.To), cancellationToken).ConfigureAwait(false);
    }
}
