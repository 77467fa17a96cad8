using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Continuum.Errors;
using Continuum.Json;
using Continuum.Security;
using Continuum.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Continuum.Cli;

/// <summary>
/// <c>continuum keys create|list|revoke</c>: in-process on the data directory by default (so the first admin key
/// needs no server), or against <c>--server</c> with an admin key (<c>--key</c> or <c>CONTINUUM_KEY</c>).
/// </summary>
internal static class KeysCommand
{
    private static readonly Option<string?> Tenant = new("--tenant") { Description = "The tenant (in-process only; default: Continuum:DefaultTenant). Against a server, the key's own tenant." };

    public static Command Create() => new("keys", "API keys: a secret shown once, stored as a hash, with a tenant, scopes and an optional binding.")
    {
        CreateKey(), List(), Revoke(),
    };

    private static Command CreateKey()
    {
        var scopes = new Option<string>("--scopes") { Description = "Comma-separated scopes: read, write, admin.", Required = true };
        var user = new Option<string?>("--user") { Description = "Bind the key to one user: it sees and writes only that user's data." };
        var ns = new Option<string?>("--namespace") { Description = "Bind the key to one agent namespace." };
        var name = new Option<string?>("--name") { Description = "A label for people." };
        var expires = new Option<string?>("--expires") { Description = "When the key stops working: a time (2027-01-31T00:00:00Z) or a span from now (30d, 12h)." };
        var command = new Command("create", "Make a key; its secret is printed once (with --json, as JSON for scripts).") { Tenant, scopes, user, ns, name, expires };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var request = new NewApiKey(
                ApiScopes.Parse([parse.GetValue(scopes)!]),
                parse.GetValue(name),
                parse.GetValue(user),
                parse.GetValue(ns),
                Expiry(parse.GetValue(expires)));
            var created = services.Http is { } http
                ? await SendAsync<CreatedApiKey>(http, HttpMethod.Post, "api/keys", TenantOnServer(parse), request, cancellationToken)
                : await InProcessAsync(services, parse, keys => keys.CreateAsync(request, cancellationToken));
            if (json)
            {
                Output.Json(created);
                return;
            }

            Print(created.Key);
            AnsiConsole.MarkupLine("Secret (shown once, keep it safe):");
            Console.Out.WriteLine(created.Secret);
            AnsiConsole.MarkupLine("Send it as [grey]Authorization: Bearer SECRET[/], or to the CLI as [grey]--key SECRET[/] / CONTINUUM_KEY.");
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "The tenant's keys (never their secrets).") { Tenant };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var keys = new List<ApiKey>();
            string? cursor = null;
            do
            {
                var page = services.Http is { } http
                    ? await SendAsync<KeyPage>(http, HttpMethod.Get, "api/keys?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), TenantOnServer(parse), null, cancellationToken)
                    : await InProcessAsync(services, parse, async k => KeyPage.Of(await k.ListAsync(500, cursor, cancellationToken)));
                keys.AddRange(page.Keys);
                cursor = page.Next;
            }
            while (cursor is not null);

            if (json)
            {
                Output.Json(keys);
                return;
            }

            if (keys.Count == 0)
            {
                AnsiConsole.MarkupLine("No keys.");
                return;
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var k in keys)
            {
                // One line a key, never wrapped, so that an id or a prefix can be copied whole.
                Console.Out.WriteLine(string.Join("  ",
                    k.Id, k.Prefix + "…", string.Join(',', k.Scopes), Status(k, now), "created " + Output.Time(k.CreatedAt),
                    "last used " + (k.LastUsedAt is { } used ? Output.Time(used) : "never"), Binding(k) is { Length: > 0 } bound ? "bound to " + bound : "", k.Name ?? "").TrimEnd());
            }
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("key-id") { Description = "The key's id (key_…)." };
        var command = new Command("revoke", "Revoke a key: every node refuses it within one second.") { id, Tenant };
        command.Run(async (parse, services, json, cancellationToken) =>
        {
            var keyId = parse.GetValue(id)!;
            var revoked = services.Http is { } http
                ? await SendAsync<ApiKey>(http, HttpMethod.Delete, "api/keys/" + Uri.EscapeDataString(keyId), TenantOnServer(parse), null, cancellationToken)
                : await InProcessAsync(services, parse, keys => keys.RevokeAsync(keyId, cancellationToken));
            if (json)
            {
                Output.Json(revoked);
                return;
            }

            AnsiConsole.MarkupLine($"Revoked {Markup.Escape(revoked.Id)} ({Markup.Escape(revoked.Prefix)}…).");
        });
        return command;
    }

