using System.Text.Json;
using Continuum.Json;

namespace Continuum.Client;

/// <summary>One item of the live stream: a hub message, a session event or a shared-memory version, with its topic's cursor.</summary>
/// <param name="Type"><c>message</c>, <c>event</c> or <c>memory</c>.</param>
/// <param name="Topic">The topic it came on (<c>inbox:SESSION</c>, <c>session:SESSION</c>, <c>memory:NAMESPACE</c>).</param>
/// <param name="Cursor">Its position in the topic: where a reconnecting client resumes.</param>
/// <param name="Data">The item itself, as the REST API shows it.</param>
public sealed record StreamItem(string Type, string Topic, long Cursor, JsonElement Data)
{
    /// <summary>The item read as <typeparamref name="T"/> (<c>HubMessage</c>, <c>SessionEvent</c> or <c>SharedEntry</c>).</summary>
    public T As<T>() => Data.Deserialize<T>(JsonDefaults.Options)
        ?? throw new JsonException($"The {Type} item on {Topic} has no data.");
}
