using DashFlow.Persistence;
using DashFlow.Sqlite;
using static DashFlow.Reduce;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>A state with immutable fields (kept as they are in memory) and a mutable one (always stored as bytes).</summary>
[GraphState]
public partial record KeptState
{
    public int Count { get; init; }

    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];

    public List<string> Scratch { get; init; } = [];
}

/// <summary>
/// An in-memory checkpointer keeps the values of immutable fields themselves, not their bytes: a checkpoint reads back
/// the same as one stored as bytes, mutable fields are still copied when the checkpoint is taken, and the bytes are there
/// for anyone who reads them.
/// </summary>
public sealed class InMemoryValueTests
{
    private static StateGraph<KeptState> Graph() => new StateGraph<KeptState>()
        .AddNode("a", s => new KeptState.Update { Count = s.Count + 1, Log = ["a"], Scratch = [.. s.Scratch, "a"] })
        .AddNode("b", s => new KeptState.Update { Count = s.Count + 1, Log = ["b"] })
        .AddEdge(DashFlow.Graph.Start, "a")
        .AddEdge("a", "b");

    [Fact]
    public async Task Immutable_values_are_kept_as_they_are_and_still_read_back_as_bytes()
    {
        var store = new InMemoryCheckpointer();
        var app = Graph().Compile(new CompileOptions { Checkpointer = store });
        var config = Thread();

        var final = await app.InvokeAsync(new KeptState(), config);

        var latest = (await store.GetAsync(config.ThreadId!, "", null))!;
        var log = latest.Fields.Single(f => f.Field == nameof(KeptState.Log));

        // The very list the run ended with, not a copy made from bytes.
        var state = await app.GetStateAsync(config);
        Assert.Same(final.Log, state.Values.Log);
        Assert.Equal(["a", "b"], state.Values.Log);
        Assert.Equal(2, state.Values.Count);

        // Its bytes, made on demand, are those a store that keeps bytes gets: they read back through a SQLite file.
        Assert.NotEmpty(log.Data);
        var path = Path.Combine(Path.GetTempPath(), $"dashflow-kept-{Guid.NewGuid():N}.db");
        try
        {
            await using (var file = new SqliteCheckpointer(path))
            {
                var copy = Graph().Compile(new CompileOptions { Checkpointer = file });
                var stored = await store.ListAsync(config.ThreadId!, "").ToListAsync();
                stored.Reverse();
                foreach (var tuple in stored)
                {
                    // Oldest first, so each checkpoint follows the one stored before it.
                    var introduced = tuple.Fields.Where(f => f.Version == tuple.Checkpoint.Id).Select(f => new FieldBlob(f.Field, f.Version, f.Data)).ToList();
                    await file.PutAsync(tuple.Checkpoint, introduced);
                }

                var read = await copy.GetStateAsync(config);
                Assert.Equal(state.Values.Log, read.Values.Log);
                Assert.Equal(state.Values.Count, read.Values.Count);
                Assert.Equal(state.Values.Scratch, read.Values.Scratch);
                Assert.NotSame(state.Values.Log, read.Values.Log);
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + "-wal");
            File.Delete(path + "-shm");
        }
    }

    [Fact]
    public async Task A_mutable_field_is_copied_when_the_checkpoint_is_taken()
    {
        var app = Graph().Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        var final = await app.InvokeAsync(new KeptState(), config);

        // Changing the list the run returned does not change history: the checkpoint holds its bytes, not the list.
        final.Scratch.Add("changed later");

        var history = await app.GetStateHistoryAsync(config).ToListAsync();
        Assert.Equal(["a"], history[0].Values.Scratch);
        Assert.NotSame(final.Scratch, history[0].Values.Scratch);
    }
}
