using Continuum.Server;

await ContinuumServer.Build(args).RunAsync();
