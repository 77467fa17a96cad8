using System.Text.Json;
using Continuum.Errors;
using Continuum.Json;
using ModelContextProtocol;

namespace Continuum.Mcp;

/// <summary>What the tools share: JSON answers and errors a model can read.</summary>
internal static class Tool
{
    public static readonly JsonSerializerOptions Json = new(JsonDefaults.Options) { WriteIndented = false };

    /// <summary>Runs <paramref name="work"/>; Continuum's errors become tool errors that say what was wrong.</summary>
    public static async Task<string> RunAsync<T>(Func<Task<T>> work)
    {
        try
        {
            var result = await work();
            return result as string ?? JsonSerializer.Serialize(result, Json);
        }
        catch (ValidationException ex)
        {
            throw new McpException("Invalid arguments: " + string.Join("; ", ex.Errors.SelectMany(e => e.Value.Select(v => $"{e.Key} {v}"))));
        }
        catch (ContinuumException ex)
        {
            throw new McpException(ex.Message);
        }
        catch (HttpRequestException ex)
        {
            throw new McpException($"Cannot reach the Continuum server: {ex.Message}");
        }
    }
}
