using Microsoft.Playwright;

namespace Continuum.Web.Tests.Browser;

/// <summary>
/// A page in its own browser context, with what a test checks on every page: console errors and uncaught
/// exceptions, horizontal overflow, and a screenshot saved with the test results (<see cref="Screenshots"/>).
/// </summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    internal BrowserPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            // Chromium asks for /favicon.ico by itself on documents that name no icon (a JSON answer); the
            // dashboard's pages name theirs.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico:", StringComparison.Ordinal))
            {
                Record($"console error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Record($"uncaught: {error}");
        page.RequestFailed += (_, request) =>
        {
            // A navigation away cancels requests in flight; that is no fault of the page.
            if (request.Failure is { } failure && !failure.Contains("ERR_ABORTED", StringComparison.Ordinal))
            {
                Record($"request failed: {request.Url} {failure}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The console errors, uncaught exceptions and failed requests seen so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Navigates to <paramref name="path"/> (relative to the server) and requires a 200 answer.</summary>
    public async Task<IResponse> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        response.ShouldNotBeNull($"{path} answered");
        response.Status.ShouldBe(200, $"{path} answered {response.Status}");
        return response;
    }

    /// <summary>Fails the test when the page logged an error, threw, or a request failed.</summary>
    public void ShouldHaveNoErrors() => Errors.ShouldBeEmpty(string.Join(Environment.NewLine, Errors));

    /// <summary>Fails when the document or any element in it is wider than its box lets the page scroll sideways.</summary>
    public async Task ShouldNotOverflowHorizontallyAsync()
    {
        var widths = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], $"the page scrolls sideways at {Page.ViewportSize?.Width} px: scrollWidth {widths[0]} > clientWidth {widths[1]}");
    }

    /// <summary>Saves a full-page screenshot as <c>{name}.png</c> in <see cref="Screenshots.Directory"/>; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Screenshots.Directory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private void Record(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
