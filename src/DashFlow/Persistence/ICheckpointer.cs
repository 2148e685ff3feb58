using System.Collections.ObjectModel;

namespace DashFlow.Persistence;

/// <summary>
/// Stores a thread's checkpoints and the pending writes of their tasks. Bytes-oriented and not generic, so one store
/// serves every graph. Implementations must be safe to call from several runs at once.
/// </summary>
/// <remarks>
/// A checkpoint names a version for each state field (<see cref="Checkpoint.FieldVersions"/>); the field's bytes are
/// stored once per version (<see cref="FieldBlob"/>). A superstep that leaves a field alone keeps its version, so its
/// bytes are not written again: a checkpoint's size grows with what changed, not with the whole state.
/// </remarks>
public interface ICheckpointer
{
    /// <summary>Reads a checkpoint with the field blobs of its versions and its pending writes.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="checkpointNamespace">The namespace ("" for the root graph; <c>parent|node:task</c> for a subgraph).</param>
    /// <param name="checkpointId">The checkpoint; null for the thread's latest.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The checkpoint, or null when the thread (or that checkpoint) does not exist.</returns>
    ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default);

    /// <summary>Lists a thread's checkpoints, newest first.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="checkpointNamespace">The namespace.</param>
    /// <param name="options">A <c>before</c> cursor, a limit and a metadata filter; null for all.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The checkpoints, newest first, each with its blobs and pending writes.</returns>
    IAsyncEnumerable<CheckpointTuple> ListAsync(string threadId, string checkpointNamespace, CheckpointListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a checkpoint and the blobs of the field versions it introduces, after checking, in the same transaction,
    /// that it follows the thread's latest checkpoint in its namespace (<see cref="CheckpointConflictException.ThrowIfNotLatest"/>):
    /// two runs on one thread at once (in two processes, say) cannot both go on. A checkpoint that starts a branch
    /// (<see cref="CheckpointSource.Fork"/>) is not checked. Storing the same checkpoint again replaces it.
    /// </summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="newBlobs">The blobs of the versions this checkpoint is the first to name; versions already stored are not repeated.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the checkpoint is stored.</returns>
    /// <exception cref="CheckpointConflictException">Another run stored a checkpoint on the thread since this one's parent.</exception>
    ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores pending writes of tasks against the checkpoint they follow. Idempotent per task id and write index: a write
    /// stored again replaces the earlier one.
    /// </summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="checkpointNamespace">The namespace.</param>
    /// <param name="checkpointId">The checkpoint the task's superstep started from.</param>
    /// <param name="writes">The writes.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the writes are stored.</returns>
    ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything stored for a thread (every namespace).</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="cancellationToken">Stops the deletion.</param>
    /// <returns>A task that completes when the thread is gone.</returns>
    ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default);

    /// <summary>Lists the threads that have checkpoints.</summary>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The thread ids, in ordinal order.</returns>
    IAsyncEnumerable<string> ListThreadsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Why a checkpoint was written.</summary>
public enum CheckpointSource
{
    /// <summary>The input step of a run.</summary>
    Input,

    /// <summary>The end of a superstep.</summary>
    Loop,

    /// <summary><c>UpdateStateAsync</c>.</summary>
    Update,

    /// <summary>
    /// The first checkpoint of a branch: written by a run (a replay) or an update that started from a checkpoint that was
    /// not the thread's latest, which is its parent. The thread's latest is not checked when it is stored.
    /// </summary>
    Fork,
}

/// <summary>When a run's checkpoints are stored.</summary>
public enum Durability
{
    /// <summary>Each checkpoint is stored before the next superstep starts (the default).</summary>
    Sync,

    /// <summary>Checkpoints are stored in the background, in order, through a bounded queue (the run waits when it is full).</summary>
    Async,

    /// <summary>Only the last checkpoint is stored, when the run ends, fails or is interrupted.</summary>
    Exit,
}

/// <summary>One stored checkpoint: where a thread stood after a step. It holds field versions, not the values.</summary>
public sealed record Checkpoint
{
    /// <summary>The thread.</summary>
    public required string ThreadId { get; init; }

    /// <summary>The namespace: "" for the root graph.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The id: time-ordered, so ordinal order is creation order.</summary>
    public required string Id { get; init; }

    /// <summary>The checkpoint this one follows; null for a thread's first.</summary>
    public string? ParentId { get; init; }

    /// <summary>The step number: the input step of a thread's first run is 0, each superstep adds one.</summary>
    public int Step { get; init; }

