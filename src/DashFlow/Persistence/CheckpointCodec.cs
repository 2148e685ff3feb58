using System.Buffers;
using MessagePack;

namespace DashFlow.Persistence;

/// <summary>
/// Turns a state's values into framed bytes (<see cref="CheckpointPayload"/>) and back, and migrates checkpoints written
/// by older schema versions.
/// </summary>
/// <remarks>
/// Field values go through the state's generated formatters unless <see cref="CompileOptions.Serializer"/> names a
/// serializer; values of unknown type (Send arguments, interrupt values, answers) through the serializer, which records
/// their type.
/// </remarks>
internal sealed class CheckpointCodec<TState>(ICheckpointSerializer serializer, bool useGenerated, bool compress, IReadOnlyList<StateMigration>? migrations)
    : IFieldEncoder
    where TState : class, IGraphState<TState>
{
    public ICheckpointSerializer Serializer { get; } = serializer;

    /// <summary>
    /// Whether field values are stored by the state's generated formatters, so that a value handed over as it is
    /// (<see cref="FieldBlob"/> for an <see cref="StateField.IsImmutable"/> field) reads back as its bytes would.
    /// </summary>
    public bool UsesGenerated => useGenerated;

    public Type StateType => typeof(TState);

    public StateSchema Schema => TState.Schema;

    public object? GetField(object state, int field) => TState.GetField((TState)state, field);

    public byte[] EncodeField(int field, object? value)
    {
        // The generated formatter writes straight after the frame's header: one array per value, not two.
        if (useGenerated && !compress
            && CheckpointPayload.WrapWritten((field, value), static (f, output) => TState.TryWriteField(f.field, f.value, output), TState.Schema.Version) is { } frame)
        {
            return frame;
        }

        return Frame(SerializeField(field, value));
    }

    private byte[] SerializeField(int field, object? value) =>
        (useGenerated ? TState.SerializeField(field, value) : null) ?? Serializer.Serialize(value, TState.Schema.Fields[field].Type);

    private object? DeserializeField(int field, byte[] payload) =>
        useGenerated && TState.TryDeserializeField(field, payload, out var value) ? value : Serializer.Deserialize(payload, TState.Schema.Fields[field].Type);

    public byte[] EncodeAny(object? value) => Frame(Serializer.SerializeAny(value));

    public object? DecodeAny(byte[] data) => Serializer.DeserializeAny(CheckpointPayload.Unwrap(data, out _));

    private byte[] Frame(byte[] payload) => CheckpointPayload.Wrap(payload, TState.Schema.Version, compress);

    /// <summary>Turns a checkpoint's field blobs back into a state, migrating it first when it is older.</summary>
    /// <param name="tuple">The checkpoint.</param>
    /// <param name="versions">Each field's stored version; null for fields a migration changed (they are stored again).</param>
    /// <param name="migrated">Whether the checkpoint was migrated (its pending writes are then not reused).</param>
    public TState DecodeState(CheckpointTuple tuple, out string?[] versions, out bool migrated)
    {
        var checkpoint = tuple.Checkpoint;
        var schema = TState.Schema;
        var fieldVersions = versions = new string?[schema.Fields.Length];
        var isMigrated = migrated = checkpoint.SchemaVersion != schema.Version;
        var chain = isMigrated ? Chain(checkpoint) : null;
        try
        {
            if (tuple.Fields.Count != checkpoint.FieldVersions.Count)
            {
                var missing = checkpoint.FieldVersions.Keys.Except(tuple.Fields.Select(f => f.Field));
                throw new CheckpointReadException(checkpoint.ThreadId, checkpoint.Id, $"the stored values of [{string.Join(", ", missing)}] are missing.");
            }

            var payloads = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var blobVersions = new Dictionary<string, string>(StringComparer.Ordinal);
            Dictionary<string, object?>? values = null;
            foreach (var blob in tuple.Fields)
            {
                blobVersions[blob.Field] = blob.Version;

                // A value kept as it is (in memory, by this state's runs) needs no bytes, unless a migration reads them.
                if (chain is null && useGenerated && blob.TryGetValue(typeof(TState), out var value))
                {
                    (values ??= new(StringComparer.Ordinal))[blob.Field] = value;
                    continue;
                }

                payloads[blob.Field] = CheckpointPayload.Unwrap(blob.Data, out _);
            }

            if (chain is not null)
            {
                var context = new StateMigrationContext(payloads, Serializer, checkpoint.SchemaVersion);
                foreach (var migration in chain)
                {
                    migration.Apply(context);
                }
            }

            var update = TState.CreateUpdate();
            var found = 0;
            foreach (var (name, payload) in payloads)
            {
                if (schema.IndexOf(name) is var i and >= 0)
                {
                    Set(i, name, DeserializeField(i, payload));
                }
            }

            foreach (var (name, value) in values ?? [])
            {
                if (schema.IndexOf(name) is var i and >= 0)
                {
                    Set(i, name, value);
                }
            }

            return found == 0 ? TState.CreateDefault() : TState.ApplyWrites(TState.CreateDefault(), [new StateWrite<TState>(Graph.Start, update)]);

            void Set(int i, string name, object? value)
            {
                update.SetField(i, value, schema.Fields[i].Reducer != ReducerKind.Replace);
                fieldVersions[i] = isMigrated ? null : blobVersions[name];
                found++;
            }
        }
        catch (Exception e) when (e is not CheckpointReadException and not OperationCanceledException)
        {
            throw new CheckpointReadException(checkpoint.ThreadId, checkpoint.Id, $"its state does not read back as {typeof(TState).Name}: {e.Message}", e);
        }
    }

    private List<StateMigration> Chain(Checkpoint checkpoint)
    {
        var current = TState.Schema.Version;
        var chain = new List<StateMigration>();
        for (var version = checkpoint.SchemaVersion; version != current; version++)
        {
            var step = version < current ? migrations?.FirstOrDefault(m => m.FromVersion == version) : null;
            if (step is null)
            {
                throw new CheckpointMigrationException(checkpoint.ThreadId, checkpoint.Id, checkpoint.SchemaVersion, current);
            }

            chain.Add(step);
        }

        return chain;
    }

    public byte[] EncodeUpdate(StateUpdate<TState> update)
    {
        var fields = TState.Schema.Fields;
        var count = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            count += update.TryGetField(i, out _, out _) ? 1 : 0;
        }

        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(count);
        for (var i = 0; i < fields.Length; i++)
        {
            if (update.TryGetField(i, out var value, out var overwrite))
            {
                writer.Write(fields[i].Name);
                writer.WriteArrayHeader(2);
                writer.Write(overwrite);
                writer.Write(SerializeField(i, value));
            }
        }

        writer.Flush();
        return Frame(buffer.WrittenSpan.ToArray());
    }

    public StateUpdate<TState> DecodeUpdate(byte[] data)
    {
        var schema = TState.Schema;
        var update = TState.CreateUpdate();
        var reader = new MessagePackReader(CheckpointPayload.Unwrap(data, out _));
        var count = reader.ReadMapHeader();
        for (var n = 0; n < count; n++)
        {
            var name = reader.ReadString() ?? "";
            var i = schema.IndexOf(name);
            if (reader.ReadArrayHeader() != 2 || i < 0)
            {
                throw new InvalidDataException($"a stored update writes field '{name}', which {typeof(TState).Name} does not have.");
            }

            var overwrite = reader.ReadBoolean();
            var bytes = reader.ReadBytes()?.ToArray() ?? [];
            update.SetField(i, DeserializeField(i, bytes), overwrite);
        }

        return update;
    }
}
