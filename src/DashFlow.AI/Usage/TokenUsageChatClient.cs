using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>Counts each call's tokens in a <see cref="TokenUsageMeter"/>, with the node and thread it came from.</summary>
public sealed class TokenUsageChatClient : DelegatingChatClient
{
    private readonly TokenUsageMeter _meter;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that calls the model.</param>
    /// <param name="meter">Where the usage goes.</param>
    public TokenUsageChatClient(IChatClient innerClient, TokenUsageMeter meter)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        _meter.Record(response.ModelId ?? ModelErrorChatClient.ModelOf(InnerClient, options), response.Usage);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A streamed answer reports its usage in an update of its own (usually the last).
        UsageDetails? usage = null;
        string? model = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            model ??= update.ModelId;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent u)
                {
                    (usage ??= new UsageDetails()).Add(u.Details);
                }
            }

            yield return update;
        }

        _meter.Record(model ?? ModelErrorChatClient.ModelOf(InnerClient, options), usage);
    }
}
