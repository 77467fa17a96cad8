using System.Diagnostics;
using Continuum.Errors;
using Continuum.Sessions;
using Continuum.Users;

namespace Continuum.Bench;

/// <summary>
/// The same appends without HTTP: clients call the server's own <see cref="ISessionService"/> in process, so the
/// difference from the HTTP phase is what Kestrel, routing, JSON and the client cost.
/// </summary>
internal sealed class StoreAppendBench(ISessionService sessions)
{
    public async Task<string> OpenSessionAsync(string externalUserId, CancellationToken cancellationToken)
    {
        var result = await sessions.OpenAsync(new OpenSessionRequest
        {
            Interface = "api",
            Identity = new IdentityRef { Interface = "api", ExternalUserId = externalUserId },
            Mode = "new",
        }, cancellationToken);
        return result.Session.Id;
    }

    public async Task<PhaseResult> RunAsync(string name, int clients, IReadOnlyList<string> sessionIds, Window window, CancellationToken cancellationToken)
    {
        var logs = Enumerable.Range(0, clients).Select(_ => new ClientLog()).ToArray();
        var loops = Enumerable.Range(0, clients)
            .Select(i => Task.Run(() => ClientAsync(i, sessionIds[i % sessionIds.Count], logs[i], window, cancellationToken), cancellationToken))
            .ToArray();
        await Task.WhenAll(loops);
        return PhaseResult.From(name, clients, window, logs);
    }

    private async Task ClientAsync(int client, string sessionId, ClientLog log, Window window, CancellationToken cancellationToken)
    {
        var content = Workload.Content(client);
        while (window.Open(Stopwatch.GetTimestamp()))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // A new event each time, as the HTTP endpoint deserializes one per request.
                await sessions.AppendAsync(sessionId, new NewEvent { Role = "user", Content = content }, cancellationToken);
                var completed = Stopwatch.GetTimestamp();
                if (window.Counts(completed))
                {
                    log.Ticks.Add(completed - started);
                }
            }
            catch (ContinuumException ex)
            {
                log.Fail(ex.Message);
            }
        }
    }
}
