namespace Continuum.Web.Tests.Browser;

/// <summary>
/// Where the browser tests save their screenshots: <c>CONTINUUM_SCREENSHOTS</c> when set, else
/// <c>artifacts/screenshots/</c> under the repository (beside <c>Continuum.slnx</c>), else the test's output folder.
/// </summary>
public static class Screenshots
{
    private static readonly Lazy<string> Folder = new(Find);

    public static string Directory => Folder.Value;

    private static string Find()
    {
        var configured = Environment.GetEnvironmentVariable("CONTINUUM_SCREENSHOTS");
        var folder = configured is { Length: > 0 } ? Path.GetFullPath(configured) : DefaultFolder();
        System.IO.Directory.CreateDirectory(folder);
        return folder;
    }

    private static string DefaultFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Continuum.slnx")))
            {
                return Path.Combine(dir.FullName, "artifacts", "screenshots");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }
}
