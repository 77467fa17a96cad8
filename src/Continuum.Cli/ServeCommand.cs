using System.CommandLine;
using Continuum.Server;
using Microsoft.Extensions.Hosting;

namespace Continuum.Cli;

/// <summary><c>continuum serve</c>: runs the server.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => ContinuumServer.DefaultUrl };
        var postgres = new Option<string?>("--postgres") { Description = "Store everything in PostgreSQL at this connection string instead of the embedded SQLite file (several nodes can share it)." };
        var command = new Command("serve", "Run the Continuum server (REST API, OpenAPI, health) on the embedded SQLite store, or on PostgreSQL with --postgres. Further --Continuum:Key value pairs set configuration.")
        {
            urls, postgres,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CommandRunner.GuardAsync(async () =>
        {
            var args = new List<string> { "--urls", parse.GetValue(urls)! };
            if (parse.GetValue(CliOptions.Data) is { } data)
            {
                args.AddRange(["--Continuum:DataDirectory", data]);
            }

            if (parse.GetValue(postgres) is { } connectionString)
            {
                args.AddRange(["--Continuum:Storage:Provider", "postgres", "--Continuum:Storage:Postgres:ConnectionString", connectionString]);
            }

            args.AddRange(parse.UnmatchedTokens);
            var app = ContinuumServer.Build([.. args]);
            await using (app)
            {
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
                await app.StopAsync(CancellationToken.None);
            }
        }));
        return command;
    }
}
