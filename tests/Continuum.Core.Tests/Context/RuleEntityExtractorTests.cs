using Continuum.Context;

namespace Continuum.Core.Tests.Context;

public sealed class RuleEntityExtractorTests
{
    private readonly RuleEntityExtractor _extractor = new();

    private Dictionary<string, string> Extract(string text) => _extractor.Extract(text).ToDictionary(e => e.Name, e => e.Kind);

    [Fact]
    public void Hosts_quantities_and_names_are_found_with_their_kinds()
    {
        var found = Extract("Ann says the GPU on gpu-3 reads 82C; after the fan fix it is 61C.");
        found["gpu-3"].ShouldBe("host");
        found["82C"].ShouldBe("quantity");
        found["61C"].ShouldBe("quantity");
        found["Ann"].ShouldBe("name");
    }

    [Fact]
    public void Urls_paths_commands_and_versions_are_found()
    {
        var found = Extract("Run `systemctl restart gateway` then read /var/log/gateway/error.log, see https://docs.example.com/gw and upgrade to v2.4.1.");
        found["systemctl restart gateway"].ShouldBe("command");
        found["/var/log/gateway/error.log"].ShouldBe("path");
        found["https://docs.example.com/gw"].ShouldBe("url");
        found["v2.4.1"].ShouldBe("version");
    }

    [Fact]
    public void Domain_names_are_one_host_and_durations_are_quantities()
    {
        var found = Extract("Restart gateway on edge-7.example.com, then wait 30s.");
        found["edge-7.example.com"].ShouldBe("host");
        found["30s"].ShouldBe("quantity");
        found.ShouldNotContainKey("Restart");
    }

    [Fact]
    public void Common_sentence_starters_are_not_names()
    {
        var found = Extract("The build failed. Then we retried. Thanks!");
        found.ShouldBeEmpty();
    }

    [Fact]
    public void Each_entity_is_listed_once_in_order_of_first_mention()
    {
        var names = _extractor.Extract("node-1 and node-2, then node-1 again").Select(e => e.Name).ToList();
        names.ShouldBe(["node-1", "node-2"]);
    }
}
