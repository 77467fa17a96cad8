using Microsoft.Extensions.DependencyInjection;

namespace Continuum;

/// <summary>Returned by <see cref="ContinuumServiceCollectionExtensions.AddContinuum"/> to pick a store and models.</summary>
/// <param name="services">The service collection being configured.</param>
public sealed class ContinuumBuilder(IServiceCollection services)
{
    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; } = services;
}
