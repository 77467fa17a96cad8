namespace Continuum.Storage;

/// <summary>One page of a listing.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items, in the listing's order.</param>
/// <param name="Next">The cursor for the next page, or null on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
