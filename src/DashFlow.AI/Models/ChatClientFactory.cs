using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using OpenAI;

namespace DashFlow.AI;

/// <summary>
/// Builds an <see cref="IChatClient"/> from <see cref="ChatModelOptions"/> or a configuration section, on the OpenAI and
/// Azure.AI.OpenAI SDKs with Microsoft.Extensions.AI's adapter. Every problem is a <see cref="ModelConfigurationException"/>
/// naming the setting. The client reports failed calls as <see cref="ModelCallException"/>s (node, model, HTTP status)
/// through a <see cref="ModelErrorChatClient"/>.
/// </summary>
/// <example><code>
/// IChatClient writer = ChatClientFactory.Create(configuration.GetSection("Models:writer"));
/// IChatClient local = ChatClientFactory.Create(new ChatModelOptions
/// {
///     Provider = ChatProviders.OpenAICompatible, Endpoint = new("http://localhost:11434/v1/"), Model = "llama3.2",
/// });
/// </code></example>
public static class ChatClientFactory
{
    /// <summary>The key variable used for OpenAI when none is configured.</summary>
    public const string DefaultOpenAIKeyVariable = "OPENAI_API_KEY";

    /// <summary>The key variable used for Azure OpenAI when none is configured.</summary>
    public const string DefaultAzureKeyVariable = "AZURE_OPENAI_API_KEY";

    // Sent to an OpenAI-compatible server configured without a key variable; local servers ignore it.
    private const string NoKey = "unused";

    /// <summary>Reads <see cref="ChatModelOptions"/> from a configuration section (keys named like its properties).</summary>
    /// <param name="section">The section, such as <c>configuration.GetSection("Models:writer")</c>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ModelConfigurationException">The section is missing, or a value does not parse; names the setting.</exception>
    public static ChatModelOptions ReadOptions(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (!section.Exists())
        {
            throw new ModelConfigurationException(section.Path, $"The model settings '{section.Path}' are missing. Add a section with at least Provider and Model.");
        }

        return new ChatModelOptions
        {
            Provider = section[nameof(ChatModelOptions.Provider)] ?? ChatProviders.OpenAI,
            Model = section[nameof(ChatModelOptions.Model)],
            Endpoint = ReadUri(section, nameof(ChatModelOptions.Endpoint)),
            ApiKeyEnvironmentVariable = section[nameof(ChatModelOptions.ApiKeyEnvironmentVariable)],
            Deployment = section[nameof(ChatModelOptions.Deployment)],
            Timeout = ReadTimeSpan(section, nameof(ChatModelOptions.Timeout)),
            MaxRetries = ReadInt(section, nameof(ChatModelOptions.MaxRetries)),
        };
    }

    /// <summary>Builds a chat client from a configuration section.</summary>
    /// <param name="section">The section, such as <c>configuration.GetSection("Models:writer")</c>.</param>
    /// <returns>The chat client.</returns>
    /// <exception cref="ModelConfigurationException">A setting is missing or wrong; names it (such as <c>Models:writer:Endpoint</c>).</exception>
    public static IChatClient Create(IConfigurationSection section) => Create(ReadOptions(section), section.Path);

