namespace Continuum.Sessions;

/// <summary>The kinds of link between sessions.</summary>
public static class SessionLinkType
{
    /// <summary>The same conversation carried on on another interface.</summary>
    public const string Continuation = "continuation";

    /// <summary>A branch at a given event.</summary>
    public const string Fork = "fork";

    /// <summary>Work handed from one session to another.</summary>
    public const string Handoff = "handoff";

    /// <summary>Any other relation.</summary>
    public const string Related = "related";

    /// <summary>Every link type.</summary>
    public static readonly IReadOnlyList<string> All = [Continuation, Fork, Handoff, Related];
}
