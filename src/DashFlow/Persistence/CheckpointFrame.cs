namespace DashFlow.Persistence;

/// <summary>
/// A checkpoint as a run hands it to <see cref="InMemoryCheckpointer"/> when the state can be kept by reference: the state
/// snapshot itself, which nothing can change (every field immutable, see <see cref="StateField.IsImmutable"/>), and the
/// few numbers that say where the run stands. Its <see cref="Checkpoint"/>, its id string, its field versions and blobs
/// are made only when someone reads it, so a checkpoint per superstep costs one small object.
/// </summary>
/// <remarks>
/// A field's version is the frame that last changed it: the frame itself when its <see cref="Changed"/> bit is set,
/// else found by walking <see cref="Previous"/> (the run's frame before it). A frame that starts a run's chain, and every
/// <see cref="KeyInterval"/>th frame after it, carries the owners of every field (<see cref="Owners"/>), so a walk is short.
/// </remarks>
internal sealed class CheckpointFrame(
    long idTicks, long counter, long createdTicks, IFieldEncoder fields, object state, ulong changed, CheckpointFrame? previous, string? parentId,
    object?[]? owners, int step, CheckpointSource source, IReadOnlyList<string> next)
{
    /// <summary>How many frames a run stores before the next carries every field's owner again.</summary>
    public const int KeyInterval = 32;

    private string? _id;

    /// <summary>The id's clock part (see <see cref="CheckpointIds"/>).</summary>
    public long IdTicks { get; } = idTicks;

    /// <summary>The id's counter part.</summary>
    public long Counter { get; } = counter;

    /// <summary><see cref="Checkpoint.CreatedAt"/> in UTC ticks.</summary>
    public long CreatedTicks { get; } = createdTicks;

    /// <summary>Reads and serializes the state's fields.</summary>
    public IFieldEncoder Fields { get; } = fields;

    /// <summary>The state snapshot.</summary>
    public object State { get; } = state;

    /// <summary>One bit per field this checkpoint gives a new version (field 0 is bit 0).</summary>
    public ulong Changed { get; } = changed;

    /// <summary>The run's frame before this one, which is its parent; null when the parent is not a frame (or there is none).</summary>
    public CheckpointFrame? Previous { get; } = previous;

    /// <summary>The parent's id when <see cref="Previous"/> is null; null for a thread's first checkpoint.</summary>
    public string? ParentId { get; } = parentId;

    /// <summary>
    /// Null, or the version owner of each field this checkpoint does not change (a frame, or the id of a checkpoint stored
    /// otherwise; the entries of the fields it changes are not read). Set on the first frame of a run's chain (unless it
    /// changes every field) and every <see cref="KeyInterval"/>th.
    /// </summary>
    public object?[]? Owners { get; } = owners;

    public int Step { get; } = step;

    public CheckpointSource Source { get; } = source;

    public IReadOnlyList<string> Next { get; } = next;

    /// <summary>The id, formatted on first use.</summary>
    public string Id => _id ??= CheckpointIds.Format(IdTicks, Counter);

    /// <summary>The id of what owns a field version: a frame's id, or the id itself.</summary>
    public static string VersionOf(object owner) => owner as string ?? ((CheckpointFrame)owner).Id;

    /// <summary>Id order: numeric between frames, ordinal otherwise (the same order, for ids <see cref="CheckpointIds"/> made).</summary>
    public int CompareTo(CheckpointFrame other)
    {
        var byTicks = IdTicks.CompareTo(other.IdTicks);
        return byTicks != 0 ? byTicks : Counter.CompareTo(other.Counter);
    }

    /// <summary>Who owns field <paramref name="field"/>'s version: this frame or one before it, or the id of a checkpoint stored otherwise.</summary>
    public object Owner(int field)
    {
        for (var frame = this; frame is not null; frame = frame.Previous)
        {
            if ((frame.Changed & (1UL << field)) != 0)
            {
                return frame;
            }

            if (frame.Owners is { } owners)
            {
                return owners[field] ?? throw NoVersion(field);
            }
        }

        throw NoVersion(field);
    }

    private InvalidOperationException NoVersion(int field) =>
        new($"Checkpoint '{Id}' names no version of field '{Fields.Schema.Fields[field].Name}' of {Fields.StateType.Name}.");

    /// <summary>The blob of field <paramref name="field"/> at this frame's version: its value, serialized if someone reads the bytes.</summary>
    public FieldBlob Blob(int field) =>
        new(Fields.Schema.Fields[field].Name, Id, Fields, field, Fields.GetField(State, field));

    /// <summary>The checkpoint as <see cref="ICheckpointer"/> callers see it.</summary>
    /// <param name="thread">The thread.</param>
    /// <param name="ns">The namespace.</param>
    /// <param name="owners">Null, or one slot per field that receives its version's owner (see <see cref="Owner"/>).</param>
    public Checkpoint ToCheckpoint(string thread, string ns, object[]? owners = null)
    {
        var schema = Fields.Schema;
        var versions = new string[schema.Fields.Length];
        for (var i = 0; i < versions.Length; i++)
        {
            var owner = Owner(i);
            versions[i] = VersionOf(owner);
            if (owners is not null)
            {
                owners[i] = owner;
            }
        }

        return new Checkpoint
        {
            ThreadId = thread,
            Namespace = ns,
            Id = Id,
            ParentId = Previous?.Id ?? ParentId,
            Step = Step,
            Source = Source,
            CreatedAt = new DateTimeOffset(CreatedTicks, TimeSpan.Zero),
            SchemaVersion = schema.Version,
            FieldVersions = new ArrayMap(schema.FieldNames, versions),
            Next = Next,
            Metadata = EngineMetadata.Of(Source, Step),
        };
    }
}
