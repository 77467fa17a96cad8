using ModelContextProtocol.Client;

namespace Continuum.Server.Tests;

/// <summary>The MCP client settings the tests use against a <c>continuum mcp</c> process.</summary>
internal static class McpTestClient
{
    /// <summary>
    /// No separate <c>server/discover</c> probe timeout (5 seconds by default): a cold <c>dotnet</c> child on a busy
    /// machine can take longer to answer, and a probe given up while the server answers it leaves the two sides
    /// on different protocol revisions. The initialization timeout (60 seconds) still bounds the handshake.
    /// </summary>
    public static McpClientOptions Options => new() { DiscoverProbeTimeout = Timeout.InfiniteTimeSpan };
}
