using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Continuum.AspNetCore.Gateway;

/// <summary>Errors in OpenAI's shape (<c>{"error": {"message", "type", "param", "code"}}</c>), which OpenAI clients parse.</summary>
internal static class OpenAIError
{
    public static JsonObject Body(string message, string type, string? code, string? param = null) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = param,
            ["code"] = code,
        },
    };

    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? code, string? param = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Body(message, type, code, param).ToJsonString(), context.RequestAborted);
    }

    /// <summary>The gateway's error code for one of Continuum's problem types (the gateway's own where it has one).</summary>
    public static string CodeFor(string problemType) => problemType switch
    {
        "malformed-request" => "invalid_json",
        "unsupported-media-type" => "unsupported_media_type",
        _ => problemType,
    };

    /// <summary>The OpenAI error type for a status.</summary>
    public static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        409 => "conflict_error",
        413 => "invalid_request_error",
        429 => "rate_limit_error",
        504 => "timeout_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
