namespace Continuum.Handoffs;

/// <summary>An insight, best practice or lesson, kept once however often it is handed off.</summary>
/// <param name="Text">The insight as first written.</param>
/// <param name="Kind"><c>insight</c> or <c>lesson</c>.</param>
/// <param name="FirstSeen">When it was first handed off.</param>
/// <param name="Mentions">How many handoffs reported it.</param>
public sealed record KnowledgeInsight(string Text, string Kind, DateTimeOffset FirstSeen, int Mentions);
