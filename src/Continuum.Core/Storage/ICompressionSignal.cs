namespace Continuum.Storage;

/// <summary>Told by the event store after each append how much of a session is not yet summarized.</summary>
public interface ICompressionSignal
{
    /// <summary>Called after a committed append; must not block.</summary>
    void SessionGrew(string tenantId, string sessionId, long unsummarizedTokens, int tokenLimit);
}
