using System.Reflection;
using Continuum.Dashboard.Components;
using Microsoft.AspNetCore.Builder;
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
    /// <c>/dashboard/changes</c>, the server-sent stream that tells open pages something changed. Call
    /// <c>UseAntiforgery()</c> before.
    /// </summary>
    public static IEndpointRouteBuilder MapContinuumDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.ServiceProvider.GetRequiredService<DashboardMeters>().Start();
        endpoints.MapRazorComponents<App>();
        var assets = endpoints.MapGroup("/dashboard").ExcludeFromDescription();
        assets.MapGet("/site.css", () => Asset("site.css", "text/css; charset=utf-8"));
        assets.MapGet("/site.js", () => Asset("site.js", "text/javascript; charset=utf-8"));
        assets.MapGet("/icon.svg", () => Asset("icon.svg", "image/svg+xml"));
        assets.MapGet("/changes", DashboardChanges.StreamAsync);
        return endpoints;
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
