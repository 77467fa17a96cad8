using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Continuum.Chat;
using Continuum.Client;
using Continuum.Context;
using Continuum.Memory;
using Continuum.Search;
using Continuum.Sessions;
using Continuum.Storage;
using Continuum.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Cli;

/// <summary>
/// <c>continuum chat [--user] [--session] [--interface] [--model]</c>: a terminal chat on the user's shared session,
/// answers streamed as they come. Against a server (<c>--server</c>, or the local server at
/// <c>http://127.0.0.1:5080</c> when one answers and no <c>--data</c> is given) it talks to the gateway
/// (<c>/v1/chat/completions</c>); otherwise it answers in-process on the data directory. Lines read from stdin, so it
/// works piped; lines starting with <c>/</c> are commands.
/// </summary>
internal static class ChatCommand
{
    /// <summary>The server tried when none is named.</summary>
    public const string LocalServer = "http://127.0.0.1:5080/";

    private const string Help = """
        /new            start a new session for this user
        /continue       continue this session in a new one (carrying its context over)
        /link [CODE]    without a code: show a code to link another interface; with one: link this identity to it
        /memories       the user's long-term memories
        /context        what a model receives for this session now
        /search TEXT    search the user's history
        /quit           leave
        """;

    public static Command Create()
    {
        var user = new Option<string?>("--user") { Description = "Your user name on this interface (default: the OS user name); the user's active session is resumed." };
        var session = new Option<string?>("--session") { Description = "Chat in this session instead of the user's active one." };
        var iface = new Option<string>("--interface") { Description = "The interface name recorded with the messages.", DefaultValueFactory = _ => "cli" };
        var model = new Option<string>("--model") { Description = "The model to ask through the gateway (default: the server's chat model).", DefaultValueFactory = _ => "continuum" };
        var command = new Command("chat", "Chat in the terminal on your shared session, with streamed answers (through the gateway, or in-process).") { user, session, iface, model };
        command.SetAction(async (parse, cancellationToken) => await CommandRunner.GuardAsync(async () =>
        {
            var server = await ServerAsync(parse, cancellationToken).ConfigureAwait(false);
            var chat = new Chat(parse.GetValue(iface)!, parse.GetValue(model)!, parse.GetValue(user) ?? Environment.UserName);
            await using (chat.ConfigureAwait(false))
            {
                await chat.StartAsync(server, parse.GetValue(CliOptions.Data), parse.GetValue(session), cancellationToken).ConfigureAwait(false);
                await chat.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }));
        return command;
    }

    private static async Task<Uri?> ServerAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var named = parse.GetValue(CliOptions.Server) ?? Environment.GetEnvironmentVariable("CONTINUUM_SERVER");
        if (!string.IsNullOrWhiteSpace(named))
        {
            return Uri.TryCreate(named.EndsWith('/') ? named : named + "/", UriKind.Absolute, out var address)
                ? address
                : throw new CliUsageException($"--server '{named}' is not a URL (e.g. http://127.0.0.1:5080).");
        }

        if (parse.GetValue(CliOptions.Data) is not null || Environment.GetEnvironmentVariable("CONTINUUM_DATA") is { Length: > 0 })
        {
            return null;
        }

        // No server named and no data directory: the local server when it runs, so the chat shares its sessions.
        using var probe = new HttpClient { Timeout = TimeSpan.FromMilliseconds(700) };
        try
        {
            using var response = await probe.GetAsync(new Uri(LocalServer + "health"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? new Uri(LocalServer) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private sealed class Chat(string iface, string model, string userName) : IAsyncDisposable
    {
        private readonly List<JsonObject> _history = [];
        private HttpClient? _http;
        private ServiceProvider? _provider;
        private ISessionService _sessions = null!;
        private IIdentityService _identities = null!;
        private IContextService _context = null!;
        private IMemoryService _memories = null!;
        private ISearchService _search = null!;
        private IChatTurns? _turns;
        private Session? _session;
        private string _via = "";

        public async Task StartAsync(Uri? server, string? data, string? sessionId, CancellationToken cancellationToken)
        {
            if (server is not null)
            {
                _http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
                var client = new ContinuumClient(_http);
                (_sessions, _identities, _context, _memories, _search) = (client, client, client, client, client);
            }
            else
            {
                _provider = CliServices.BuildInProcess(data);
                await _provider.GetRequiredService<IStoreMigrator>().MigrateAsync(cancellationToken).ConfigureAwait(false);
                _sessions = _provider.GetRequiredService<ISessionService>();
                _identities = _provider.GetRequiredService<IIdentityService>();
                _context = _provider.GetRequiredService<IContextService>();
                _memories = _provider.GetRequiredService<IMemoryService>();
                _search = _provider.GetRequiredService<ISearchService>();
                _turns = _provider.GetRequiredService<IChatTurns>();
            }

            _via = server is null ? "in-process" : "via " + server;
            if (sessionId is not null)
            {
                _session = await _sessions.GetAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw new CliUsageException($"There is no session '{sessionId}'.");
                Console.Error.WriteLine($"Session {_session.Id} ({_via}). /help lists the commands.");
            }
        }

        // Opened at the first message that needs it, so a /link first joins the linked user's session instead of
        // leaving a fresh one behind as the most recent.
        private async Task<Session> SessionAsync(CancellationToken cancellationToken)
        {
            if (_session is null)
            {
                _session = await OpenAsync("resume", cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"Session {_session.Id} ({_via}). /help lists the commands.");
            }

            return _session;
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (!Console.IsInputRedirected)
                {
                    Console.Out.Write("> ");
                }

                var line = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    return;
                }

                line = line.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith('/'))
                {
                    if (!await CommandAsync(line, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                await AnswerAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<Session> OpenAsync(string mode, CancellationToken cancellationToken) =>
            (await _sessions.OpenAsync(new OpenSessionRequest
            {
                Identity = new IdentityRef { Interface = iface, ExternalUserId = userName },
                Interface = iface,
                Mode = mode,
            }, cancellationToken).ConfigureAwait(false)).Session;

        private async Task<bool> CommandAsync(string line, CancellationToken cancellationToken)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var name = space < 0 ? line : line[..space];
            var argument = space < 0 ? "" : line[(space + 1)..].Trim();
            try
            {
                switch (name)
                {
                    case "/quit" or "/exit":
                        return false;
                    case "/help":
                        Console.Out.WriteLine(Help);
                        break;
                    case "/new":
                        _session = await OpenAsync("new", cancellationToken).ConfigureAwait(false);
                        _history.Clear();
                        Console.Out.WriteLine($"New session {_session.Id}.");
                        break;
                    case "/continue":
                        _session = await _sessions.ContinueAsync((await SessionAsync(cancellationToken).ConfigureAwait(false)).Id, new ContinueRequest { Interface = iface }, cancellationToken).ConfigureAwait(false);
                        _history.Clear();
                        Console.Out.WriteLine($"Continued in session {_session.Id}.");
                        break;
                    case "/link" when argument.Length == 0:
                        var code = await _identities.CreateLinkCodeAsync(await UserIdAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                        Console.Out.WriteLine($"Link code {code.Code} (valid until {code.ExpiresAt.ToLocalTime():HH:mm}): type /link {code.Code} on the other interface.");
                        break;
                    case "/link":
                        var linked = await _identities.LinkAsync(new LinkRequest { Code = argument, Identity = new IdentityRef { Interface = iface, ExternalUserId = userName } }, cancellationToken).ConfigureAwait(false);
                        _session = await OpenAsync("resume", cancellationToken).ConfigureAwait(false);
                        _history.Clear();
                        Console.Out.WriteLine($"Linked to user {linked.Id}; now in session {_session.Id}.");
                        break;
                    case "/memories":
                        var page = await _memories.ListAsync(new MemoryQuery { UserId = await UserIdAsync(cancellationToken).ConfigureAwait(false) }, cancellationToken).ConfigureAwait(false);
                        Console.Out.WriteLine(page.Items.Count == 0 ? "No memories yet." : string.Join('\n', page.Items.Select(m => $"- [{m.Kind}] {m.Content}")));
                        break;
                    case "/context":
                        var context = await _context.BuildAsync((await SessionAsync(cancellationToken).ConfigureAwait(false)).Id, argument.Length == 0 ? null : argument, cancellationToken: cancellationToken).ConfigureAwait(false);
                        Console.Out.WriteLine($"{context.Tokens.Total.ToString(CultureInfo.InvariantCulture)} of {context.Budget.ToString(CultureInfo.InvariantCulture)} tokens:");
                        Console.Out.WriteLine(context.Prompt);
                        break;
                    case "/search" when argument.Length > 0:
                        var found = await _search.SearchAsync(new SearchRequest { Query = argument, UserId = await UserIdAsync(cancellationToken).ConfigureAwait(false), Limit = 10 }, cancellationToken).ConfigureAwait(false);
                        var shown = found.Results.Where(r => r.Role != EventRole.System).ToList();
                        Console.Out.WriteLine(shown.Count == 0 ? "Nothing found." : string.Join('\n', shown.Select(r => $"- [{r.Kind}] {r.Content.ReplaceLineEndings(" ")}")));
                        break;
                    default:
                        Console.Out.WriteLine("Unknown command. " + Help);
                        break;
                }
            }
            catch (Errors.ContinuumException ex) when (ex.StatusCode is >= 400 and < 500)
            {
                Console.Error.WriteLine("error: " + ex.Message);
            }

            return true;
        }

        private async Task<string> UserIdAsync(CancellationToken cancellationToken) =>
            _session?.UserId ?? (await _identities.ResolveAsync(new IdentityRef { Interface = iface, ExternalUserId = userName }, cancellationToken).ConfigureAwait(false)).Id;

        private async Task AnswerAsync(string text, CancellationToken cancellationToken)
        {
            var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
            if (_turns is not null)
            {
                await foreach (var update in _turns.AnswerStreamingAsync(new ChatTurnRequest(session.Id, text), cancellationToken).ConfigureAwait(false))
                {
                    Console.Out.Write(update.Text);
                    await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                Console.Out.WriteLine();
                return;
            }

            _history.Add(new JsonObject { ["role"] = "user", ["content"] = text });
            var body = new JsonObject
            {
                ["model"] = model,
                ["stream"] = true,
                ["messages"] = new JsonArray([.. _history.Select(m => m.DeepClone())]),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Continuum-Session", session.Id);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                _history.RemoveAt(_history.Count - 1);
                Console.Error.WriteLine("error: " + ErrorMessage(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), (int)response.StatusCode));
                return;
            }

            var answer = new StringBuilder();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var data = line[5..].Trim();
                if (data == "[DONE]")
                {
                    break;
                }

                var chunk = JsonNode.Parse(data);
                if (chunk?["error"] is JsonObject error)
                {
                    Console.Error.WriteLine("error: " + (string?)error["message"]);
                    break;
                }

                if (chunk?["choices"]?[0]?["delta"]?["content"] is JsonValue piece && piece.TryGetValue<string>(out var textPiece))
                {
                    answer.Append(textPiece);
                    Console.Out.Write(textPiece);
                    await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            Console.Out.WriteLine();
            _history.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer.ToString() });
        }

        private static string ErrorMessage(string body, int status)
        {
            try
            {
                return JsonNode.Parse(body)?["error"]?["message"]?.GetValue<string>() ?? $"HTTP {status}";
            }
            catch (JsonException)
            {
                return $"HTTP {status}";
            }
        }

        public async ValueTask DisposeAsync()
        {
            _http?.Dispose();
            if (_provider is not null)
            {
                await _provider.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
