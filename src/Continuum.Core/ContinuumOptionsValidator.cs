using Microsoft.Extensions.Options;

namespace Continuum;

/// <summary>Checks <see cref="ContinuumOptions"/> at start and says what to set.</summary>
public sealed class ContinuumOptionsValidator : IValidateOptions<ContinuumOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ContinuumOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DefaultTenant))
        {
            failures.Add("Continuum:DefaultTenant must be set (e.g. 'default').");
        }

        if (options.Tokenizer?.Trim().ToLowerInvariant() is not (Tokens.BpeEncoding.O200kBase or Tokens.BpeEncoding.Cl100kBase or "estimate"))
        {
            failures.Add($"Continuum:Tokenizer must be {Tokens.BpeEncoding.O200kBase}, {Tokens.BpeEncoding.Cl100kBase} or estimate (it is '{options.Tokenizer}').");
        }

        if (options.Sessions.TokenLimit < 100)
        {
            failures.Add("Continuum:Sessions:TokenLimit must be at least 100.");
        }

        if (options.Sessions.Expiry <= TimeSpan.Zero || options.Sessions.AgentExpiry <= TimeSpan.Zero)
        {
            failures.Add("Continuum:Sessions:Expiry and AgentExpiry must be positive durations (e.g. '7.00:00:00').");
        }

        if (options.Sessions.CleanupInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add("Continuum:Sessions:CleanupInterval must be at least one second (e.g. '01:00:00').");
        }

        if (options.Limits.MaxContentBytes < 1 || options.Limits.MaxMetadataBytes < 2)
        {
            failures.Add("Continuum:Limits:MaxContentBytes and MaxMetadataBytes must be positive.");
        }

        if (options.Limits.MaxHandoffTextBytes < 1 || options.Limits.MaxHandoffListItems < 1)
        {
            failures.Add("Continuum:Limits:MaxHandoffTextBytes and MaxHandoffListItems must be positive.");
        }

        if (options.Limits.MaxRequestBytes < options.Limits.MaxContentBytes)
        {
            failures.Add("Continuum:Limits:MaxRequestBytes must be at least MaxContentBytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
