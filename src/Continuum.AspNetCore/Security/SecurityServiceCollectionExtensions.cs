using System.Globalization;
using System.Threading.RateLimiting;
using Continuum.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Continuum.AspNetCore.Security;

/// <summary>API keys, per-key rate limits and CORS for Continuum's API.</summary>
public static class SecurityServiceCollectionExtensions
{
    private const string CorsPolicy = "continuum";

    /// <summary>Registers the rate limiter (a token bucket per key and scope, from <c>Continuum:Security:RateLimits</c>) and the CORS policy.</summary>
    public static IServiceCollection AddContinuumSecurity(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ContinuumOptions>>((limiter, continuum) =>
        {
            var rules = continuum.Value.Security.RateLimits;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, rules));
            limiter.OnRejected = RejectAsync;
        });
        services.AddRateLimiter(_ => { });
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<ContinuumOptions>>((cors, continuum) =>
        {
            var configured = continuum.Value.Security.Cors;
            cors.AddPolicy(CorsPolicy, p => p.WithOrigins([.. configured.Origins]).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Location", "Retry-After", "WWW-Authenticate").SetPreflightMaxAge(configured.PreflightMaxAge));
        });
        return services;
    }

    /// <summary>
    /// CORS (when origins are configured), the API-key check and the rate limiter, in that order. Call after
    /// <c>UseStatusCodePages()</c> and before <c>UseContinuumRequestValidation()</c>, so a request without a valid key
    /// learns nothing about its body.
    /// </summary>
    public static IApplicationBuilder UseContinuumSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var security = app.ApplicationServices.GetRequiredService<IOptions<ContinuumOptions>>().Value.Security;
        if (security.Cors.Origins.Count > 0)
        {
            app.UseCors(CorsPolicy);
        }

        app.UseMiddleware<ApiKeyAuthentication>();
        if (security.RateLimits.Count > 0)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Dictionary<string, RateLimitRule> rules)
    {
        var scope = context.Items[ApiKeyAuthentication.ScopeItem] as string ?? ApiScopes.Read;
        var caller = context.Items[ApiKeyAuthentication.CallerItem] as Caller;
        if (!rules.TryGetValue(scope, out var rule) || (caller is null && !rule.ApplyToLocal))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        return RateLimitPartition.GetTokenBucketLimiter($"{caller?.KeyId ?? "local"}:{scope}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, rule.TokenLimit),
            TokensPerPeriod = Math.Max(1, rule.TokensPerPeriod),
            ReplenishmentPeriod = rule.Period > TimeSpan.Zero ? rule.Period : TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = ContinuumExceptionHandler.TypePrefix + "rate-limited",
                Title = ContinuumExceptionHandler.TitleFor(StatusCodes.Status429TooManyRequests),
                Detail = $"This key sent more requests than its limit allows; retry after {seconds} s.",
            },
        }).ConfigureAwait(false);
    }
}
