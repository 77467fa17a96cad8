using Microsoft.Playwright;

namespace Continuum.Web.Tests.Browser;

/// <summary>
/// One headless Chromium for the test process: Debian's <c>/usr/bin/chromium</c> (or <c>CONTINUUM_CHROMIUM</c>)
/// driven by Playwright's driver, which ships inside the package and runs offline. Playwright never downloads a
/// browser here. Each test opens its own context (<see cref="OpenAsync"/>), so tests share no cookies or storage.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>The browser used when <c>CONTINUUM_CHROMIUM</c> names none.</summary>
    public const string DefaultExecutable = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The running browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    /// <summary>The browser binary in use.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("CONTINUUM_CHROMIUM") is { Length: > 0 } path ? path : DefaultExecutable;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"Chromium is needed at {Executable} (bash scripts/test-dependencies.sh installs Debian's chromium), or set CONTINUUM_CHROMIUM.");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Shared memory is small in containers; a crashed renderer would look like a failing page.
            Args = ["--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    /// <summary>
    /// Opens a page in a fresh context <paramref name="width"/> by <paramref name="height"/> CSS pixels wide, whose
    /// console errors and uncaught exceptions are recorded.
    /// </summary>
    public async Task<BrowserPage> OpenAsync(Uri baseAddress, int width = 1280, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserPage(context, page);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
