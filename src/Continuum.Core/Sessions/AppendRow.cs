namespace Continuum.Sessions;

/// <summary>One event an append stores: the record at its seq, with its entity names as JSON text.</summary>
/// <param name="Record">The event.</param>
/// <param name="Seq">Its seq in the session.</param>
/// <param name="EntitiesJson">The entity names as a JSON array.</param>
public sealed record AppendRow(EventRecord Record, long Seq, string EntitiesJson);
