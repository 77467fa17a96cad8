namespace Continuum.Lifecycle;

/// <summary>What forgetting a user erased.</summary>
/// <param name="UserId">The user that no longer exists.</param>
/// <param name="Counts">How many records of each kind were erased (e.g. <c>events</c>, <c>sessions</c>).</param>
public sealed record ForgetResult(string UserId, IReadOnlyDictionary<string, long> Counts);
