namespace Continuum.Web.Tests.Browser;

/// <summary>The test classes that share the one browser (<see cref="BrowserFixture"/>); they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
