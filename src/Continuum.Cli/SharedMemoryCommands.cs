using System.CommandLine;
using Continuum.Agents;

using static Continuum.Cli.AgentCommands;

namespace Continuum.Cli;

/// <summary>Shared memory's commands: <c>memory-set</c>, <c>memory-get</c>, <c>memory-search</c>, <c>memory-delete</c>.</summary>
internal static class SharedMemoryCommands
{
    public static IEnumerable<Command> Create() => [MemorySet(), MemoryGet(), MemorySearch(), MemoryDelete()];

    private static Command MemorySet()
    {
        var session = new Argument<string>("session") { Description = "The writing session." };
        var key = new Argument<string>("key") { Description = "The key." };
        var value = new Argument<string>("value") { Description = "The value: JSON, or plain text." };
        var type = new Option<string?>("--type") { Description = "state, fact, decision, task, context, note (default), config." };
        var tags = new Option<string?>("--tags") { Description = "Comma-separated tags." };
        var ttl = new Option<long?>("--ttl") { Description = "Seconds until it expires." };
        var expect = new Option<long?>("--expect-version") { Description = "Write only if the current version is this (0: only if absent)." };
        var command = new Command("memory-set", "Write a shared-memory entry (a new version).") { session, key, value, type, tags, ttl, expect, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var (entry, _) = await services.Get<ISharedMemory>().SetSharedAsync(parse.GetValue(NamespaceOption) ?? AgentNamespace.Default, parse.GetValue(key)!, new SharedWrite
            {
                SessionId = parse.GetValue(session),
                Value = ValueOf(parse.GetValue(value)!),
                Type = parse.GetValue(type),
                Tags = Split(parse.GetValue(tags)),
                TtlSeconds = parse.GetValue(ttl),
                ExpectedVersion = parse.GetValue(expect),
            }, cancellationToken);
            Print(json, entry, () => Console.Out.WriteLine($"Stored {entry.Namespace}/{entry.Key} version {entry.Version}."));
        });
        return command;
    }

    private static Command MemoryGet()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var all = new Option<bool>("--all") { Description = "Every version." };
        var command = new Command("memory-get", "Read a shared-memory entry.") { key, all, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var agents = services.Get<ISharedMemory>();
            var ns = parse.GetValue(NamespaceOption) ?? AgentNamespace.Default;
            List<SharedEntry> entries = parse.GetValue(all)
                ? await AllPagesAsync(cursor => agents.GetSharedVersionsAsync(ns, parse.GetValue(key)!, cursor: cursor, cancellationToken: cancellationToken))
                : [await agents.GetSharedAsync(ns, parse.GetValue(key)!, cancellationToken)];
            if (json)
            {
                Output.Json<object>(parse.GetValue(all) ? entries : entries[0]);
                return;
            }

            if (!parse.GetValue(all))
            {
                Console.Out.WriteLine($"Value: {Show(entries[0])}");
                return;
            }

            Entries(entries, versions: true);
        });
        return command;
    }

    private static Command MemorySearch()
    {
        var pattern = new Option<string?>("--pattern") { Description = "A glob over keys (task_*)." };
        var tags = new Option<string?>("--tags") { Description = "Comma-separated tags; entries must have all of them." };
        var session = new Option<string?>("--session") { Description = "Only entries written by this session." };
        var command = new Command("memory-search", "Find shared-memory entries.") { pattern, tags, session, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var shared = services.Get<ISharedMemory>();
            var entries = await AllPagesAsync(cursor => shared.SearchSharedAsync(parse.GetValue(NamespaceOption) ?? AgentNamespace.Default,
                new SharedQuery(parse.GetValue(pattern), Split(parse.GetValue(tags)), parse.GetValue(session), Cursor: cursor), cancellationToken));
            if (json)
            {
                Output.Json(entries);
                return;
            }

            Entries(entries, versions: false);
        });
        return command;
    }

    private static Command MemoryDelete()
    {
        var key = new Argument<string>("key") { Description = "The key." };
        var session = new Option<string?>("--session") { Description = "The deleting session." };
        var command = new Command("memory-delete", "Delete a shared-memory entry.") { key, session, NamespaceOption };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var deleted = await services.Get<ISharedMemory>().DeleteSharedAsync(parse.GetValue(NamespaceOption) ?? AgentNamespace.Default, parse.GetValue(key)!, parse.GetValue(session), cancellationToken);
            if (!deleted)
            {
                throw new Errors.NotFoundException("shared entry", parse.GetValue(key)!);
            }

            Print(json, new { deleted }, () => Console.Out.WriteLine("Deleted."));
        });
        return command;
    }
}
