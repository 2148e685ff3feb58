using System.ComponentModel;

namespace DashFlow;

/// <summary>
/// Implemented by the generator for every <see cref="GraphStateAttribute"/> type: the state's field metadata and the
/// superstep merge. You do not implement it yourself.
/// </summary>
/// <typeparam name="TSelf">The state type.</typeparam>
public interface IGraphState<TSelf>
    where TSelf : class, IGraphState<TSelf>
{
    /// <summary>The state's fields, their types and reducers.</summary>
    static abstract StateSchema Schema { get; }

    /// <summary>
    /// Applies one superstep's writes, in the given order, with each field's reducer. Returns <paramref name="state"/>
    /// itself when no write changes a field.
    /// </summary>
    /// <exception cref="InvalidUpdateException">Two writes to a <see cref="ReducerKind.Replace"/> field, or two
    /// Overwrites of one field.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract TSelf ApplyWrites(TSelf state, ReadOnlySpan<StateWrite<TSelf>> writes);

    /// <summary>A state with every field at its default.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract TSelf CreateDefault();

    /// <summary>Reads field number <paramref name="field"/> (see <see cref="Schema"/>), boxed.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract object? GetField(TSelf state, int field);

    /// <summary>
    /// The update that turns <paramref name="before"/> into <paramref name="after"/> under each field's reducer: a changed
    /// Replace field is written; an Append field writes the items added at its end; Sum writes the difference; other
    /// changed reducer fields are Overwritten. Used to hand a subgraph's changes to its parent.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract StateUpdate<TSelf> Diff(TSelf before, TSelf after);

    /// <summary>Creates an empty update of this state, to be filled through <see cref="StateUpdate{TState}.SetField"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract StateUpdate<TSelf> CreateUpdate();

    /// <summary>
    /// Serializes the value of field number <paramref name="field"/> with the generated MessagePack formatter, or returns
    /// null when the state has none (a hand-written state), so the checkpoint serializer's own is used.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static virtual byte[]? SerializeField(int field, object? value) => null;

    /// <summary>
    /// Writes the value of field number <paramref name="field"/> with the generated MessagePack formatter to
    /// <paramref name="output"/> (the bytes <see cref="SerializeField"/> returns), or returns false when the state has
    /// none. The engine frames a checkpoint value around these bytes without copying them first.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static virtual bool TryWriteField(int field, object? value, System.Buffers.IBufferWriter<byte> output) => false;

    /// <summary>
    /// Whether field number <paramref name="field"/> holds the same value in both states as a checkpoint sees it: the
    /// same object, or an equal value or string. A checkpoint gives a field a new version only when it does not. The
    /// generated implementation compares the typed properties, without boxing.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static virtual bool SameField(TSelf before, TSelf after, int field) =>
        Internals.StateWrites.SameStored(TSelf.GetField(before, field), TSelf.GetField(after, field));

    /// <summary>Reads back a value written by <see cref="SerializeField"/>; false when the state has no generated formatter.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static virtual bool TryDeserializeField(int field, ReadOnlyMemory<byte> data, out object? value)
    {
        value = null;
        return false;
    }
}

/// <summary>
/// The base of a state's generated <c>Update</c> type: a partial update in which only the fields that were set are
/// written.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
public abstract class StateUpdate<TState>
    where TState : class, IGraphState<TState>
{
    /// <summary>Whether the update writes no field.</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>Reads the write to field number <paramref name="field"/>, if the update has one.</summary>
    /// <param name="field">The field's number in <see cref="IGraphState{TSelf}.Schema"/>.</param>
    /// <param name="value">The written value, boxed.</param>
    /// <param name="overwrite">Whether the write is an Overwrite (it replaces a reducer field's value).</param>
    /// <returns>Whether the update writes the field.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public abstract bool TryGetField(int field, out object? value, out bool overwrite);

    /// <summary>Sets the write to field number <paramref name="field"/>. For the runtime, right after creation only.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public abstract void SetField(int field, object? value, bool overwrite);

    /// <summary>Lists the written fields and their values, for logs and streams.</summary>
    /// <returns>For example <c>{ Query = "x", Sources += [a, b] }</c>.</returns>
    public override string ToString()
    {
        var fields = TState.Schema.Fields;
        var text = new System.Text.StringBuilder("{");
        var first = true;
        for (var i = 0; i < fields.Length; i++)
        {
            if (!TryGetField(i, out var value, out var overwrite))
            {
                continue;
            }

            text.Append(first ? " " : ", ").Append(fields[i].Name);
            text.Append(overwrite ? " := " : fields[i].Reducer == ReducerKind.Replace ? " = " : " += ");
            text.Append(StateFormatting.Format(value));
            first = false;
        }

        return text.Append(first ? "}" : " }").ToString();
    }
}

/// <summary>One write of a superstep: the update a task returned and the node that returned it.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="node">The node that wrote (for error messages).</param>
/// <param name="update">The update.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct StateWrite<TState>(string node, StateUpdate<TState> update)
    where TState : class, IGraphState<TState>
{
    /// <summary>The node that wrote.</summary>
    public string Node { get; } = node;

    /// <summary>The update.</summary>
    public StateUpdate<TState> Update { get; } = update;
}
