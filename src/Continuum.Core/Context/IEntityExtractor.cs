namespace Continuum.Context;

/// <summary>Finds the entities a text mentions.</summary>
public interface IEntityExtractor
{
    /// <summary>The distinct entities in <paramref name="text"/>, in order of first mention.</summary>
    IReadOnlyList<EntityMention> Extract(string text);
}
