namespace DashFlow.AI;

/// <summary>
/// Which model a chat client talks to and how, as written in configuration (appsettings, JSON) or in code. Read by
/// <see cref="ChatClientFactory"/>. The API key never appears here: <see cref="ApiKeyEnvironmentVariable"/> names the
/// environment variable that holds it.
/// </summary>
/// <example><code>
/// // appsettings.json
/// { "Models": { "writer": { "Provider": "openai", "Model": "gpt-4o-mini", "ApiKeyEnvironmentVariable": "OPENAI_API_KEY", "Timeout": "00:00:30" } } }
///
/// IChatClient writer = ChatClientFactory.Create(configuration.GetSection("Models:writer"));
/// </code></example>
public sealed record ChatModelOptions
{
    /// <summary>The provider: <see cref="ChatProviders.OpenAI"/>, <see cref="ChatProviders.AzureOpenAI"/> or <see cref="ChatProviders.OpenAICompatible"/>.</summary>
    public string Provider { get; init; } = ChatProviders.OpenAI;

    /// <summary>The model name sent with every request (for Azure OpenAI, the deployment's model, used in messages only).</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The service's base address. Required for <see cref="ChatProviders.AzureOpenAI"/> (the resource's address) and
    /// <see cref="ChatProviders.OpenAICompatible"/> (such as <c>http://localhost:11434/v1/</c>); OpenAI's own when omitted for <see cref="ChatProviders.OpenAI"/>.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// The environment variable holding the API key. Defaults to <c>OPENAI_API_KEY</c> for OpenAI and
    /// <c>AZURE_OPENAI_API_KEY</c> for Azure OpenAI; an OpenAI-compatible server without one is sent no real key.
    /// </summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>The Azure OpenAI deployment name (Azure OpenAI only; <see cref="Model"/> when omitted).</summary>
    public string? Deployment { get; init; }

    /// <summary>How long one HTTP request may take before the SDK gives up; the SDK's default (100 seconds) when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// How often the SDK itself retries a failed request (429, 5xx, timeouts). Zero when null: retries belong to one
    /// layer, and <see cref="ChatResilienceOptions"/> (Polly) does them with backoff, jitter and <c>Retry-After</c>.
    /// </summary>
    public int? MaxRetries { get; init; }
}
