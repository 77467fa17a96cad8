using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Continuum.Errors;
using Continuum.Security;
using Continuum.Sessions;
using Continuum.Tenancy;
using Continuum.Users;
using Continuum.Validation;
using Microsoft.Extensions.Options;

namespace Continuum.Lifecycle;

/// <summary>The data lifecycle over the store: forgetting users, export and import.</summary>
public sealed class LifecycleService(
    ILifecycleStore store,
    IUserStore users,
    ISessionStore sessions,
    Handoffs.IHandoffStore handoffs,
    Agents.IAgentStore agents,
    IAuditLog audit,
    ITenantContext tenant,
    IAuditActor actor,
    IOptions<ContinuumOptions> options,
    TimeProvider clock) : ILifecycleService
{
    /// <summary>The audit action of a forget.</summary>
    public const string UserForgotten = "user.forgotten";

    /// <summary>The audit action of an import.</summary>
    public const string Imported = "import";

    /// <summary>How many records one import transaction writes.</summary>
    public const int ImportBatch = 500;

    private const int FlushEvery = 256;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <inheritdoc />
    public async Task<ForgetResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var id = InputValidator.Identifier(userId, "userId");
        var user = await users.GetAsync(tenant.TenantId, id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", id);
        var who = actor.Id;
        var counts = await store.ForgetUserAsync(tenant.TenantId, user.Id,
            c => new AuditEntry(tenant.TenantId, who, UserForgotten, user.Id, c, clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return new ForgetResult(user.Id, counts);
    }

    /// <inheritdoc />
    public async Task<ExportSummary> ExportAsync(ExportScope scope, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var checkedScope = await CheckScopeAsync(scope, cancellationToken).ConfigureAwait(false);
        var pipe = PipeWriter.Create(destination, new StreamPipeWriterOptions(leaveOpen: true));
        using var writer = new Utf8JsonWriter(pipe, WriterOptions);
        ExportLines.WriteHeader(writer, checkedScope, clock.GetUtcNow());
        EndLine(writer, pipe);
        long records = 0;
        await foreach (var row in store.ExportAsync(tenant.TenantId, checkedScope, cancellationToken).ConfigureAwait(false))
        {
            ExportLines.WriteRow(writer, row);
            EndLine(writer, pipe);
            if (++records % FlushEvery == 0)
            {
                await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
                progress?.Report(records);
            }
        }

        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        await pipe.CompleteAsync().ConfigureAwait(false);
        progress?.Report(records);
        return new ExportSummary(records);
    }

    /// <inheritdoc />
    public async Task<ImportResult> ImportAsync(Stream source, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var maxLine = options.Value.Limits.MaxRequestBytes;
        using var reader = new StreamReader(source, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
        var batch = new List<ExportRow>(ImportBatch);
        long records = 0;
        long number = 0;
        var header = false;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException)
            {
                throw new ValidationException($"line {number + 1}", "is not valid UTF-8.");
            }

            if (line is null)
            {
                break;
            }

            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var field = $"line {number}";
            if (Encoding.UTF8.GetMaxByteCount(line.Length) > maxLine && Encoding.UTF8.GetByteCount(line) > maxLine)
            {
                throw new ValidationException(field, $"is longer than {maxLine} bytes (Continuum:Limits:MaxRequestBytes).");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException)
            {
                throw new ValidationException(field, "is not JSON.");
            }

            using (document)
            {
                if (!header)
                {
                    if (ExportLines.CheckHeader(document.RootElement) is { } headerProblem)
                    {
                        throw new ValidationException(field, headerProblem);
                    }

                    header = true;
                    continue;
                }

                var row = ExportLines.ReadRow(document.RootElement, out var problem) ?? throw new ValidationException(field, problem!);
                batch.Add(row);
            }

            records++;
            if (batch.Count == ImportBatch)
            {
                await WriteBatchAsync(batch, inserted, cancellationToken).ConfigureAwait(false);
                progress?.Report(records);
            }
        }

        if (!header)
        {
            throw new ValidationException("line 1", "is missing: an export starts with its header line.");
        }

        await WriteBatchAsync(batch, inserted, cancellationToken).ConfigureAwait(false);
        progress?.Report(records);
        var written = inserted.Values.Sum();
        var counts = new Dictionary<string, long>(inserted, StringComparer.Ordinal) { ["skipped"] = records - written };
        await audit.RecordAsync(new AuditEntry(tenant.TenantId, actor.Id, Imported, null, counts, clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return new ImportResult(records, inserted, records - written);
    }

    private async Task WriteBatchAsync(List<ExportRow> batch, Dictionary<string, long> inserted, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        foreach (var (kind, n) in await store.ImportAsync(tenant.TenantId, batch, cancellationToken).ConfigureAwait(false))
        {
            inserted[kind] = inserted.GetValueOrDefault(kind) + n;
        }

        batch.Clear();
    }

    private async Task<ExportScope> CheckScopeAsync(ExportScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var kind = InputValidator.OneOf(scope.Kind, ExportScope.Kinds, "scope");
        switch (kind)
        {
            case ExportScope.Tenant:
                return new ExportScope(kind, null);
            case ExportScope.User:
                var userId = InputValidator.Identifier(scope.Id, "userId");
                var user = await users.GetAsync(tenant.TenantId, userId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("User", userId);
                return new ExportScope(kind, user.Id);
            case ExportScope.Session:
                var sessionId = InputValidator.Identifier(scope.Id, "sessionId");
                _ = await sessions.GetAsync(tenant.TenantId, sessionId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Session", sessionId);
                return new ExportScope(kind, sessionId);
            default:
                // A project exists in a tenant once it has a handoff or a shared-memory entry there; any other name is
                // a 404, as an id of another tenant is.
                var project = InputValidator.Identifier(scope.Id, "project");
                var now = clock.GetUtcNow();
                if (await handoffs.GetLastAsync(tenant.TenantId, project, now, cancellationToken).ConfigureAwait(false) is null
                    && (await agents.SharedAfterAsync(tenant.TenantId, project, 0, 1, cancellationToken).ConfigureAwait(false)).Count == 0)
                {
                    throw new NotFoundException("Project", project);
                }

                return new ExportScope(kind, project);
        }
    }

    private static void EndLine(Utf8JsonWriter writer, PipeWriter pipe)
    {
        writer.Flush();
        writer.Reset();
        pipe.GetSpan(1)[0] = (byte)'\n';
        pipe.Advance(1);
    }
}
