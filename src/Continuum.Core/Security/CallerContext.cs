namespace Continuum.Security;

/// <summary>
/// The caller of the current call, carried with the async flow: the API sets it for each request once its key is
/// checked, and everything the request awaits sees it. Outside of a request (an in-process command, a background
/// job) there is none, and services act for the default tenant with every right.
/// </summary>
public static class CallerContext
{
    private static readonly AsyncLocal<Caller?> CurrentCaller = new();

    /// <summary>The current call's caller, or null outside of a request.</summary>
    public static Caller? Current => CurrentCaller.Value;

    /// <summary>Makes <paramref name="caller"/> the current caller until the returned handle is disposed.</summary>
    public static IDisposable Use(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var previous = CurrentCaller.Value;
        CurrentCaller.Value = caller;
        return new Restore(previous);
    }

    private sealed class Restore(Caller? previous) : IDisposable
    {
        public void Dispose() => CurrentCaller.Value = previous;
    }
}
