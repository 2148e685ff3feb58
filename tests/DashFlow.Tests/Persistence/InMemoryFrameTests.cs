using DashFlow.Persistence;
using DashFlow.Sqlite;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>Every field immutable and init-only: the in-memory store keeps each checkpoint's state object itself.</summary>
[GraphState]
public partial record FrameState
{
    public int Counter { get; init; }

    public string Label { get; init; } = "";
}

/// <summary>The same shape with a settable property: its objects can change, so checkpoints keep copies, not them.</summary>
[GraphState]
public partial record SettableState
{
    public int Counter { get; set; }
}

/// <summary>
/// The in-memory store keeps the checkpoints of a state whose objects never change as frames: the state object and where
/// the run stands, with field versions found by walking back. What it reads back must be what a store of bytes reads.
/// </summary>
public sealed class InMemoryFrameTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dashflow-frames-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>A loop of <paramref name="steps"/> ticks; the label changes at the start and at tick 40 only.</summary>
    private static CompiledGraph<FrameState> Loop(ICheckpointer store, int steps) => new StateGraph<FrameState>()
        .AddNode("tick", s => s.Counter == 40 ? new FrameState.Update { Counter = s.Counter + 1, Label = "forty" } : new FrameState.Update { Counter = s.Counter + 1 })
        .AddEdge(Graph.Start, "tick")
        .AddConditionalEdges("tick", s => s.Counter < steps ? "tick" : Graph.End, ["tick", Graph.End])
        .Compile(new CompileOptions { Checkpointer = store });

    [Fact]
    public async Task A_long_run_reads_back_the_same_history_as_a_store_of_bytes()
    {
        // 100 supersteps: several times the interval at which frames list every field's owner again.
        var memory = new InMemoryCheckpointer();
        await using var file = new SqliteCheckpointer(_path);
        var config = Thread() with { RecursionLimit = 200 };
        await Loop(memory, 100).InvokeAsync(new FrameState { Label = "start" }, config);
        await Loop(file, 100).InvokeAsync(new FrameState { Label = "start" }, config);

        var kept = await Shape(memory, config);
        var stored = await Shape(file, config);

        Assert.Equal(101, kept.Count);
        Assert.Equal(stored, kept);

        // The label's version moves only where its value changed: the input and tick 40's superstep.
        Assert.Equal(2, kept.Select(c => c.Versions.Split(',')[1]).Distinct().Count());
    }

    [Fact]
    public async Task Time_travel_on_frames_reads_each_checkpoint_by_id_and_replays_a_branch()
    {
        var store = new InMemoryCheckpointer();
        var app = Loop(store, 5);
        var config = Thread();
        await app.InvokeAsync(new FrameState { Label = "start" }, config);
        var history = await app.GetStateHistoryAsync(config).ToListAsync();
        var third = history.Single(h => h.Checkpoint.Step == 2);

        // Read by id (the store parses the id back into the frame's numbers) and by an equal string that is a copy.
        var byId = await store.GetAsync(config.ThreadId!, "", new string(third.Checkpoint.Id.AsSpan()));
        Assert.Equal(third.Checkpoint, byId!.Checkpoint);
        Assert.Null(await store.GetAsync(config.ThreadId!, "", third.Checkpoint.Id.ToUpperInvariant()));
        Assert.Equal(2, (await app.GetStateAsync(third.Config)).Values.Counter);

        var replayed = await app.InvokeAsync((FrameState?)null, third.Config);

        Assert.Equal(5, replayed.Counter);
        var after = await app.GetStateHistoryAsync(config).ToListAsync();
        Assert.Equal(history.Count + 3, after.Count);
        Assert.Equal(third.Checkpoint.Id, after[2].Checkpoint.ParentId);
        foreach (var old in history)
        {
            Assert.Equal(old.Checkpoint, after.Single(h => h.Checkpoint.Id == old.Checkpoint.Id).Checkpoint);
        }
    }

    [Fact]
    public async Task A_run_that_follows_a_checkpoint_stored_otherwise_names_its_versions()
    {
        // Metadata makes the first run store ordinary checkpoints; the second run, without, stores frames after them.
        var store = new InMemoryCheckpointer();
        var config = Thread();
        await Loop(store, 3).InvokeAsync(new FrameState { Label = "start" }, config with { Metadata = new Dictionary<string, object?> { ["user"] = "ann" } });
        var first = (await store.GetAsync(config.ThreadId!, "", null))!;

        var app = Loop(store, 6);
        await app.UpdateStateAsync(config, new FrameState.Update { Counter = 3 }, asNode: "tick");
        var resumed = await app.InvokeAsync((FrameState?)null, config);

        Assert.Equal(6, resumed.Counter);
        var latest = (await store.GetAsync(config.ThreadId!, "", null))!;
        Assert.Equal(first.Checkpoint.FieldVersions["Label"], latest.Checkpoint.FieldVersions["Label"]);
        Assert.Equal("start", (await app.GetStateAsync(config)).Values.Label);
        Assert.Equal(first.Fields.Single(f => f.Field == "Label").Data, latest.Fields.Single(f => f.Field == "Label").Data);
    }

    [Fact]
    public async Task A_state_object_that_can_change_is_not_what_history_holds()
    {
        var app = new StateGraph<SettableState>()
            .AddNode("tick", s => new SettableState.Update { Counter = s.Counter + 1 })
            .AddEdge(Graph.Start, "tick")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        var final = await app.InvokeAsync(new SettableState(), config);
        final.Counter = 99;

        Assert.Equal(1, (await app.GetStateAsync(config)).Values.Counter);
        Assert.False(SettableState.Schema.Fields[0].IsImmutable);
        Assert.All(FrameState.Schema.Fields, f => Assert.True(f.IsImmutable));
    }

    [Fact]
    public async Task Deleting_the_thread_while_a_run_holds_it_refuses_the_run_next_checkpoint()
    {
        var store = new InMemoryCheckpointer();
        var config = Thread();
        var app = new StateGraph<FrameState>()
            .AddNode("a", async (FrameState s, CancellationToken _) =>
            {
                await store.DeleteThreadAsync(config.ThreadId!);
                return new FrameState.Update { Counter = 1 };
            })
            .AddEdge(Graph.Start, "a")
            .Compile(new CompileOptions { Checkpointer = store });

        var error = await Assert.ThrowsAsync<CheckpointConflictException>(async () => await app.InvokeAsync(new FrameState(), config));

        Assert.Null(error.LatestId);
        Assert.Null(await store.GetAsync(config.ThreadId!, "", null));
    }

    [Fact]
    public void A_field_keeps_its_version_when_it_holds_the_same_object_or_an_equal_value()
    {
        var before = new FrameState { Counter = 1, Label = "ab" };

        Assert.True(Same(before, before with { Label = new string("ab".AsSpan()) }, 1));
        Assert.True(Same(before, before with { Label = "ab" }, 0));
        Assert.False(Same(before, before with { Counter = 2 }, 0));
        Assert.False(Same(before, before with { Label = "ba" }, 1));

        // Equal sequences in two objects are two versions: a checkpoint does not compare lists item by item.
        Assert.False(DashFlow.Internals.StateWrites.SameStored(ImmutableList.Create(1), ImmutableList.Create(1)));

        static bool Same<TState>(TState a, TState b, int field)
            where TState : class, IGraphState<TState> => TState.SameField(a, b, field);
    }

    /// <summary>Each checkpoint, oldest first: its step, the position of the checkpoint that owns each field's version, and the values.</summary>
    private static async Task<List<(int Step, string Versions, int Counter, string Label)>> Shape(ICheckpointer store, RunConfig config)
    {
        var tuples = await store.ListAsync(config.ThreadId!, "").ToListAsync();
        tuples.Reverse();
        var position = tuples.Select((t, i) => (t.Checkpoint.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var app = Loop(store, 0);
        var shape = new List<(int, string, int, string)>();
        foreach (var tuple in tuples)
        {
            var values = (await app.GetStateAsync(config with { CheckpointId = tuple.Checkpoint.Id })).Values;
            var versions = $"{position[tuple.Checkpoint.FieldVersions["Counter"]]},{position[tuple.Checkpoint.FieldVersions["Label"]]}";
            shape.Add((tuple.Checkpoint.Step, versions, values.Counter, values.Label));
        }

        return shape;
    }
}
