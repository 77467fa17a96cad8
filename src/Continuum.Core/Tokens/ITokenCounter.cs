namespace Continuum.Tokens;

/// <summary>Counts the tokens a model would see for a text.</summary>
public interface ITokenCounter
{
    /// <summary>The counter's name, e.g. <c>estimate</c> or <c>o200k_base</c>.</summary>
    string Name { get; }

    /// <summary>The number of tokens in <paramref name="text"/>.</summary>
    int Count(string text);
}
