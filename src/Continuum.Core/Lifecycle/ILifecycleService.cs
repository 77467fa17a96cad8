namespace Continuum.Lifecycle;

/// <summary>The data lifecycle of a tenant: forget a user, export and import.</summary>
public interface ILifecycleService
{
    /// <summary>
    /// Erases everything about a user (see <see cref="ILifecycleStore.ForgetUserAsync"/>) and records a
    /// <c>user.forgotten</c> audit entry with the counts, never content. A merged user's id forgets the survivor.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="Errors.NotFoundException">No such user.</exception>
    Task<ForgetResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="scope"/> as JSON Lines to <paramref name="destination"/> (see <see cref="ExportFormat"/>),
    /// streaming: memory stays flat however many records there are.
    /// </summary>
    /// <param name="scope">What to export.</param>
    /// <param name="destination">Where the lines go; left open.</param>
    /// <param name="progress">Told the records written so far, now and then.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="Errors.NotFoundException">No such user or session.</exception>
    Task<ExportSummary> ExportAsync(ExportScope scope, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads an export from <paramref name="source"/> line by line and writes its records in batches, each batch one
    /// transaction; records already stored are skipped, so importing twice changes nothing. An <c>import</c> audit
    /// record with the counts is written.
    /// </summary>
    /// <param name="source">The lines.</param>
    /// <param name="progress">Told the records read so far, now and then.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="Errors.ValidationException">A line is not valid (named <c>line N</c>); the batches before it are written, nothing of its own batch is.</exception>
    Task<ImportResult> ImportAsync(Stream source, IProgress<long>? progress = null, CancellationToken cancellationToken = default);
}
