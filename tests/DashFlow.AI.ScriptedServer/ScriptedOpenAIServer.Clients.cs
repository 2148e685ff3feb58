using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace DashFlow.AI.ScriptedServer;

public sealed partial class ScriptedOpenAIServer
{
    /// <summary>The API key the clients created by this server's methods send.</summary>
    public const string TestApiKey = "test-key";

    /// <summary>The model name <see cref="CreateChatClient"/> asks for unless told otherwise.</summary>
    public const string DefaultChatModel = "gpt-test";

    /// <summary>The model name <see cref="CreateEmbeddingGenerator"/> asks for unless told otherwise.</summary>
    public const string DefaultEmbeddingModel = "text-embedding-test";

    /// <summary>
    /// Options for the real OpenAI SDK that point at <paramref name="endpoint"/> and turn the SDK's own retries off.
    /// By default the SDK retries 429 and 5xx answers (waiting as <c>Retry-After</c> says) and timeouts, so a scripted
    /// error would be answered by the next scripted reply and never reach the code under test.
    /// </summary>
    /// <param name="endpoint">The API's base address, such as <see cref="Endpoint"/>.</param>
    /// <param name="networkTimeout">
    /// How long the SDK waits for a response before it gives up with a <see cref="TaskCanceledException"/>; the
    /// SDK's default (100 seconds) when null.
    /// </param>
    public static OpenAIClientOptions CreateClientOptions(Uri endpoint, TimeSpan? networkTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (networkTimeout is { } timeout)
        {
            options.NetworkTimeout = timeout;
        }

        return options;
    }

    /// <summary>An <see cref="OpenAIClient"/> of the real SDK pointing at this server, with the SDK's retries off.</summary>
    /// <param name="networkTimeout">See <see cref="CreateClientOptions"/>.</param>
    /// <param name="apiKey">The API key to send.</param>
    public OpenAIClient CreateOpenAIClient(TimeSpan? networkTimeout = null, string apiKey = TestApiKey) =>
        new(new ApiKeyCredential(apiKey), CreateClientOptions(Endpoint, networkTimeout));

    /// <summary>
    /// An <see cref="IChatClient"/> built on the real OpenAI SDK (<c>GetChatClient(model).AsIChatClient()</c>) pointing at
    /// this server, sending <see cref="TestApiKey"/>, with the SDK's retries off.
    /// </summary>
    /// <param name="model">The model name every request carries.</param>
    /// <param name="networkTimeout">See <see cref="CreateClientOptions"/>.</param>
    public IChatClient CreateChatClient(string model = DefaultChatModel, TimeSpan? networkTimeout = null) =>
        CreateOpenAIClient(networkTimeout).GetChatClient(model).AsIChatClient();

    /// <summary>
    /// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> built on the real OpenAI SDK pointing at this server's
    /// <c>/v1/embeddings</c>, whose vectors are <see cref="EmbeddingFor"/> of each input.
    /// </summary>
    /// <param name="model">The model name every request carries.</param>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string model = DefaultEmbeddingModel) =>
        CreateOpenAIClient().GetEmbeddingClient(model).AsIEmbeddingGenerator();
}
