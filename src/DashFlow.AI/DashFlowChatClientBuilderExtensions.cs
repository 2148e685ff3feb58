using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// Adds DashFlow's chat middleware to a <see cref="ChatClientBuilder"/>. The first added is the outermost; a good order is
/// streaming, then Microsoft.Extensions.AI's cache, then usage, then resilience.
/// </summary>
/// <example><code>
/// IChatClient llm = new ChatClientBuilder(ChatClientFactory.Create(configuration.GetSection("Models:writer")))
///     .UseDashFlowStreaming()
///     .UseDistributedCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())))
///     .UseTokenUsage(meter)
///     .UseChatResilience(new ChatResilienceOptions { MaxRetryAttempts = 3, Timeout = TimeSpan.FromSeconds(30) })
///     .Build();
/// </code></example>
public static class DashFlowChatClientBuilderExtensions
{
    /// <summary>Turns SDK errors into <see cref="ModelCallException"/>s naming node, model and HTTP status (see <see cref="ModelErrorChatClient"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseModelErrors(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => WithModelErrors(inner));
    }

    /// <summary><paramref name="client"/>, wrapped in a <see cref="ModelErrorChatClient"/> unless its chain has one.</summary>
    internal static IChatClient WithModelErrors(IChatClient client) =>
        client.GetService(typeof(ModelErrorChatClient)) is null ? new ModelErrorChatClient(client) : client;
    /// <summary>
    /// Streams chat calls made inside nodes into the run's <see cref="StreamMode.Messages"/> stream, with the node and
    /// superstep, while the node still gets the complete answer (see <see cref="NodeStreamingChatClient"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseDashFlowStreaming(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new NodeStreamingChatClient(inner));
    }
    /// <summary>Runs calls through retries, a timeout, a circuit breaker and fallback models, on Polly (see <see cref="ResilientChatClient"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The policy; the defaults retry transient failures three times.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseChatResilience(this ChatClientBuilder builder, ChatResilienceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new ResilientChatClient(inner, options ?? new ChatResilienceOptions()));
    }
    /// <summary>Counts every call's tokens and cost in <paramref name="meter"/>, per node and per run (see <see cref="TokenUsageChatClient"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="meter">The meter.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseTokenUsage(this ChatClientBuilder builder, TokenUsageMeter meter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(meter);
        return builder.Use(inner => new TokenUsageChatClient(inner, meter));
    }
}
