using DashFlow.Persistence;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>Version 2 of a person: version 1 called <see cref="FullName"/> "Name".</summary>
[GraphState(Version = 2)]
public partial record PersonV2
{
    public string FullName { get; init; } = "";

    [Reducer(Reduce.Sum)] public int Visits { get; init; }
}

/// <summary>Semantics §4: the payload frame, corrupt checkpoints, schema migrations.</summary>
public sealed class PayloadAndMigrationTests
{
    private static StateGraph<DemoState> Chain() => new StateGraph<DemoState>()
        .AddNode("a", s => ConformanceSupport.Logs("a"))
        .AddNode("b", s => ConformanceSupport.Logs("b"))
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "b");

    [Fact]
    public void A_frame_round_trips_and_refuses_corrupt_truncated_and_unknown_versions()
    {
        var payload = Enumerable.Range(0, 1000).Select(i => (byte)(i % 7)).ToArray();
        foreach (var compress in new[] { false, true })
        {
            var frame = CheckpointPayload.Wrap(payload, 3, compress);
            Assert.Equal(payload, CheckpointPayload.Unwrap(frame, out var version));
            Assert.Equal(3, version);
            if (compress)
            {
                Assert.True(frame.Length < payload.Length / 2);
            }
        }

        var good = CheckpointPayload.Wrap(payload, 1, false);
        var corrupt = (byte[])good.Clone();
        corrupt[^1] ^= 0xff;
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => CheckpointPayload.Unwrap(corrupt, out _)).Message, StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => CheckpointPayload.Unwrap(good.AsSpan(0, good.Length - 10), out _)).Message, StringComparison.Ordinal);
        var future = (byte[])good.Clone();
        future[2] = 9;
        Assert.Contains("format version is 9", Assert.Throws<InvalidDataException>(() => CheckpointPayload.Unwrap(future, out _)).Message, StringComparison.Ordinal);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => CheckpointPayload.Unwrap("xyz"u8, out _)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_an_error_naming_thread_and_checkpoint_and_earlier_ones_stay_usable()
    {
        // A store that keeps bytes (the in-memory one keeps immutable values as they are, with no bytes to damage).
        var store = new CountingCheckpointer();
        var app = Chain().Compile(new CompileOptions { Checkpointer = store });
        var config = Thread();
        await app.InvokeAsync(new DemoState(), config);
        var latest = (await store.GetAsync(config.ThreadId!, "", null))!;

        // The latest checkpoint is the first to store this value of Log; damage its bytes where they are stored.
        var blob = latest.Fields.Single(f => f.Field == nameof(DemoState.Log));
        Assert.Equal(latest.Checkpoint.Id, blob.Version);
        blob.Data[^1] ^= 0xff;

        var error = await Assert.ThrowsAsync<CheckpointReadException>(() => app.GetStateAsync(config).AsTask());
        Assert.Equal(config.ThreadId, error.ThreadId);
        Assert.Equal(latest.Checkpoint.Id, error.CheckpointId);
        Assert.Contains(latest.Checkpoint.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CheckpointReadException>(() => app.InvokeAsync((DemoState?)null, config).AsTask());

        var earlier = await app.GetStateAsync(config with { CheckpointId = latest.Checkpoint.ParentId });
        Assert.Equal(["a"], earlier.Values.Log);
        var replayed = await app.InvokeAsync((DemoState?)null, earlier.Config);
        Assert.Equal(["a", "b"], replayed.Log);
    }

    [Fact]
    public async Task Compressed_checkpoints_read_back()
    {
        var app = new StateGraph<BigState>()
            .AddNode("a", s => new BigState.Update { Count = 1 })
            .AddEdge(Graph.Start, "a")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer(), CompressCheckpoints = true });
        var config = Thread();
        await app.InvokeAsync(new BigState { Big = new string('z', 50_000) }, config);

        var state = await app.GetStateAsync(config);

        Assert.Equal(50_000, state.Values.Big.Length);
        Assert.Equal(1, state.Values.Count);
    }

    private static async Task<InMemoryCheckpointer> StoreWithVersion1Checkpoint(string thread)
    {
        // What version 1 of the state stored: a field "Name" and a field "Visits".
#pragma warning disable IL2026, IL3050 // The test uses the interim reflection-based serializer on purpose.
        var serializer = MessagePackContractlessSerializer.Instance;
#pragma warning restore IL2026, IL3050
        var store = new InMemoryCheckpointer();
        var checkpoint = new Checkpoint
        {
            ThreadId = thread,
            Id = "0000000000000001-0000000000000001",
            Step = 1,
            SchemaVersion = 1,
            FieldVersions = new Dictionary<string, string> { ["Name"] = "v1", ["Visits"] = "v1" },
        };
        await store.PutAsync(checkpoint, [
            new FieldBlob("Name", "v1", CheckpointPayload.Wrap(serializer.Serialize("Ada", typeof(string)), 1, false)),
            new FieldBlob("Visits", "v1", CheckpointPayload.Wrap(serializer.Serialize(4, typeof(int)), 1, false)),
        ]);
        return store;
    }

    private static StateGraph<PersonV2> Visit() => new StateGraph<PersonV2>()
        .AddNode("visit", s => new PersonV2.Update { Visits = 1 })
        .AddEdge(Graph.Start, "visit");

    [Fact]
    public async Task A_missing_migration_is_an_error_naming_both_versions()
    {
        var config = Thread();
        var app = Visit().Compile(new CompileOptions { Checkpointer = await StoreWithVersion1Checkpoint(config.ThreadId!) });

        var error = await Assert.ThrowsAsync<CheckpointMigrationException>(() => app.GetStateAsync(config).AsTask());

        Assert.Equal(1, error.StoredVersion);
        Assert.Equal(2, error.CurrentVersion);
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(config.ThreadId!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_migration_upgrades_an_older_checkpoint()
    {
        var config = Thread();
        var store = await StoreWithVersion1Checkpoint(config.ThreadId!);
        var app = Visit().Compile(new CompileOptions
        {
            Checkpointer = store,
            Migrations = [new StateMigration(1, m => m.Rename("Name", nameof(PersonV2.FullName)))],
        });

        var old = await app.GetStateAsync(config);
        Assert.Equal("Ada", old.Values.FullName);
        Assert.Equal(4, old.Values.Visits);

        var next = await app.InvokeAsync(new Command<PersonV2> { Update = new PersonV2.Update { Visits = 10 } }, config);
        Assert.Equal(15, next.Visits);
        var latest = await app.GetStateAsync(config);
        Assert.Equal(2, latest.Checkpoint.SchemaVersion);
        Assert.Equal("Ada", latest.Values.FullName);
    }
}

/// <summary>The generated field formatters: used by default, and wire-compatible with the interim serializer.</summary>
public sealed class GeneratedFormatterTests
{
    private static byte[]? Serialize<TState>(int field, object? value)
        where TState : class, IGraphState<TState> => TState.SerializeField(field, value);

    private static object? Deserialize<TState>(int field, byte[] data)
        where TState : class, IGraphState<TState> => TState.TryDeserializeField(field, data, out var value) ? value : throw new InvalidOperationException("no generated formatter");

    [Fact]
    public void Generated_formatters_round_trip_and_write_what_the_interim_serializer_writes()
    {
#pragma warning disable IL2026, IL3050 // The comparison uses the interim reflection-based serializer on purpose.
        var interim = MessagePackContractlessSerializer.Instance;
#pragma warning restore IL2026, IL3050
        var state = new DemoState { Query = "q", Log = ["a", "b"], Count = 7 };
        for (var i = 0; i < DemoState.Schema.Fields.Length; i++)
        {
            var field = DemoState.Schema.Fields[i];
            var value = ((IGraphStateAccess)new Access<DemoState>()).Get(state, i);
            var generated = Serialize<DemoState>(i, value);
            Assert.NotNull(generated);
            Assert.Equal(interim.Serialize(value, field.Type), generated);
            Assert.Equal(value is System.Collections.IEnumerable e && value is not string ? e.Cast<object>().ToList() : value,
                Deserialize<DemoState>(i, generated!) is System.Collections.IEnumerable back && value is not string ? back.Cast<object>().ToList() : Deserialize<DemoState>(i, generated!));
        }

        var big = new BigState { Big = "x", Log = ["l"], Count = 2 };
        Assert.Equal(big.Big, Deserialize<BigState>(0, Serialize<BigState>(0, big.Big)!));
    }

    [Fact]
    public async Task A_stored_field_is_framed_around_exactly_the_bytes_the_generated_formatter_writes()
    {
        // The engine frames the bytes the formatter writes in place; the frame must be the one Wrap makes of them.
        var store = new CountingCheckpointer();
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => new DemoState.Update { Query = new string('q', 5_000), Log = ["a", "b"], Count = 7 })
            .AddEdge(Graph.Start, "a")
            .Compile(new CompileOptions { Checkpointer = store });
        var config = new RunConfig { ThreadId = nameof(A_stored_field_is_framed_around_exactly_the_bytes_the_generated_formatter_writes) };
        var state = await app.InvokeAsync(new DemoState(), config);

        var latest = (await store.GetAsync(config.ThreadId, "", null))!;
        Assert.Equal(3, latest.Fields.Count);
        foreach (var blob in latest.Fields)
        {
            var (i, value) = GeneratedFields<DemoState>.Of(state, blob.Field);
            var written = GeneratedFields<DemoState>.Serialize(i, value);
            Assert.Equal(CheckpointPayload.Wrap(written, DemoState.Schema.Version, compress: false), blob.Data);
            Assert.Equal(written, CheckpointPayload.Unwrap(blob.Data, out _));
        }
    }

    private interface IGraphStateAccess
    {
        object? Get(object state, int field);
    }

    private sealed class Access<TState> : IGraphStateAccess
        where TState : class, IGraphState<TState>
    {
        public object? Get(object state, int field) => TState.GetField((TState)state, field);
    }
}
