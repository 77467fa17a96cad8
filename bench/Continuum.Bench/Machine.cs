using System.Runtime;
using System.Runtime.InteropServices;

namespace Continuum.Bench;

/// <summary>What the figures were measured on.</summary>
internal static class Machine
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} logical cores ({CpuModel()}), {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, " +
        $"{RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC";

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The file system holding <paramref name="path"/> (Linux: from /proc/mounts), for the record.</summary>
    public static string FileSystem(string path)
    {
        try
        {
            if (!File.Exists("/proc/mounts"))
            {
                return "unknown file system";
            }

            var full = Path.GetFullPath(path);
            var best = File.ReadLines("/proc/mounts")
                .Select(l => l.Split(' '))
                .Where(f => f.Length >= 3 && IsUnder(full, f[1]))
                .MaxBy(f => f[1].Length);
            return best is null ? "unknown file system" : $"{best[2]} on {best[0]}";
        }
        catch (IOException)
        {
            return "unknown file system";
        }
    }

    private static bool IsUnder(string path, string mount) =>
        mount == "/" || path == mount || path.StartsWith(mount + "/", StringComparison.Ordinal);
}
