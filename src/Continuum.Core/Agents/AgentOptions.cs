namespace Continuum.Agents;

/// <summary>Settings of the agents' registry (<c>Continuum:Agents</c>).</summary>
public sealed class AgentOptions
{
    /// <summary>How long an agent may go without a heartbeat before it is shown offline (default 5 minutes).</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