    /// <summary>Builds a chat client from options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="settingsPath">Where the options came from, for messages (<c>ChatModelOptions</c> when null).</param>
    /// <returns>The chat client.</returns>
    /// <exception cref="ModelConfigurationException">A setting is missing or wrong; names it.</exception>
    public static IChatClient Create(ChatModelOptions options, string? settingsPath = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = string.IsNullOrEmpty(settingsPath) ? nameof(ChatModelOptions) : settingsPath;
        string Setting(string name) => path + ":" + name;

        var provider = options.Provider?.Trim().ToLowerInvariant();
        switch (provider)
        {
            case ChatProviders.OpenAI:
            case ChatProviders.OpenAICompatible:
            {
                var model = Require(options.Model, Setting(nameof(ChatModelOptions.Model)), "the model name to call, such as gpt-4o-mini");
                if (provider == ChatProviders.OpenAICompatible && options.Endpoint is null)
                {
                    throw new ModelConfigurationException(Setting(nameof(ChatModelOptions.Endpoint)),
                        $"The setting '{Setting(nameof(ChatModelOptions.Endpoint))}' is missing: provider '{ChatProviders.OpenAICompatible}' needs the server's base address, such as http://localhost:11434/v1/.");
                }

                var key = provider == ChatProviders.OpenAICompatible && string.IsNullOrWhiteSpace(options.ApiKeyEnvironmentVariable)
                    ? NoKey
                    : ReadKey(options.ApiKeyEnvironmentVariable ?? DefaultOpenAIKeyVariable, Setting(nameof(ChatModelOptions.ApiKeyEnvironmentVariable)));
                var clientOptions = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(Retries(options, Setting)) };
                if (options.Endpoint is not null)
                {
                    clientOptions.Endpoint = options.Endpoint;
                }

                ApplyTimeout(clientOptions, options, Setting);
                return new ModelErrorChatClient(new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient());
            }

            case ChatProviders.AzureOpenAI:
            {
                var endpoint = options.Endpoint ?? throw new ModelConfigurationException(Setting(nameof(ChatModelOptions.Endpoint)),
                    $"The setting '{Setting(nameof(ChatModelOptions.Endpoint))}' is missing: provider '{ChatProviders.AzureOpenAI}' needs the resource's address, such as https://my-resource.openai.azure.com/.");
                var deployment = Require(options.Deployment ?? options.Model, Setting(nameof(ChatModelOptions.Deployment)), "the Azure OpenAI deployment name (or Model)");
                var key = ReadKey(options.ApiKeyEnvironmentVariable ?? DefaultAzureKeyVariable, Setting(nameof(ChatModelOptions.ApiKeyEnvironmentVariable)));
                var clientOptions = new AzureOpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(Retries(options, Setting)) };
                ApplyTimeout(clientOptions, options, Setting);
                return new ModelErrorChatClient(new AzureOpenAIClient(endpoint, new ApiKeyCredential(key), clientOptions).GetChatClient(deployment).AsIChatClient());
            }

            default:
                throw new ModelConfigurationException(Setting(nameof(ChatModelOptions.Provider)),
                    $"The setting '{Setting(nameof(ChatModelOptions.Provider))}' is '{options.Provider}', which is not a provider DashFlow knows. " +
                    $"Use '{ChatProviders.OpenAI}', '{ChatProviders.AzureOpenAI}' or '{ChatProviders.OpenAICompatible}'.");
        }
    }

    private static string Require(string? value, string setting, string what) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ModelConfigurationException(setting, $"The setting '{setting}' is missing: set it to {what}.")
            : value;

    private static string ReadKey(string variable, string setting)
    {
        var key = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(key)
            ? throw new ModelConfigurationException(setting,
                $"The environment variable '{variable}' named by '{setting}' is not set or is empty. Set it to the API key, or point '{setting}' at the variable that holds it.")
            : key;
    }

    private static int Retries(ChatModelOptions options, Func<string, string> setting) =>
        options.MaxRetries switch
        {
            null => 0,
            < 0 => throw new ModelConfigurationException(setting(nameof(ChatModelOptions.MaxRetries)),
                $"The setting '{setting(nameof(ChatModelOptions.MaxRetries))}' is {options.MaxRetries}; use 0 or more."),
            var n => n.Value,
        };

    private static void ApplyTimeout(ClientPipelineOptions clientOptions, ChatModelOptions options, Func<string, string> setting)
    {
        if (options.Timeout is not { } timeout)
        {
            return;
        }

        if (timeout <= TimeSpan.Zero)
        {
            throw new ModelConfigurationException(setting(nameof(ChatModelOptions.Timeout)),
                $"The setting '{setting(nameof(ChatModelOptions.Timeout))}' is {timeout}; use a positive duration such as 00:00:30.");
        }

        clientOptions.NetworkTimeout = timeout;
    }

    private static Uri? ReadUri(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ModelConfigurationException(section.Path + ":" + key, $"The setting '{section.Path}:{key}' is '{text}', which is not an absolute http(s) address.");
    }

    private static TimeSpan? ReadTimeSpan(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // A bare number is seconds; anything else is a TimeSpan such as 00:00:30.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ModelConfigurationException(section.Path + ":" + key, $"The setting '{section.Path}:{key}' is '{text}', which is neither seconds nor a duration such as 00:00:30.");
    }

    private static int? ReadInt(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ModelConfigurationException(section.Path + ":" + key, $"The setting '{section.Path}:{key}' is '{text}', which is not a whole number.");
    }
}
