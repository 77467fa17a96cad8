using Continuum.Context;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Storage.Sqlite;
using Continuum.Tokens;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Context;

public sealed class ContextBudgetPropertyTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "continuum-prop-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddContinuum().UseSqlite(Path.Combine(_directory, "continuum.db"));
        _provider = services.BuildServiceProvider();
        await _provider.GetRequiredService<IStoreMigrator>().MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_context_never_exceeds_its_budget_over_random_sessions_and_budgets()
    {
        var sessions = _provider.GetRequiredService<ISessionService>();
        var context = _provider.GetRequiredService<IContextService>();
        var tokens = _provider.GetRequiredService<ITokenCounter>();
        var random = new Random(20261123);
        var words = "the GPU on gpu-3 reads 82C after Ann restarted gateway then waited 30s; we decided to replace fan B7 at /etc/fans.conf? ok".Split(' ');
        string[] roles = ["user", "assistant", "system", "tool"];

        for (var round = 0; round < 40; round++)
        {
            var opened = await sessions.OpenAsync(new OpenSessionRequest
            {
                Identity = new IdentityRef { Interface = "api", ExternalUserId = $"prop-{round % 5}" },
                Interface = "api",
                Mode = "new",
                TokenLimit = random.Next(100, 3000),
            });
            var id = opened.Session.Id;
            var count = random.Next(0, 120);
            var batch = new List<NewEvent>();
            for (var i = 0; i < count; i++)
            {
                var length = random.Next(1, random.Next(2) == 0 ? 20 : 400);
                var content = string.Join(' ', Enumerable.Range(0, length).Select(_ => words[random.Next(words.Length)]));
                var role = roles[random.Next(roles.Length)];
                batch.Add(new NewEvent { Role = role, Content = content, Type = role == "tool" ? "tool_result" : "message" });
            }

            if (batch.Count > 0)
            {
                await sessions.AppendBatchAsync(id, batch);
            }

            if (random.Next(3) == 0)
            {
                await context.SummarizeAsync(id);
            }

            if (random.Next(3) == 0)
            {
                id = (await sessions.ContinueAsync(id, new ContinueRequest { Interface = "cli" })).Id;
                await sessions.AppendAsync(id, new NewEvent { Content = "what did we find?" });
            }

            foreach (var budget in new[] { 1, 5, random.Next(1, 50), random.Next(50, 500), random.Next(500, 5000) })
            {
                var built = await context.BuildAsync(id, "what did we find?", budget);
                built.Tokens.Total.ShouldBeLessThanOrEqualTo(budget, $"round {round}, budget {budget}");
                tokens.Count(built.Prompt).ShouldBe(built.Tokens.Total);
                (built.Tokens.CarriedOver + built.Tokens.Summaries + built.Tokens.Entities + built.Tokens.Memories + built.Tokens.Recent)
                    .ShouldBeLessThanOrEqualTo(budget + 8, "the parts add up to about the whole");
                built.Recent.Select(e => e.Seq).ShouldBeInOrder(SortDirection.Ascending);
            }
        }
    }
}
