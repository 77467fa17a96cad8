using System.Diagnostics;

namespace Continuum.AspNetCore.Gateway;

/// <summary>
/// The gateway's activity source (<c>Continuum.Gateway</c>): one activity per stage of a call (<c>gateway.read</c>,
/// <c>gateway.session</c>, <c>gateway.context</c>, <c>gateway.inject</c>, <c>gateway.upstream</c>,
/// <c>gateway.relay</c>, <c>gateway.record</c>), so a trace shows where a call's time goes. With no listener a
/// stage costs one null check.
/// </summary>
internal static class GatewayTelemetry
{
    public const string SourceName = "Continuum.Gateway";

    public static readonly ActivitySource Source = new(SourceName);
}
