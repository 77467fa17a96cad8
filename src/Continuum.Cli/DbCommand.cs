using System.CommandLine;
using Continuum.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary><c>continuum db migrate</c>.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Bring the data directory's database schema up to date.");
        migrate.SetAction((parse, cancellationToken) => CommandRunner.GuardAsync(async () =>
        {
            var provider = CliServices.BuildInProcess(parse.GetValue(CliOptions.Data));
            await using (provider)
            {
                var report = await provider.GetRequiredService<IStoreMigrator>().MigrateAsync(cancellationToken);
                if (parse.GetValue(CliOptions.Json))
                {
                    Output.Json(report);
                    return;
                }

                AnsiConsole.MarkupLine($"{Markup.Escape(report.Store)}: schema version {report.FromVersion} -> {report.ToVersion}");
                foreach (var applied in report.Applied)
                {
                    AnsiConsole.MarkupLine($"  applied {Markup.Escape(applied)}");
                }
            }
        }));
        return new Command("db", "Database administration.") { migrate };
    }
}
