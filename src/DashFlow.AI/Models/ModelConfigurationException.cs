namespace DashFlow.AI;

/// <summary>
/// The configuration of a model is missing or wrong: an unknown provider, a missing endpoint, an API key variable that is
/// not set. <see cref="Setting"/> is the path of the setting to fix (such as <c>Models:writer:ApiKeyEnvironmentVariable</c>).
/// </summary>
public sealed class ModelConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="setting">The setting's path.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    public ModelConfigurationException(string setting, string message)
        : base(message)
    {
        Setting = setting;
    }

    /// <summary>The path of the setting to fix.</summary>
    public string Setting { get; }
}
