using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// Surfaces a model's tokens in the run's <see cref="StreamMode.Messages"/> stream. When a chat call runs inside a node of
/// a run streamed in that mode, the call is made as a streaming call and each <see cref="ChatResponseUpdate"/> is written
/// with <see cref="NodeContext.EmitMessageAsync"/> (a <see cref="MessageEvent"/> with the node and superstep), while the
/// node still gets the complete <see cref="ChatResponse"/>. Otherwise calls pass through unchanged. Add it with
/// <see cref="DashFlowChatClientBuilderExtensions.UseDashFlowStreaming"/>.
/// </summary>
public sealed class NodeStreamingChatClient : DelegatingChatClient
{
    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that calls the model.</param>
    public NodeStreamingChatClient(IChatClient innerClient)
        : base(innerClient)
    {
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (ChatNodeScope.Current is not { IsStreamingMessages: true } node)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            await node.EmitMessageAsync(update).ConfigureAwait(false);
        }

        return updates.ToChatResponse();
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var node = ChatNodeScope.Current is { IsStreamingMessages: true } current ? current : (NodeContext?)null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (node is { } n)
            {
                await n.EmitMessageAsync(update).ConfigureAwait(false);
            }

            yield return update;
        }
    }
}
