using Continuum.Users;

namespace Continuum.Sessions;

/// <summary>Who wrote an event (OpenAI roles).</summary>
public static class EventRole
{
    /// <summary>The human.</summary>
    public const string User = "user";

    /// <summary>The model.</summary>
    public const string Assistant = "assistant";

    /// <summary>Instructions.</summary>
    public const string System = "system";

    /// <summary>A tool's output.</summary>
    public const string Tool = "tool";

    /// <summary>Every role.</summary>
    public static readonly IReadOnlyList<string> All = [User, Assistant, System, Tool];
}
