using System.Runtime.InteropServices;

namespace Continuum.Embeddings.Local;

/// <summary>ONNX Runtime's telemetry opt-out, set in the native process environment before the runtime starts.</summary>
internal static partial class TelemetrySwitch
{
    // Both spellings the runtime has read across releases.
    private static readonly string[] Variables = ["ORT_DISABLE_TELEMETRY", "ORT_TELEMETRY_DISABLED"];

    /// <summary>Sets the opt-out variables (unless the operator set them already) for this process and its native code.</summary>
    public static void Off()
    {
        foreach (var name in Variables)
        {
            Environment.SetEnvironmentVariable(name, Environment.GetEnvironmentVariable(name) ?? "1");
            if (!OperatingSystem.IsWindows())
            {
                _ = SetNative(name, "1", overwrite: 0);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetNative(string name, string value, int overwrite);
}
