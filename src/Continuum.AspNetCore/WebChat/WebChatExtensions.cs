using Continuum.AspNetCore.WebChat;
using Microsoft.AspNetCore.Routing;

namespace Continuum.AspNetCore;

/// <summary>Maps the web chat.</summary>
public static class WebChatExtensions
{
    /// <summary>
    /// Maps the web chat page at <c>/chat</c>, the script other sites include at <c>/chat/embed.js</c> and the page's
    /// calls under <c>/chat/api</c> (history, messages answered as server-sent events, link codes, a new
    /// conversation). Answers need an <c>IChatTurns</c> registered; without one a message is a 503 problem.
    /// </summary>
    public static IEndpointRouteBuilder MapContinuumWebChat(this IEndpointRouteBuilder endpoints)
    {
        WebChatEndpoints.Map(endpoints);
        return endpoints;
    }
}
