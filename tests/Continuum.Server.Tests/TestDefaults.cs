using System.Runtime.CompilerServices;

namespace Continuum.Server.Tests;

/// <summary>
/// The servers, CLIs and MCP hosts these tests start run without the embedded embedding model unless a test asks
/// for one: every child process inherits this variable, and in-process hosts read it too. The model's own tests
/// choose it explicitly.
/// </summary>
internal static class TestDefaults
{
    [ModuleInitializer]
    internal static void NoEmbeddingModel()
    {
        if (Environment.GetEnvironmentVariable("Continuum__Models__Embeddings__Provider") is null)
        {
            Environment.SetEnvironmentVariable("Continuum__Models__Embeddings__Provider", "none");
        }
    }
}
