using Continuum.Security;

namespace Continuum.AspNetCore.Lifecycle;

/// <summary>A page of the audit log.</summary>
/// <param name="Entries">The records, newest first.</param>
/// <param name="Next">The cursor of the next page, or null on the last.</param>
public sealed record AuditList(IReadOnlyList<AuditEntry> Entries, string? Next);
