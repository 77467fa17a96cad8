using Continuum.ModelProviders;
using Continuum.Server.Tests.Context;
using Continuum.Server.Tests.Memory;
using Microsoft.Extensions.AI;

namespace Continuum.Server.Tests.ModelProviders;

public sealed class OpenAICompatibleModelsTests
{
    [Fact]
    public async Task The_chat_client_sends_the_key_from_the_named_environment_variable_and_returns_the_answer()
    {
        await using var model = await FakeChatModel.StartAsync();
        var variable = "CONTINUUM_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-from-the-environment");
        try
        {
            using var client = OpenAICompatibleModels.CreateChatClient(new ChatModelOptions { Endpoint = model.Endpoint, Model = "fake-model", ApiKeyEnvironmentVariable = variable })!;

            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Summarize."), new ChatMessage(ChatRole.User, "GPU temp is 82C\nsecond line")]);

            response.Text.ShouldBe("- MODEL SUMMARY: GPU temp is 82C");
            model.Prompts.ShouldBe(["GPU temp is 82C\nsecond line"]);
            model.Authorizations.ShouldBe(["Bearer sk-from-the-environment"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_failing_chat_model_fails_the_call_after_one_request_without_retrying()
    {
        await using var model = await FakeChatModel.StartAsync();
        model.Mode = "fail";
        using var client = OpenAICompatibleModels.CreateChatClient(new ChatModelOptions { Endpoint = model.Endpoint, Model = "fake-model" })!;

        await Should.ThrowAsync<System.ClientModel.ClientResultException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]));

        model.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_chat_model_slower_than_the_timeout_fails_the_call_in_time()
    {
        await using var model = await FakeChatModel.StartAsync();
        model.Mode = "slow";
        using var client = OpenAICompatibleModels.CreateChatClient(new ChatModelOptions { Endpoint = model.Endpoint, Model = "fake-model", Timeout = TimeSpan.FromMilliseconds(500) })!;
        var timer = System.Diagnostics.Stopwatch.StartNew();

        await Should.ThrowAsync<Exception>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]));

        timer.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task The_embedding_generator_returns_one_vector_per_text_in_order()
    {
        await using var model = await FakeEmbeddingModel.StartAsync();
        using var generator = OpenAICompatibleModels.CreateEmbeddingGenerator(new EmbeddingModelOptions { Endpoint = model.Endpoint, Model = "fake-embed" })!;
        string[] texts = ["a new car last Saturday", "the kitchen sink is leaking", "dentist on Thursday"];

        var embeddings = await generator.GenerateAsync(texts);

        embeddings.Count.ShouldBe(3);
        for (var i = 0; i < texts.Length; i++)
        {
            embeddings[i].Vector.ToArray().ShouldBe(FakeEmbeddingModel.Embed(texts[i]));
        }

        model.Texts.ShouldBe(3);
    }

    [Fact]
    public async Task An_embeddings_answer_with_fewer_vectors_than_texts_fails_the_call()
    {
        await using var model = await FakeEmbeddingModel.StartAsync();
        model.DropsLastVector = true;
        using var generator = OpenAICompatibleModels.CreateEmbeddingGenerator(new EmbeddingModelOptions { Endpoint = model.Endpoint, Model = "fake-embed" })!;

        var error = await Should.ThrowAsync<InvalidOperationException>(() => generator.GenerateAsync(["one text", "another text"]));

        error.Message.ShouldContain("1 vectors for 2 texts");
    }

    [Fact]
    public void Without_an_endpoint_and_a_model_no_client_is_built()
    {
        OpenAICompatibleModels.CreateChatClient(new ChatModelOptions { Endpoint = "http://127.0.0.1:1/v1" }).ShouldBeNull();
        OpenAICompatibleModels.CreateEmbeddingGenerator(new EmbeddingModelOptions { Model = "fake-embed" }).ShouldBeNull();
    }
}
