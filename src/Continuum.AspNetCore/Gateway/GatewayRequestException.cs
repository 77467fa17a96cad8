namespace Continuum.AspNetCore.Gateway;

/// <summary>A request the gateway refuses, answered in OpenAI's error shape.</summary>
internal sealed class GatewayRequestException(int status, string message, string? code, string? param = null) : Exception(message)
{
    public int Status { get; } = status;

    public string? Code { get; } = code;

    public string? Param { get; } = param;
}
