using Continuum.Context;
using Continuum.ModelProviders;
using Continuum.Sessions;
using Continuum.Validation;

namespace Continuum;

/// <summary>Continuum's settings, bound from the configuration section <c>Continuum</c>.</summary>
public sealed class ContinuumOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Continuum";

    /// <summary>The tenant used when a request names none.</summary>
    public string DefaultTenant { get; set; } = "default";

    /// <summary>This node's name, stamped on the sessions it opens when the client names none.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>
    /// How tokens are counted: <c>o200k_base</c> (the default, GPT-4o's encoding), <c>cl100k_base</c> (GPT-4's)
    /// or <c>estimate</c> (a character count divided by 4, no data needed).
    /// </summary>
    public string Tokenizer { get; set; } = Tokens.BpeEncoding.O200kBase;

    /// <summary>The agents' registry.</summary>
    public Agents.AgentOptions Agents { get; set; } = new();

    /// <summary>Session defaults.</summary>
    public SessionDefaults Sessions { get; set; } = new();

    /// <summary>Model providers (all optional: everything works without a model).</summary>
    public ModelsOptions Models { get; set; } = new();

    /// <summary>Compression and context settings.</summary>
    public ContextOptions Context { get; set; } = new();

    /// <summary>Long-term memory (<c>Continuum:Memory</c>).</summary>
    public Memory.MemoryOptions Memory { get; set; } = new();

    /// <summary>Input size limits.</summary>
    public InputLimits Limits { get; set; } = new();

    /// <summary>API keys, rate limits and CORS (<c>Continuum:Security</c>).</summary>
    public Security.SecurityOptions Security { get; set; } = new();

    /// <summary>Retention per tenant (<c>Continuum:Retention</c>); off unless configured or stored.</summary>
    public Lifecycle.RetentionOptions Retention { get; set; } = new();
}
