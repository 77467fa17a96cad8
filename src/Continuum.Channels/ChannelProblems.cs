using Microsoft.AspNetCore.Http;

namespace Continuum.Channels;

/// <summary>The problem documents the channels' endpoints answer, typed like every other Continuum problem.</summary>
internal static class ChannelProblems
{
    private const string TypePrefix = "https://continuum.dev/problems/";

    public static IResult Unauthorized(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.", type: TypePrefix + "unauthorized");

    public static IResult Malformed(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request.", type: TypePrefix + "malformed-request");

    public static IResult Unsupported(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request.", type: TypePrefix + "validation");
}
