namespace Continuum.Context;

/// <summary>Token counts of each part of a context.</summary>
public sealed record ContextTokens
{
    /// <summary>The whole prompt.</summary>
    public int Total { get; init; }

    /// <summary>The carried-over part.</summary>
    public int CarriedOver { get; init; }

    /// <summary>The summaries.</summary>
    public int Summaries { get; init; }

    /// <summary>The memories.</summary>
    public int Memories { get; init; }

    /// <summary>Entities and topics.</summary>
    public int Entities { get; init; }

    /// <summary>The recent messages.</summary>
    public int Recent { get; init; }
}
