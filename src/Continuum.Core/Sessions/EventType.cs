namespace Continuum.Sessions;

/// <summary>The kinds of event.</summary>
public static class EventType
{
    /// <summary>A chat message.</summary>
    public const string Message = "message";

    /// <summary>A tool call made by the assistant.</summary>
    public const string ToolCall = "tool_call";

    /// <summary>The result of a tool call.</summary>
    public const string ToolResult = "tool_result";

    /// <summary>An error.</summary>
    public const string Error = "error";

    /// <summary>A change of state.</summary>
    public const string State = "state";

    /// <summary>Every event type.</summary>
    public static readonly IReadOnlyList<string> All = [Message, ToolCall, ToolResult, Error, State];
}
