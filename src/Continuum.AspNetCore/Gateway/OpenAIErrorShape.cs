namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// Route metadata saying that the route's errors are written in OpenAI's shape, not as problem details, because the
/// clients that call it parse that shape; the exception handler and the body check read it.
/// </summary>
internal sealed class OpenAIErrorShape
{
    public static readonly OpenAIErrorShape Instance = new();

    private OpenAIErrorShape()
    {
    }
}
