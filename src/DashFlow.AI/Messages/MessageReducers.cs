using System.Collections.Immutable;
using Microsoft.Extensions.AI;

namespace DashFlow.AI;

/// <summary>
/// The <c>[Reducer(AddMessages)]</c> reducer for chat histories: written messages are appended, a message whose
/// <see cref="ChatMessage.MessageId"/> is already present replaces that message in place, a <see cref="Remove"/> marker
/// deletes the message with its id, and a message written without an id is given one.
/// </summary>
/// <example><code>
/// [GraphState]
/// public partial record ChatState
/// {
///     [Reducer(AddMessages)] public ImmutableList&lt;ChatMessage&gt; Messages { get; init; } = [];
/// }
///
/// // In a node: append the answer, drop an earlier draft.
/// return new ChatState.Update { Messages = [answer, MessageReducers.Remove(draftId)] };
/// </code></example>
public static class MessageReducers
{
    /// <summary>The <see cref="ChatMessage.AdditionalProperties"/> key that marks a message as a removal marker.</summary>
    public const string RemoveMarkerKey = "dashflow.remove";

    /// <summary>The id a <see cref="RemoveAll"/> marker carries.</summary>
    public const string AllMessagesId = "__dashflow_all_messages__";

    /// <summary>Folds written messages into a history (the <see cref="Reduce.AddMessages"/> reducer for <see cref="ImmutableList{T}"/> fields).</summary>
    /// <param name="current">The history so far (null is empty).</param>
    /// <param name="write">The messages a node wrote, in order; removal markers among them.</param>
    /// <returns>The new history.</returns>
    /// <exception cref="ArgumentException">A removal marker names an id that is not in the history.</exception>
    public static ImmutableList<ChatMessage> AddMessages(ImmutableList<ChatMessage> current, ImmutableList<ChatMessage> write) =>
        Fold(current ?? [], write ?? []);

    /// <summary>Folds written messages into a history (the <see cref="Reduce.AddMessages"/> reducer for <see cref="IReadOnlyList{T}"/> fields).</summary>
    /// <param name="current">The history so far (null is empty).</param>
    /// <param name="write">The messages a node wrote, in order; removal markers among them.</param>
    /// <returns>The new history (an <see cref="ImmutableList{T}"/>).</returns>
    /// <exception cref="ArgumentException">A removal marker names an id that is not in the history.</exception>
    public static IReadOnlyList<ChatMessage> AddMessages(IReadOnlyList<ChatMessage> current, IReadOnlyList<ChatMessage> write) =>
        Fold(current as ImmutableList<ChatMessage> ?? [.. current ?? []], write ?? []);

    /// <summary>A marker that, written to an AddMessages field, deletes the message with <paramref name="messageId"/>.</summary>
    /// <param name="messageId">The <see cref="ChatMessage.MessageId"/> to delete.</param>
    /// <returns>The marker; it never becomes part of the history.</returns>
    public static ChatMessage Remove(string messageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        return new ChatMessage
        {
            MessageId = messageId,
            AdditionalProperties = new AdditionalPropertiesDictionary { [RemoveMarkerKey] = true },
        };
    }

    /// <summary>A marker that, written to an AddMessages field, deletes every message before it (to start a history anew).</summary>
    /// <returns>The marker; it never becomes part of the history.</returns>
    public static ChatMessage RemoveAll() => Remove(AllMessagesId);

    /// <summary>Whether <paramref name="message"/> is a marker made by <see cref="Remove"/> or <see cref="RemoveAll"/>.</summary>
    /// <param name="message">The message.</param>
    /// <returns>True for a removal marker.</returns>
    public static bool IsRemoval(ChatMessage message) =>
        message?.AdditionalProperties is { } properties
        && properties.TryGetValue(RemoveMarkerKey, out var value)
        && value is true or System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True };

    private static ImmutableList<ChatMessage> Fold(ImmutableList<ChatMessage> current, IReadOnlyList<ChatMessage> write)
    {
        if (write.Count == 0)
        {
            return current;
        }

        var builder = current.ToBuilder();

        // Positions by id, built once per fold; ids are unique in a history this reducer built.
        Dictionary<string, int>? positions = null;
        foreach (var message in write)
        {
            if (message is null)
            {
                continue;
            }

            positions ??= Index(builder);
            if (IsRemoval(message))
            {
                var id = message.MessageId!;
                if (id == AllMessagesId)
                {
                    builder.Clear();
                    positions.Clear();
                    continue;
                }

                if (!positions.TryGetValue(id, out var at))
                {
                    throw new ArgumentException($"A removal marker names message id '{id}', which is not in the history ({builder.Count} messages). Remove only ids that are present.", nameof(write));
                }

                builder.RemoveAt(at);
                positions = Index(builder);
                continue;
            }

            var withId = string.IsNullOrEmpty(message.MessageId) ? WithNewId(message) : message;
            if (positions.TryGetValue(withId.MessageId!, out var existing))
            {
                builder[existing] = withId;
            }
            else
            {
                positions[withId.MessageId!] = builder.Count;
                builder.Add(withId);
            }
        }

        return builder.ToImmutable();
    }

    private static Dictionary<string, int> Index(ImmutableList<ChatMessage>.Builder messages)
    {
        var positions = new Dictionary<string, int>(messages.Count, StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].MessageId is { Length: > 0 } id)
            {
                positions[id] = i;
            }
        }

        return positions;
    }

    // A copy, so the node's own message object is not changed behind its back.
    private static ChatMessage WithNewId(ChatMessage message)
    {
        var copy = message.Clone();
        copy.MessageId = Guid.NewGuid().ToString("N");
        return copy;
    }
}
