namespace Continuum.Sessions;

/// <summary>A message carried over into a continuation.</summary>
/// <param name="Role">The message's role.</param>
/// <param name="Content">The message text.</param>
/// <param name="Interface">The interface it was written on.</param>
public sealed record CarriedMessage(string Role, string Content, string Interface);
