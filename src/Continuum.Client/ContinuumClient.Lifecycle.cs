using System.Net.Http.Headers;
using System.Net.Http.Json;
using Continuum.Json;
using Continuum.Lifecycle;

namespace Continuum.Client;

/// <summary>The data lifecycle over HTTP: forgetting users, export and import.</summary>
public sealed partial class ContinuumClient : ILifecycleService
{
    /// <inheritdoc />
    public Task<ForgetResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<ForgetResult>(HttpMethod.Delete, $"api/users/{Escape(userId)}?forget=true", null, cancellationToken);

    /// <inheritdoc />
    public async Task<ExportSummary> ExportAsync(ExportScope scope, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(destination);
        var url = scope.Kind switch
        {
            ExportScope.Tenant => "api/export",
            ExportScope.User => $"api/users/{Escape(scope.Id ?? "")}/export",
            ExportScope.Session => $"api/sessions/{Escape(scope.Id ?? "")}/export",
            ExportScope.Project => $"api/projects/{Escape(scope.Id ?? "")}/export",
            _ => throw new Errors.ValidationException("scope", "must be tenant, user, session or project."),
        };
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long lines = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                progress?.Report(Math.Max(0, lines - 1));
            }

            return new ExportSummary(Math.Max(0, lines - 1));
        }
    }

    /// <inheritdoc />
    public async Task<ImportResult> ImportAsync(Stream source, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var content = new StreamContent(source, 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue(ExportFormat.MediaType);
        using var response = await _http.PostAsync("api/import", content, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var result = await response.Content.ReadFromJsonAsync<ImportResult>(JsonDefaults.Options, cancellationToken).ConfigureAwait(false)
            ?? throw new Errors.ContinuumException("empty-response", 502, "The server answered the import with no body.");
        progress?.Report(result.Records);
        return result;
    }
}
