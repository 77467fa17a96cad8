using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Continuum.Context;
using Continuum.Errors;
using Continuum.ModelProviders;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Tenancy;
using Continuum.Tokens;
using Continuum.Users;
using Continuum.Validation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Continuum.Handoffs;

/// <summary>Handoffs, the knowledge base and briefings over the store, with validation and drafts.</summary>
public sealed partial class HandoffService(
    IHandoffStore store,
    ISessionService sessions,
    IContextService context,
    ITokenCounter tokens,
    IEntityExtractor entities,
    ChatModel model,
    ITenantContext tenant,
    Realtime.IChangeFeed changes,
    TimeProvider time,
    ILogger<HandoffService> logger) : IHandoffService
{
    /// <summary>The briefing's default size in tokens.</summary>
    public const int DefaultBriefingBudget = 2000;

    /// <summary>The most items in one list of a handoff.</summary>
    public const int MaxListItems = 500;

    /// <summary>The longest text of one item.</summary>
    public const int MaxItemLength = 8192;

    private const int MaxDraftEvents = 2000;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex ProjectPattern();

    private readonly HandoffDrafter _drafter = new(entities);

    /// <summary>Checks a project name: 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.</summary>
    public static string Project(string? project, string field = "project")
    {
        if (string.IsNullOrEmpty(project))
        {
            throw new ValidationException(field, "is required.");
        }

        return ProjectPattern().IsMatch(project)
            ? project
            : throw new ValidationException(field, "must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");
    }

    /// <inheritdoc />
    public async Task<HandoffReceipt> CreateAsync(Handoff handoff, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var now = time.GetUtcNow();
        var valid = Validate(handoff) with { Id = Ids.New("hof_", now), CreatedAt = now };
        valid = valid with { EndedAt = valid.EndedAt ?? now };
        var receipt = await store.AddAsync(tenant.TenantId, valid, TaskMatcher.Achieves, cancellationToken).ConfigureAwait(false);
        // Sessions following the project (live stream, agents) hear of it; the handoff itself is already durable.
        await changes.PublishAsync(new Realtime.ChangeNotice($"project:{valid.Project}", "handoff_created", Origin: valid.Id), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Handoff {HandoffId} for project {Project}: {Decisions} decisions, {Opened} tasks opened, {Closed} closed",
            valid.Id, valid.Project, receipt.Decisions.Count, receipt.Opened.Count, receipt.Closed.Count);
        return receipt;
    }

    /// <inheritdoc />
    public async Task<Handoff> GetAsync(string handoffId, CancellationToken cancellationToken = default)
    {
        InputValidator.Identifier(handoffId, "id");
        return await store.GetAsync(tenant.TenantId, handoffId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("handoff", handoffId);
    }

    /// <inheritdoc />
    public async Task<Page<Handoff>> ListAsync(string project, DateTimeOffset? since = null, DateTimeOffset? until = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        Project(project);
        if (since is { } s && until is { } u && u < s)
        {
            throw new ValidationException("to", "must not be before 'from'.");
        }

        var max = InputValidator.Range(limit ?? 100, 1, 1000, "limit");
        var fetched = await store.ListAsync(tenant.TenantId, project, since, until, max + 1, ListCursor.Parse(cursor), cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, max, h => ListCursor.After(h.EndedAt ?? h.CreatedAt, h.Id));
    }

    /// <inheritdoc />
    public Task<KnowledgeBase> GetKnowledgeAsync(string project, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default) =>
        store.GetKnowledgeAsync(tenant.TenantId, Project(project), asOf ?? time.GetUtcNow(), null, cancellationToken);

    /// <inheritdoc />
    public async Task<Briefing> GetBriefingAsync(string project, int? budget = null, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        Project(project);
        var size = InputValidator.Range(budget ?? DefaultBriefingBudget, 100, 100_000, "budget");
        var at = asOf ?? time.GetUtcNow();
        // Only the top of each part can fit: a line costs several tokens, so budget / 8 items per part is plenty.
        var knowledge = await store.GetKnowledgeAsync(tenant.TenantId, project, at, Math.Max(10, size / 8), cancellationToken).ConfigureAwait(false);
        var last = await store.GetLastAsync(tenant.TenantId, project, at, cancellationToken).ConfigureAwait(false);
        var first = knowledge.TotalHandoffs > 1
            ? (await store.ListAsync(tenant.TenantId, project, null, at, 1, null, cancellationToken).ConfigureAwait(false)) is [var earliest, ..] ? earliest : null
            : last;
        return HandoffMarkdown.Brief(knowledge, first, last, size, tokens);
    }

    /// <inheritdoc />
    public async Task<Handoff> DraftAsync(string sessionId, string? project = null, CancellationToken cancellationToken = default)
    {
        var session = await sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("session", sessionId);
        var name = project is null ? ProjectOf(session) : Project(project);
        var events = new List<SessionEvent>();
        long? after = null;
        while (events.Count < MaxDraftEvents)
        {
            var page = await sessions.ListEventsAsync(sessionId, after, 500, cancellationToken).ConfigureAwait(false);
            events.AddRange(page.Items);
            if (page.Next is null || page.Items.Count == 0)
            {
                break;
            }

            after = page.Items[^1].Seq;
        }

        var summaries = await context.GetSummariesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var draft = _drafter.Draft(session, name, events, summaries, time.GetUtcNow());
        if (model.Client is { } chat)
        {
            try
            {
                return await DraftWithModelAsync(chat, session, name, events, summaries, draft, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The chat model could not draft the handoff of session {SessionId}; the built-in draft is returned", sessionId);
            }
        }

        return draft;
    }

    /// <inheritdoc />
    public async Task<Page<string>> ListProjectsAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var max = InputValidator.Range(limit ?? 100, 1, 1000, "limit");
        var fetched = await store.ListProjectsAsync(tenant.TenantId, max + 1, ListCursor.Parse(cursor)?.Id, cancellationToken).ConfigureAwait(false);
        return ListCursor.Page(fetched, max, ListCursor.AfterName);
    }

    private static string ProjectOf(Session session) =>
        session.Metadata.ValueKind == JsonValueKind.Object && session.Metadata.TryGetProperty("project", out var p) && p.ValueKind == JsonValueKind.String
            ? Project(p.GetString(), "project")
            : throw new ValidationException("project", "is required: give it, or set 'project' in the session's metadata.");

    private async Task<Handoff> DraftWithModelAsync(IChatClient chat, Session session, string project, List<SessionEvent> events, IReadOnlyList<Summary> summaries, Handoff fallback, CancellationToken cancellationToken)
    {
        var transcript = new StringBuilder();
        foreach (var summary in summaries)
        {
            transcript.Append("[summary] ").Append(summary.Content).Append('\n');
        }

        // The newest part of the session, within a size a small model takes.
        var recent = new List<string>();
        var size = 0;
        foreach (var e in Enumerable.Reverse(events).Where(e => e.Type == EventType.Message))
        {
            var line = $"[{e.Role}] {e.Content}";
            size += tokens.Count(line);
            if (size > 6000)
            {
                break;
            }

            recent.Add(line);
        }

        recent.Reverse();
        transcript.AppendJoin('\n', recent);
        List<ChatMessage> messages =
        [
            new(ChatRole.System,
                "You write the handoff of a working session for the next session. Answer with one JSON object and nothing else, with the keys " +
                "primary_goal (string), achievements (strings), decisions_made (objects with decision, reasoning, impact), insights_gained (strings), " +
                "blockers_encountered (objects with blocker, solution, lesson), next_steps (objects with task and priority high|medium|low), " +
                "files_modified (strings), services_deployed (strings), handoff_notes (string). Only what the transcript says."),
            new(ChatRole.User, transcript.ToString()),
        ];
        var response = await chat.GetResponseAsync(messages, new ChatOptions { Temperature = 0 }, cancellationToken).ConfigureAwait(false);
        var text = response.Text ?? "";
        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            throw new FormatException("The model's answer holds no JSON object.");
        }

        using var json = JsonDocument.Parse(text[start..(end + 1)]);
        var drafted = HandoffJson.Parse(json.RootElement, project);
        return drafted with
        {
            SessionId = session.Id,
            Author = fallback.Author,
            Goal = drafted.Goal ?? fallback.Goal,
            FilesModified = drafted.FilesModified.Count > 0 ? drafted.FilesModified : fallback.FilesModified,
            StartedAt = fallback.StartedAt,
            EndedAt = fallback.EndedAt,
        };
    }

    private static Handoff Validate(Handoff h)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
            {
                errors[field] = [problem];
            }
        }

        void Texts(IEnumerable<string?> items, int count, string field)
        {
            Check(count <= MaxListItems, field, $"must have at most {MaxListItems} items.");
            Check(items.All(i => !string.IsNullOrWhiteSpace(i) && i.Length <= MaxItemLength), field, $"items must be non-empty texts of at most {MaxItemLength} characters.");
        }

        try
        {
            Project(h.Project);
        }
        catch (ValidationException ex)
        {
            foreach (var (field, problems) in ex.Errors)
            {
                errors[field] = problems;
            }
        }

        Check(h.SessionId is null || (h.SessionId.Length <= InputValidator.MaxIdentifierLength && !h.SessionId.Any(char.IsControl)), "sessionId", "must be at most 256 characters without control characters.");
        Check(h.Author is null || (h.Author.Length <= InputValidator.MaxIdentifierLength && !h.Author.Any(char.IsControl)), "author", "must be at most 256 characters without control characters.");
        Check(h.Goal is null || h.Goal.Length <= MaxItemLength, "goal", $"must be at most {MaxItemLength} characters.");
        Check(h.Notes is null || h.Notes.Length <= MaxItemLength * 4, "notes", $"must be at most {MaxItemLength * 4} characters.");
        Texts(h.Achievements, h.Achievements.Count, "achievements");
        Texts(h.Decisions.Select(d => d.Decision), h.Decisions.Count, "decisions");
        Texts(h.CodeCreated, h.CodeCreated.Count, "codeCreated");
        Texts(h.FilesModified, h.FilesModified.Count, "filesModified");
        Texts(h.Insights, h.Insights.Count, "insights");
        Texts(h.Blockers.Select(b => b.Blocker), h.Blockers.Count, "blockers");
        Texts(h.NextSteps.Select(s => s.Task), h.NextSteps.Count, "nextSteps");
        Texts(h.Services, h.Services.Count, "services");
        Check(h.Architecture.Count <= MaxListItems && h.Architecture.Keys.All(k => k.Length is > 0 and <= InputValidator.MaxIdentifierLength), "architecture", "must have at most 500 components with names of 1 to 256 characters.");
        Check(h.StartedAt is null || h.EndedAt is null || h.EndedAt >= h.StartedAt, "endedAt", "must not be before startedAt.");
        var steps = h.NextSteps.Select(s => s with { Priority = s.Priority.Trim().ToLowerInvariant() }).ToList();
        Check(steps.All(s => Priorities.All.Contains(s.Priority)), "nextSteps", "priority must be high, medium or low.");
        Check(h.Goal is not null || h.Notes is not null || h.Achievements.Count + h.Decisions.Count + h.NextSteps.Count + h.Insights.Count + h.Blockers.Count > 0,
            "body", "an empty handoff: give at least a goal, notes, achievements, decisions, insights, blockers or next steps.");
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        return h with { NextSteps = steps };
    }
}
