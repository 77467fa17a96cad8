using Continuum.Errors;

namespace Continuum.AspNetCore;

internal static class RequestBody
{
    /// <summary>The body, or a 400 when the client sent JSON <c>null</c> or nothing.</summary>
    public static T Require<T>(T? body)
        where T : class =>
        body ?? throw new ValidationException("body", "is required: send a JSON object.");
}
