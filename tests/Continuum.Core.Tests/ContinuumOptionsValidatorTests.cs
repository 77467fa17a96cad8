namespace Continuum.Core.Tests;

public sealed class ContinuumOptionsValidatorTests
{
    private readonly ContinuumOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        _validator.Validate(null, new ContinuumOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void A_small_request_limit_is_valid_while_it_still_holds_one_content()
    {
        var options = new ContinuumOptions();
        options.Limits.MaxRequestBytes = options.Limits.MaxContentBytes;

        _validator.Validate(null, options).Succeeded.ShouldBeTrue();
    }

    public static TheoryData<string, Action<ContinuumOptions>> BadSettings => new()
    {
        { "Continuum:DefaultTenant", o => o.DefaultTenant = " " },
        { "Continuum:Sessions:TokenLimit", o => o.Sessions.TokenLimit = 99 },
        { "Continuum:Sessions:Expiry", o => o.Sessions.Expiry = TimeSpan.Zero },
        { "AgentExpiry", o => o.Sessions.AgentExpiry = TimeSpan.FromHours(-1) },
        { "Continuum:Sessions:CleanupInterval", o => o.Sessions.CleanupInterval = TimeSpan.FromMilliseconds(500) },
        { "Continuum:Limits:MaxContentBytes", o => o.Limits.MaxContentBytes = 0 },
        { "MaxMetadataBytes", o => o.Limits.MaxMetadataBytes = 1 },
        { "Continuum:Limits:MaxRequestBytes", o => o.Limits.MaxRequestBytes = o.Limits.MaxContentBytes - 1 },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_fails_with_a_message_naming_the_key_to_set(string key, Action<ContinuumOptions> breakIt)
    {
        var options = new ContinuumOptions();
        breakIt(options);

        var result = _validator.Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures.ShouldNotBeNull();
        result.Failures.Count().ShouldBe(1);
        result.Failures.Single().ShouldContain(key);
    }

    [Fact]
    public void Every_bad_setting_is_reported_at_once()
    {
        var options = new ContinuumOptions { DefaultTenant = "" };
        options.Sessions.TokenLimit = 10;
        options.Sessions.CleanupInterval = TimeSpan.Zero;

        var result = _validator.Validate(null, options);

        result.Failures!.Count().ShouldBe(3);
        var message = result.FailureMessage ?? "";
        message.ShouldContain("DefaultTenant");
        message.ShouldContain("TokenLimit");
        message.ShouldContain("CleanupInterval");
    }

    [Fact]
    public void Null_options_are_refused()
    {
        Should.Throw<ArgumentNullException>(() => _validator.Validate(null, null!));
    }
}
