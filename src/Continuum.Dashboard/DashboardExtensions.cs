using System.Reflection;
using Continuum.AspNetCore.Security;
using Continuum.Dashboard.Components;
using Continuum.Dashboard.Components.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Continuum.Dashboard;

/// <summary>Adds and maps the dashboard: Blazor pages at <c>/</c> and their assets under <c>/dashboard/</c>.</summary>
public static class DashboardExtensions
{
    /// <summary>Registers the Razor components and the in-process reader of the server's request meters.</summary>
    public static IServiceCollection AddContinuumDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddAntiforgery();
        services.TryAddSingleton<DashboardMeters>();
        return services;
    }

    /// <summary>
    /// Maps the pages (<c>/</c>, <c>/sessions</c>, <c>/users</c>, <c>/agents</c>, <c>/handoffs</c>), the assets and
    /// <c>/dashboard/changes</c>, the server-sent stream that tells open pages something changed. Where keys are on,
    /// <c>/login</c> signs a browser in with an admin key (kept in the <see cref="SignInCookie"/>), <c>POST /logout</c>
    /// signs it out, and a page asked for without a valid key redirects to <c>/login</c>. Call <c>UseAntiforgery()</c>
    /// before.
    /// </summary>
    public static IEndpointRouteBuilder MapContinuumDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.ServiceProvider.GetRequiredService<DashboardMeters>().Start();
        endpoints.MapRazorComponents<App>().Add(page => page.Metadata.Add(
            page.Metadata.OfType<ComponentTypeMetadata>().Any(m => m.Type == typeof(Login)) ? new AnonymousAccessMetadata() : new SignInCookieMetadata("/login")));
        endpoints.MapPost("/logout", Logout).ExcludeFromDescription().AllowAnonymousAccess();
        var assets = endpoints.MapGroup("/dashboard").ExcludeFromDescription();
        assets.MapGet("/site.css", () => Asset("site.css", "text/css; charset=utf-8")).AllowAnonymousAccess();
        assets.MapGet("/site.js", () => Asset("site.js", "text/javascript; charset=utf-8")).AllowAnonymousAccess();
        assets.MapGet("/icon.svg", () => Asset("icon.svg", "image/svg+xml")).AllowAnonymousAccess();
        assets.MapGet("/changes", DashboardChanges.StreamAsync).AcceptSignInCookie();
        return endpoints;
    }

    // Signing out needs no key (a revoked one must still be able to leave), only a form of this site.
    private static IResult Logout(HttpContext context)
    {
        if (!SignInCookie.IsSameOrigin(context.Request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, type: "https://continuum.dev/problems/forbidden", detail: "Sign out from a page of this site.");
        }

        SignInCookie.Delete(context);
        return TypedResults.Redirect("/login");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult Asset(string name, string contentType)
    {
        using var stream = typeof(DashboardExtensions).Assembly.GetManifestResourceStream("Continuum.Dashboard.Assets." + name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return TypedResults.Bytes(memory.ToArray(), contentType);
    }
}