    /// <summary>Why the checkpoint was written.</summary>
    public CheckpointSource Source { get; init; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The state's schema version (<see cref="GraphStateAttribute.Version"/>) when it was written.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>Field name to version: the field's value is the blob stored under that version.</summary>
    public IReadOnlyDictionary<string, string> FieldVersions { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Nodes triggered but not run yet (the next superstep's pull tasks), in declaration order.</summary>
    public IReadOnlyList<string> Next { get; init; } = [];

    /// <summary>Sends scheduled for the next superstep, in order.</summary>
    public IReadOnlyList<PendingSend> Sends { get; init; } = [];

    /// <summary>Join-barrier progress: <c>target&lt;-source</c> for each source a join has seen since it last fired.</summary>
    public IReadOnlyList<string> JoinProgress { get; init; } = [];

    /// <summary>User and engine metadata (the engine writes <c>source</c> and <c>step</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ReadOnlyDictionary<string, string>.Empty;
}

/// <summary>A Send scheduled for the next superstep.</summary>
/// <param name="Node">The node.</param>
/// <param name="Arg">The serialized argument.</param>
public sealed record PendingSend(string Node, byte[] Arg);

/// <summary>The serialized value of one field at one version.</summary>
/// <param name="Field">The field name.</param>
/// <param name="Version">The version (the id of the checkpoint that first stored it).</param>
/// <param name="Data">The bytes.</param>
/// <remarks>
/// A run that checkpoints into an <see cref="InMemoryCheckpointer"/> hands over the values of immutable fields
/// (<see cref="StateField.IsImmutable"/>) as they are: their bytes are made only if someone reads <see cref="Data"/>, and
/// the run that reads the checkpoint back takes the value itself.
/// </remarks>
public sealed record FieldBlob(string Field, string Version, byte[] Data)
{
    private byte[]? _data = Data;
    private readonly IFieldEncoder? _encoder;
    private readonly int _index;
    private readonly object? _value;

    /// <summary>A blob that holds an immutable field's value and serializes it only when <see cref="Data"/> is read.</summary>
    internal FieldBlob(string field, string version, IFieldEncoder encoder, int index, object? value)
        : this(field, version, (byte[])null!)
    {
        _encoder = encoder;
        _index = index;
        _value = value;
    }

    /// <summary>The bytes.</summary>
    public byte[] Data
    {
        get => _data ??= _encoder!.EncodeField(_index, _value);
        init => _data = value;
    }

    /// <summary>The value itself, when the blob was made from it by a state of type <paramref name="stateType"/>.</summary>
    internal bool TryGetValue(Type stateType, out object? value)
    {
        value = _value;
        return _encoder is not null && _encoder.StateType == stateType;
    }
}

/// <summary>Serializes a state's field values: what a <see cref="FieldBlob"/> that holds a value calls when its bytes are read.</summary>
internal interface IFieldEncoder
{
    /// <summary>The state type whose fields it serializes.</summary>
    Type StateType { get; }

    /// <summary>The state's schema.</summary>
    StateSchema Schema { get; }

    /// <summary>The framed bytes of field number <paramref name="field"/> holding <paramref name="value"/>.</summary>
    byte[] EncodeField(int field, object? value);

    /// <summary>The value of field number <paramref name="field"/> of <paramref name="state"/>, a state of <see cref="StateType"/>.</summary>
    object? GetField(object state, int field);
}

/// <summary>What a pending write records.</summary>
public enum PendingWriteKind
{
    /// <summary>An update the task returned (<see cref="PendingWrite.Data"/>).</summary>
    Update,

    /// <summary>A node the task's Command goes to (<see cref="PendingWrite.Text"/>).</summary>
    Goto,

    /// <summary>A Send the task's Command schedules (node in <see cref="PendingWrite.Text"/>, argument in <see cref="PendingWrite.Data"/>).</summary>
    Send,

    /// <summary>The task finished (successfully) writing what its other writes say.</summary>
    Done,

    /// <summary>The task failed (the message in <see cref="PendingWrite.Text"/>).</summary>
    Error,

    /// <summary>The task called Interrupt (id in <see cref="PendingWrite.Text"/>, value in <see cref="PendingWrite.Data"/>).</summary>
    Interrupt,

    /// <summary>An answer to one of the task's interrupts (id in <see cref="PendingWrite.Text"/>, value in <see cref="PendingWrite.Data"/>).</summary>
    Resume,
}

/// <summary>
/// A write of a task of the superstep that follows a checkpoint. Write indexes: the task's result writes are 0, 1, ...
/// followed by <see cref="PendingWriteKind.Done"/>; an error is -1; interrupt number n is -100 - n and its answer -200 - n.
/// </summary>
/// <param name="TaskId">The task: <c>step:node:index</c>.</param>
/// <param name="Index">The write's index within the task.</param>
/// <param name="Kind">What it records.</param>
/// <param name="Text">A node name, interrupt id or error message.</param>
/// <param name="Data">Serialized data, if any.</param>
public sealed record PendingWrite(string TaskId, int Index, PendingWriteKind Kind, string? Text, byte[]? Data);

/// <summary>A checkpoint as read back: the checkpoint, the blobs of its field versions, and its pending writes.</summary>
/// <param name="Checkpoint">The checkpoint.</param>
/// <param name="Fields">One blob per entry of <see cref="Checkpoint.FieldVersions"/>.</param>
/// <param name="PendingWrites">The pending writes, ordered by task id and index.</param>
public sealed record CheckpointTuple(Checkpoint Checkpoint, IReadOnlyList<FieldBlob> Fields, IReadOnlyList<PendingWrite> PendingWrites);

/// <summary>Narrows a checkpoint listing.</summary>
public sealed record CheckpointListOptions
{
    /// <summary>Only checkpoints older than this id.</summary>
    public string? Before { get; init; }

    /// <summary>At most this many; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Only checkpoints whose metadata has every one of these key/value pairs.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
