using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Continuum.Channels;

/// <summary>
/// A fixed window of messages per chat (<see cref="ChannelRateLimitOptions"/>), so a flood from one chat neither fills
/// the store nor keeps the model busy for everyone else. The first refusal in a window is told to answer politely;
/// the others are dropped silently, so the flood does not turn into a flood of apologies.
/// </summary>
internal sealed class ChannelRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _told = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _window;

    public ChannelRateLimiter(IOptions<ChannelsOptions> options, TimeProvider clock)
    {
        var limit = options.Value.RateLimit;
        _clock = clock;
        _window = limit.Window;
        _limiter = PartitionedRateLimiter.Create<string, string>(chat => RateLimitPartition.GetFixedWindowLimiter(chat, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.Messages,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Takes one message's permit for <paramref name="chat"/>.</summary>
    public Admission Admit(string chat)
    {
        using var lease = _limiter.AttemptAcquire(chat);
        if (lease.IsAcquired)
        {
            return Admission.Admitted;
        }

        var now = _clock.GetUtcNow();
        var told = _told.GetOrAdd(chat, DateTimeOffset.MinValue);
        if (now - told >= _window && _told.TryUpdate(chat, now, told))
        {
            Prune(now);
            return Admission.RefusedFirst;
        }

        return Admission.Refused;
    }

    public void Dispose() => _limiter.Dispose();

    private void Prune(DateTimeOffset now)
    {
        if (_told.Count < 10_000)
        {
            return;
        }

        foreach (var (chat, at) in _told)
        {
            if (now - at > _window)
            {
                _told.TryRemove(chat, out _);
            }
        }
    }
}

/// <summary>What the rate limiter decided for one message.</summary>
internal enum Admission
{
    /// <summary>Within the limit.</summary>
    Admitted,

    /// <summary>Over the limit, the first time in this window: answer politely.</summary>
    RefusedFirst,

    /// <summary>Over the limit again: drop it.</summary>
    Refused,
}
