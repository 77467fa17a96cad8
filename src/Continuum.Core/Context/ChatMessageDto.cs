namespace Continuum.Context;

/// <summary>A chat message in OpenAI's shape.</summary>
/// <param name="Role">system, user, assistant or tool.</param>
/// <param name="Content">The text.</param>
public sealed record ChatMessageDto(string Role, string Content);
