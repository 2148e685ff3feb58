using DashFlow.AI;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using ResearchAgent.Scripted;

namespace ResearchAgent;

/// <summary>
/// The model the agent talks to: the one configured in the <c>Model</c> section of <c>appsettings.json</c> (through
/// <see cref="ChatClientFactory"/>) when its API key variable is set, otherwise the scripted server on loopback.
/// </summary>
internal sealed class ResearchModel : IAsyncDisposable
{
    /// <summary>The configuration section that names the model.</summary>
    public const string SectionName = "Model";

    private readonly ScriptedOpenAIServer? _server;

    private ResearchModel(IChatClient client, string description, ScriptedOpenAIServer? server)
    {
        Client = client;
        Description = description;
        _server = server;
    }

    /// <summary>The chat client, before the sample's middleware.</summary>
    public IChatClient Client { get; }

    /// <summary>Which model at which address, for the console.</summary>
    public string Description { get; }

    /// <summary>Whether the answers come from the scripted server rather than a model.</summary>
    public bool IsScripted => _server is not null;

    /// <summary>
    /// Picks the model. A missing key is not an error: the sample says so on <paramref name="output"/> and starts the
    /// scripted server instead, so that it runs anywhere.
    /// </summary>
    /// <exception cref="ModelConfigurationException">The configured model settings are wrong; names the setting.</exception>
    public static async Task<ResearchModel> SelectAsync(IConfiguration configuration, string? model, TextWriter output, CancellationToken cancellationToken)
    {
        var section = configuration.GetSection(SectionName);
        var options = section.Exists() ? ChatClientFactory.ReadOptions(section) : new ChatModelOptions { Model = "gpt-4o-mini" };
        if (!string.IsNullOrWhiteSpace(model))
        {
            options = Provider(options) == ChatProviders.AzureOpenAI ? options with { Model = model, Deployment = model } : options with { Model = model };
        }

        var keyVariable = KeyVariable(options);
        if (keyVariable is null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(keyVariable)))
        {
            var client = ChatClientFactory.Create(options, section.Path);
            var where = options.Endpoint?.ToString() ?? "OpenAI's default endpoint";
            return new ResearchModel(client, $"{options.Deployment ?? options.Model} ({Provider(options)}, {where})", null);
        }

        await output.WriteLineAsync(
            $"No {keyVariable}: running against the local scripted OpenAI-compatible server (answers are scripted). " +
            $"Set {keyVariable} to ask {options.Deployment ?? options.Model} instead.").ConfigureAwait(false);
        var server = await ScriptedOpenAIServer.StartAsync(cancellationToken).ConfigureAwait(false);
        server.Responder = ScriptedResearcher.Reply;
        var name = options.Model ?? ScriptedOpenAIServer.DefaultChatModel;
        return new ResearchModel(server.CreateChatClient(name), $"{name} (scripted server, {server.Endpoint})", server);
    }

    /// <summary>Stops the scripted server, if one runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Provider(ChatModelOptions options) => options.Provider.Trim().ToLowerInvariant();

    /// <summary>The variable holding the key, as <see cref="ChatClientFactory"/> reads it; null when the model needs none.</summary>
    private static string? KeyVariable(ChatModelOptions options)
    {
        var provider = Provider(options);
        if (provider is not (ChatProviders.OpenAI or ChatProviders.AzureOpenAI or ChatProviders.OpenAICompatible))
        {
            // Caught before the key is looked at: a misspelt provider must not quietly fall back to the scripted server.
            throw new ModelConfigurationException(SectionName + ":Provider",
                $"The setting '{SectionName}:Provider' is '{options.Provider}'; use '{ChatProviders.OpenAI}', '{ChatProviders.AzureOpenAI}' or '{ChatProviders.OpenAICompatible}'.");
        }

        return options.ApiKeyEnvironmentVariable is { Length: > 0 } named ? named
            : provider switch
            {
                ChatProviders.AzureOpenAI => ChatClientFactory.DefaultAzureKeyVariable,
                ChatProviders.OpenAICompatible => null,
                _ => ChatClientFactory.DefaultOpenAIKeyVariable,
            };
    }
}
