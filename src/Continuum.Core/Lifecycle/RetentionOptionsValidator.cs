using Microsoft.Extensions.Options;

namespace Continuum.Lifecycle;

/// <summary>Checks <c>Continuum:Retention</c> at start, with messages that say what to set.</summary>
public sealed class RetentionOptionsValidator : IValidateOptions<ContinuumOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ContinuumOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retention = options.Retention;
        var failures = new List<string>();
        if (retention.Interval < TimeSpan.FromMilliseconds(100) || retention.Interval > TimeSpan.FromDays(7))
        {
            failures.Add($"Continuum:Retention:Interval must be between 00:00:00.1 and 7.00:00:00; it is {retention.Interval}.");
        }

        if (retention.BatchSize is < 1 or > 100_000)
        {
            failures.Add($"Continuum:Retention:BatchSize must be between 1 and 100000 rows; it is {retention.BatchSize}.");
        }

        if (retention.Default.Problem("Continuum:Retention") is { } problem)
        {
            failures.Add(problem);
        }

        foreach (var (tenant, policy) in retention.Tenants)
        {
            if (string.IsNullOrWhiteSpace(tenant))
            {
                failures.Add("Continuum:Retention:Tenants needs a tenant id as the name of each override.");
            }
            else if (policy?.Problem($"Continuum:Retention:Tenants:{tenant}") is { } tenantProblem)
            {
                failures.Add(tenantProblem);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
