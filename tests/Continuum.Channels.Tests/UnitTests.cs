using Continuum.Channels.Discord;
using Continuum.Channels.Telegram;
using Continuum.Channels.Tests.Fakes;

namespace Continuum.Channels.Tests;

public sealed class UnitTests
{
    [Fact]
    public void A_long_answer_is_split_at_paragraph_boundaries_into_pieces_within_the_limit()
    {
        var paragraphs = Enumerable.Range(1, 12).Select(i => $"Paragraph {i}: " + string.Join(' ', Enumerable.Repeat("gpu-3 reads 82C under load.", 30))).ToList();
        var text = string.Join("\n\n", paragraphs);

        var pieces = MessageSplitter.Split(text, 4096);

        text.Length.ShouldBeGreaterThan(4096 * 2);
        pieces.ShouldAllBe(p => p.Length <= 4096);
        pieces.Count.ShouldBe((int)Math.Ceiling(text.Length / 4096.0), "whole paragraphs packed together");
        pieces.ShouldAllBe(p => p.StartsWith("Paragraph ", StringComparison.Ordinal) && p.EndsWith("load.", StringComparison.Ordinal));
        string.Join("\n\n", pieces).ShouldBe(text);
    }

    [Fact]
    public void A_paragraph_longer_than_the_limit_is_cut_after_a_sentence_and_a_run_without_spaces_hard()
    {
        var sentences = string.Concat(Enumerable.Repeat("The fan on gpu-3 spins at 4000 rpm. ", 80)).Trim();
        var pieces = MessageSplitter.Split(sentences, 2000);
        pieces.ShouldAllBe(p => p.Length <= 2000 && p.EndsWith('.'));
        string.Join(' ', pieces).ShouldBe(sentences);

        var run = new string('x', 4500);
        MessageSplitter.Split(run, 2000).Select(p => p.Length).ShouldBe([2000, 2000, 500]);
        var emoji = string.Concat(Enumerable.Repeat("😀", 1500));
        MessageSplitter.Split(emoji, 2000).ShouldAllBe(p => !char.IsHighSurrogate(p[p.Length - 1]));
    }

    [Fact]
    public void Markdown_escaping_precedes_every_reserved_character_with_a_backslash()
    {
        TelegramMarkdown.Escape("**82C** at node_3 (gpu-3). Fix: [fan](x)! \\o/ #1 `cmd` a>b c=d {x|y} ~z + .")
            .ShouldBe(@"\*\*82C\*\* at node\_3 \(gpu\-3\)\. Fix: \[fan\]\(x\)\! \\o/ \#1 \`cmd\` a\>b c\=d \{x\|y\} \~z \+ \.");
        TelegramMarkdown.Escape("plain words").ShouldBe("plain words");
    }

    [Theory]
    [InlineData("/start", "start", "")]
    [InlineData("/link ABCD-EFGH", "link", "ABCD-EFGH")]
    [InlineData("/Link@continuum_bot  code42 ", "link", "code42")]
    [InlineData("/forget yes", "forget", "yes")]
    public void Commands_are_read_with_an_optional_bot_name_and_argument(string text, string name, string argument)
    {
        ChannelConversation.ParseCommand(text).ShouldBe((name, argument));
    }

    [Theory]
    [InlineData("what did we find?")]
    [InlineData("/ not a command")]
    [InlineData("/")]
    [InlineData("1/2 of the fans")]
    public void Plain_text_is_not_a_command(string text)
    {
        ChannelConversation.ParseCommand(text).ShouldBeNull();
    }

    [Fact]
    public void An_ed25519_signature_verifies_only_for_its_key_timestamp_and_body()
    {
        var keys = new DiscordKeys();
        var signature = new DiscordSignature(keys.PublicKeyHex);
        var body = "{\"type\":1}"u8.ToArray();
        var good = keys.Sign("1700000000", "{\"type\":1}");

        signature.Verify(good, "1700000000", body).ShouldBeTrue();
        signature.Verify(good, "1700000001", body).ShouldBeFalse();
        signature.Verify(good, "1700000000", "{\"type\":2}"u8.ToArray()).ShouldBeFalse();
        signature.Verify(new DiscordKeys().Sign("1700000000", "{\"type\":1}"), "1700000000", body).ShouldBeFalse();
        signature.Verify("not hex", "1700000000", body).ShouldBeFalse();
        signature.Verify(good, null, body).ShouldBeFalse();
    }

    [Fact]
    public void Slash_commands_read_as_the_chat_commands_they_stand_for()
    {
        DiscordCommandCatalog.ToText("ask", [new System.Text.Json.Nodes.JsonObject { ["name"] = "message", ["value"] = "what did we find?" }]).ShouldBe("what did we find?");
        DiscordCommandCatalog.ToText("link", [new System.Text.Json.Nodes.JsonObject { ["name"] = "code", ["value"] = "ABC" }]).ShouldBe("/link ABC");
        DiscordCommandCatalog.ToText("link", null).ShouldBe("/link");
        DiscordCommandCatalog.ToText("forget", [new System.Text.Json.Nodes.JsonObject { ["name"] = "confirm", ["value"] = true }]).ShouldBe("/forget yes");
        DiscordCommandCatalog.ToText("forget", [new System.Text.Json.Nodes.JsonObject { ["name"] = "confirm", ["value"] = false }]).ShouldBe("/forget");
        DiscordCommandCatalog.ToText("reset", null).ShouldBe("/reset");
        DiscordCommandCatalog.ToText("nope", null).ShouldBeNull();
        DiscordCommandCatalog.Definitions().Select(c => (string?)c!["name"]).ShouldBe(["ask", "start", "reset", "link", "continue", "memories", "forget"]);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_saying_what_to_set()
    {
        var options = new ChannelsOptions();
        options.Telegram.Token = "123:abc";
        options.Telegram.Mode = "webhook";
        options.Discord.PublicKey = "abc";
        options.RateLimit.Messages = 0;

        var problems = options.Problems();

        problems.ShouldContain(p => p.Contains("WebhookSecret", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("PublicKey must be", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("RateLimit:Messages", StringComparison.Ordinal));
        new ChannelsOptions().Problems().ShouldBeEmpty("no channel configured is fine");
    }
}
