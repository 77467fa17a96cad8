namespace Continuum.Dashboard.Components;

/// <summary>One bar of a chart.</summary>
/// <param name="Label">What the bar stands for (a day, an interface).</param>
/// <param name="Value">Its height.</param>
public sealed record ChartPoint(string Label, long Value);
