using System.Net;
using System.Net.Http.Json;
using Continuum.Sessions;
using Polly;

namespace Continuum.Client;

/// <summary>
/// Which failed calls <see cref="ContinuumClientServiceCollectionExtensions.AddContinuumClient"/> retries: transient
/// failures only (the connection failed, a timeout, 408, 429, 502, 503, 504; never a 500, which is a bug, nor any
/// other 4xx), and only requests that are safe to send twice: reads and other idempotent methods, a search, an append
/// whose every event carries an idempotency key, and any request that never reached the server. A POST that may have
/// landed without a key (a new session, an append without a key) is not retried: a second copy would be stored.
/// </summary>
public static class ContinuumRetryPolicy
{
    /// <summary>True when the outcome is transient and the request may be sent again.</summary>
    public static bool ShouldRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        var neverSent = outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
        var transient = neverSent
            || outcome.Exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
            || outcome.Result?.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
        if (!transient || request is null)
        {
            return false;
        }

        return neverSent || IsSafeToRepeat(request);
    }

    /// <summary>True for a request that does the same whether it is sent once or twice.</summary>
    public static bool IsSafeToRepeat(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Put || method == HttpMethod.Delete)
        {
            return true;
        }

        if (method != HttpMethod.Post)
        {
            return false;
        }

        var path = request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.AbsolutePath : request.RequestUri?.OriginalString ?? "";
        if (path.EndsWith("/search", StringComparison.Ordinal))
        {
            return true;
        }

        return (request.Content as JsonContent)?.Value switch
        {
            NewEvent one => one.IdempotencyKey is not null,
            EventBatchBody batch => batch.Events.Count > 0 && batch.Events.All(e => e.IdempotencyKey is not null),
            _ => false,
        };
    }
}
