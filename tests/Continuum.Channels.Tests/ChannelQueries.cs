using System.Text.Json.Nodes;
using Continuum.Server.Tests.Api;

namespace Continuum.Channels.Tests;

/// <summary>What the channel tests read back from a server (the shared <see cref="ApiServer"/>) after a bot's work.</summary>
public static class ChannelQueries
{
    /// <summary>The sessions on an interface, newest first.</summary>
    public static async Task<List<JsonObject>> SessionsOnAsync(this ApiServer server, string iface)
    {
        var page = await server.GetOkAsync($"api/sessions?interface={iface}&limit=500");
        return [.. page["sessions"]!.AsArray().Select(s => s!.AsObject())];
    }

    /// <summary>The store's counts: sessions, users, events (every interface).</summary>
    public static async Task<(long Sessions, long Users, long Events)> CountsAsync(this ApiServer server)
    {
        var stats = await server.GetOkAsync("api/stats");
        var sessions = stats["sessions"] as JsonObject ?? stats;
        return ((long)sessions["totalSessions"]!, (long)sessions["users"]!, (long)sessions["events"]!);
    }
}
