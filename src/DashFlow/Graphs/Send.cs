namespace DashFlow;

/// <summary>
/// A dynamic task for the next superstep: runs <see cref="Node"/> with <see cref="Arg"/> as its input instead of the
/// state (map-reduce). Each Send is its own task, even when several target one node; their writes are reduced in Send
/// order after the superstep's other tasks.
/// </summary>
/// <param name="node">The node to run.</param>
/// <param name="arg">The node's input: a value of the node's first parameter type (the state type or another).</param>
public sealed class Send(string node, object? arg)
{
    /// <summary>The node to run.</summary>
    public string Node { get; } = node ?? throw new ArgumentNullException(nameof(node));

    /// <summary>The node's input.</summary>
    public object? Arg { get; } = arg;

    /// <inheritdoc/>
    public override string ToString() => $"Send({Node}, {StateFormatting.Format(Arg)})";
}

/// <summary>Where a <see cref="Command{TState}"/> goes next: a node name, <see cref="Graph.End"/>, or a <see cref="Send"/>.</summary>
public readonly struct Destination : IEquatable<Destination>
{
    private Destination(string? node, Send? send)
    {
        Node = node;
        Send = send;
    }

    /// <summary>The node to trigger, when this is not a Send.</summary>
    public string? Node { get; }

    /// <summary>The Send, when this is one.</summary>
    public Send? Send { get; }

    /// <summary>Goes to a node.</summary>
    /// <param name="node">The node's name.</param>
    public static implicit operator Destination(string node) => new(node ?? throw new ArgumentNullException(nameof(node)), null);

    /// <summary>Sends to a node.</summary>
    /// <param name="send">The Send.</param>
    public static implicit operator Destination(Send send) => new(null, send ?? throw new ArgumentNullException(nameof(send)));

    /// <inheritdoc/>
    public bool Equals(Destination other) => Node == other.Node && ReferenceEquals(Send, other.Send);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Destination other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Node, Send);

    /// <inheritdoc/>
    public override string ToString() => Node ?? Send!.ToString();

    /// <summary>Compares two destinations.</summary>
    public static bool operator ==(Destination left, Destination right) => left.Equals(right);

    /// <summary>Compares two destinations.</summary>
    public static bool operator !=(Destination left, Destination right) => !left.Equals(right);
}
