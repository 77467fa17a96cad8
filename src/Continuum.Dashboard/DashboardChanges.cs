using System.Threading.Channels;
using Continuum.Realtime;
using Microsoft.AspNetCore.Http;

namespace Continuum.Dashboard;

/// <summary>
/// <c>/dashboard/changes</c>: server-sent events that tell an open page that something it may show changed (new
/// events, a session's status, an agent's status, a message, shared memory). A notice names only its kind, never an
/// id or content, so it tells no tenant anything about another; the page then re-reads itself through the services,
/// which apply the tenant rules.
/// </summary>
internal static class DashboardChanges
{
    public static async Task StreamAsync(HttpContext context, IChangeFeed feed)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        var kinds = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        using var subscription = feed.Subscribe(n =>
        {
            // The hot-cache invalidations are bookkeeping, not news.
            if (!n.Topic.StartsWith("cache:", StringComparison.Ordinal))
            {
                kinds.Writer.TryWrite(n.Kind);
            }
        });
        await context.Response.WriteAsync("event: ready\ndata: {}\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        try
        {
            while (await kinds.Reader.WaitToReadAsync(cancellationToken))
            {
                while (kinds.Reader.TryRead(out var kind))
                {
                    await context.Response.WriteAsync($"event: change\ndata: {{\"kind\":\"{Clean(kind)}\"}}\n\n", cancellationToken);
                }

                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away.
        }
    }

    private static string Clean(string kind) => new([.. kind.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_')]);
}