    // In-process the command acts as a local admin of the tenant it names.
    private static async Task<T> InProcessAsync<T>(CliServices services, ParseResult parse, Func<IApiKeyService, Task<T>> call)
    {
        var tenant = parse.GetValue(Tenant) ?? services.Get<IServiceProvider>().GetRequiredService<IOptions<ContinuumOptions>>().Value.DefaultTenant;
        if (tenant.Length is 0 or > 128 || tenant.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new CliUsageException($"--tenant '{tenant}' must be 1 to 128 letters, digits, '-', '_' or '.'.");
        }

        using (CallerContext.Use(Caller.Local(tenant)))
        {
            return await call(services.Get<IApiKeyService>());
        }
    }

    private static string? TenantOnServer(ParseResult parse) => parse.GetValue(Tenant);

    private static async Task<T> SendAsync<T>(HttpClient http, HttpMethod method, string path, string? tenant, object? body, CancellationToken cancellationToken)
    {
        if (tenant is not null)
        {
            throw new CliUsageException("--tenant works in-process only: against a server, keys are made in the admin key's own tenant.");
        }

        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonDefaults.Options);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = text;
            try
            {
                using var problem = JsonDocument.Parse(text);
                detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
            }
            catch (JsonException)
            {
                // Not a problem document: the raw answer says what went wrong.
            }

            var status = (int)response.StatusCode;
            throw new ContinuumException("http-" + status.ToString(CultureInfo.InvariantCulture), status, $"{status} from the server: {detail}");
        }

        return JsonSerializer.Deserialize<T>(text, JsonDefaults.Options) ?? throw new ContinuumException("bad-answer", 502, "The server sent an empty answer.");
    }

    private static DateTimeOffset? Expiry(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (value.Length > 1 && char.ToLowerInvariant(value[^1]) is 'd' or 'h' or 'm' && int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            var span = char.ToLowerInvariant(value[^1]) switch { 'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), _ => TimeSpan.FromMinutes(n) };
            return DateTimeOffset.UtcNow.Add(span);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : throw new CliUsageException($"--expires '{value}' is neither a time (2027-01-31T00:00:00Z) nor a span (30d, 12h, 90m).");
    }

    private static void Print(ApiKey key)
    {
        AnsiConsole.MarkupLine($"Key [bold]{Markup.Escape(key.Id)}[/] ({Markup.Escape(key.Prefix)}…) in tenant {Markup.Escape(key.TenantId)}, scopes {string.Join(',', key.Scopes)}" +
            (Binding(key) is { Length: > 0 } bound ? $", bound to {Markup.Escape(bound)}" : "") +
            (key.ExpiresAt is { } expires ? $", expires {Output.Time(expires)}" : "") + ".");
    }

    private static string Binding(ApiKey key) => key.UserId is { } user ? "user " + user : key.AgentNamespace is { } ns ? "namespace " + ns : "";

    private static string Status(ApiKey key, DateTimeOffset now) => key.RevokedAt is not null ? "revoked" : key.IsActive(now) ? "active" : "expired";

    private sealed record KeyPage(IReadOnlyList<ApiKey> Keys, string? Next)
    {
        public static KeyPage Of(Page<ApiKey> page) => new(page.Items, page.Next);
    }
}
