using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Continuum.Security;
using Continuum.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Security;

/// <summary>Requests to a server with one API key (or none, or any Authorization header at all).</summary>
public sealed class KeyedClient(ApiServer server, string? authorization)
{
    public string? Authorization { get; } = authorization;

    /// <summary>Makes a key in-process, as <c>continuum keys create</c> does on the data directory.</summary>
    public static async Task<CreatedApiKey> CreateKeyAsync(ApiServer server, string tenant, string scopes, string? userId = null, string? ns = null, DateTimeOffset? expiresAt = null)
    {
        using (CallerContext.Use(Caller.Local(tenant)))
        {
            return await server.Services.GetRequiredService<IApiKeyService>()
                .CreateAsync(new NewApiKey(ApiScopes.Parse([scopes]), "test", userId, ns, expiresAt));
        }
    }

    public static async Task<KeyedClient> WithNewKeyAsync(ApiServer server, string tenant, string scopes, string? userId = null, string? ns = null) =>
        new(server, "Bearer " + (await CreateKeyAsync(server, tenant, scopes, userId, ns)).Secret);

    public async Task<Reply> SendAsync(HttpMethod method, string path, object? body = null, IEnumerable<(string Name, string Value)>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }

        if (Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        LastHeaders = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>The headers of the last answer.</summary>
    public IReadOnlyDictionary<string, string> LastHeaders { get; private set; } = new Dictionary<string, string>();

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public async Task<JsonObject> OkAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var reply = await SendAsync(method, path, body);
        reply.Status.ShouldBe(expected, $"{method} {path}: {reply.Text}");
        return reply.Json;
    }
}
