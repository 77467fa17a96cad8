using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Continuum.Dashboard;

/// <summary>
/// Reads the server's own request meter (ASP.NET Core's <c>http.server.request.duration</c>) in process and keeps the
/// latest durations per route, so the overview shows append and search latency as the server measured them.
/// </summary>
public sealed class DashboardMeters : IDisposable
{
    /// <summary>The routes whose latency the overview shows, by the name it shows them under.</summary>
    public static readonly IReadOnlyDictionary<string, (string Method, string Route)> Watched = new Dictionary<string, (string, string)>
    {
        ["append"] = ("POST", "/api/sessions/{id}/events"),
        ["append batch"] = ("POST", "/api/sessions/{id}/events:batch"),
        ["search"] = ("POST", "/api/search"),
        ["context"] = ("GET", "/api/sessions/{id}/context"),
    };

    private const int Kept = 1024;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private int _started;

    /// <summary>Starts listening; later calls do nothing.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Latency of a watched route over its latest requests, or null when none was measured.</summary>
    public Latency? Get(string name) => _windows.TryGetValue(name, out var window) ? window.Read() : null;

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? method = null, route = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.request.method")
            {
                method = tag.Value as string;
            }
            else if (tag.Key == "http.route")
            {
                route = tag.Value as string;
            }
        }

        if (route is null)
        {
            return;
        }

        foreach (var (name, (m, r)) in Watched)
        {
            if (m == method && r == route)
            {
                _windows.GetOrAdd(name, _ => new Window()).Add(seconds * 1000);
            }
        }
    }

    /// <summary>Latency figures in milliseconds over the latest <see cref="Count"/> requests (at most 1,024).</summary>
    /// <param name="Count">Requests measured in the window.</param>
    /// <param name="Total">Requests measured since the server started.</param>
    /// <param name="P50">Median.</param>
    /// <param name="P95">95th percentile.</param>
    /// <param name="Max">Slowest.</param>
    public sealed record Latency(int Count, long Total, double P50, double P95, double Max);

    private sealed class Window
    {
        private readonly double[] _values = new double[Kept];
        private long _total;

        public void Add(double milliseconds)
        {
            lock (_values)
            {
                _values[_total % Kept] = milliseconds;
                _total++;
            }
        }

        public Latency Read()
        {
            double[] sorted;
            long total;
            lock (_values)
            {
                total = _total;
                sorted = _values[..(int)Math.Min(total, Kept)];
            }

            Array.Sort(sorted);
            return new Latency(sorted.Length, total, At(sorted, 0.5), At(sorted, 0.95), sorted.Length == 0 ? 0 : sorted[^1]);
        }

        private static double At(double[] sorted, double quantile) =>
            sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
    }
}
