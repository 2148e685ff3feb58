using System.Collections.Immutable;
using DashFlow.Persistence;
using Xunit;
using static DashFlow.Reduce;

namespace DashFlow.Tests.Persistence;

/// <summary>
/// What every checkpointer must do when a checkpoint does not follow its thread's latest: refuse it with
/// <see cref="CheckpointConflictException"/> and store nothing of it. Shared by the tests of each store.
/// </summary>
public static class CheckpointConflictContract
{
    public static async Task RunAsync(ICheckpointer store, string thread)
    {
        await store.PutAsync(At(thread, "0001", parent: null), [new FieldBlob("A", "0001", [1])]);

        // A second "first" checkpoint: another run started the same new thread.
        var second = await Assert.ThrowsAsync<CheckpointConflictException>(async () => await store.PutAsync(At(thread, "0002", parent: null), [new FieldBlob("A", "0002", [2])]));
        Assert.Equal((thread, "", "0002", (string?)null, (string?)"0001"), (second.ThreadId, second.CheckpointNamespace, second.CheckpointId, second.ParentId, second.LatestId));
        Assert.Contains($"thread '{thread}'", second.Message, StringComparison.Ordinal);
        Assert.Contains("'0001'", second.Message, StringComparison.Ordinal);

        await store.PutAsync(At(thread, "0002", parent: "0001"), [new FieldBlob("A", "0002", [2])]);

        // A checkpoint that follows one that is no longer the latest: another run got there first.
        var stale = await Assert.ThrowsAsync<CheckpointConflictException>(async () => await store.PutAsync(At(thread, "0003", parent: "0001"), [new FieldBlob("A", "0003", [3])]));
        Assert.Equal(("0001", (string?)"0002"), (stale.ParentId, stale.LatestId));

        // Nothing of a refused checkpoint is stored: the thread still ends at 0002 with its own blob.
        var latest = (await store.GetAsync(thread, "", null))!;
        Assert.Equal("0002", latest.Checkpoint.Id);
        Assert.Equal([2], latest.Fields.Single().Data);
        Assert.Null(await store.GetAsync(thread, "", "0003"));
        Assert.Equal(["0002", "0001"], await Ids(store, thread, ""));

        // Storing the latest again replaces it; a branch off an older checkpoint is not checked.
        await store.PutAsync(At(thread, "0002", parent: "0001"), [new FieldBlob("A", "0002", [2])]);
        await store.PutAsync(At(thread, "0003", parent: "0001") with { Source = CheckpointSource.Fork }, [new FieldBlob("A", "0003", [3])]);
        await store.PutAsync(At(thread, "0004", parent: "0003"), []);
        Assert.Equal(["0004", "0003", "0002", "0001"], await Ids(store, thread, ""));

        // Namespaces are separate histories.
        await store.PutAsync(At(thread, "0005", parent: null) with { Namespace = "child:1.0" }, []);
        await Assert.ThrowsAsync<CheckpointConflictException>(async () => await store.PutAsync(At(thread, "0006", parent: null) with { Namespace = "child:1.0" }, []));
        await store.PutAsync(At(thread, "0006", parent: "0004"), []);
    }

    /// <summary>
    /// Run 1 stops inside node b; run 2, on the other graph or store, runs the same thread to its end; then run 1 goes on
    /// and its next checkpoint is refused.
    /// </summary>
    public static async Task RaceAsync(ICheckpointer first, ICheckpointer second, Durability durability)
    {
        var gate = new SemaphoreSlim(0);
        var inB = new SemaphoreSlim(0);
        var slow = Chain((gate, inB)).Compile(new CompileOptions { Checkpointer = first });
        var fast = Chain(gate: null).Compile(new CompileOptions { Checkpointer = second });
        var config = new RunConfig { ThreadId = "race", Durability = durability };

        var run1 = Task.Run(async () => await slow.InvokeAsync(new RaceState { Query = "one" }, config));
        await inB.WaitAsync(TimeSpan.FromSeconds(30));
        var won = await fast.InvokeAsync(new RaceState { Query = "two" }, config with { Durability = Durability.Sync });
        var before = await fast.GetStateHistoryAsync(config).Select(h => h.Checkpoint.Id).ToListAsync();
        gate.Release();

        var error = await Assert.ThrowsAsync<CheckpointConflictException>(() => run1);

        Assert.Equal(["a", "b", "c"], won.Log);
        Assert.Equal("race", error.ThreadId);
        Assert.Equal(before[0], error.LatestId);
        Assert.Contains("thread 'race'", error.Message, StringComparison.Ordinal);

        // The winner's checkpoints are all there and still the latest; the refused run added none.
        var after = await fast.GetStateHistoryAsync(config).Select(h => h.Checkpoint.Id).ToListAsync();
        Assert.Equal(before, after);
        var state = await fast.GetStateAsync(config);
        Assert.Equal("two", state.Values.Query);
        Assert.Empty(state.Next);
    }

    public static StateGraph<RaceState> Chain((SemaphoreSlim Gate, SemaphoreSlim InB)? gate) => new StateGraph<RaceState>()
        .AddNode("a", _ => Logs("a"))
        .AddNode("b", async (RaceState _, CancellationToken cancellationToken) =>
        {
            if (gate is { } g)
            {
                g.InB.Release();
                await g.Gate.WaitAsync(cancellationToken);
            }

            return Logs("b");
        })
        .AddNode("c", _ => Logs("c"))
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "b")
        .AddEdge("b", "c");

    private static RaceState.Update Logs(string item) => new() { Log = [item] };

    private static Checkpoint At(string thread, string id, string? parent) => new()
    {
        ThreadId = thread,
        Id = id,
        ParentId = parent,
        Source = CheckpointSource.Loop,
        FieldVersions = new Dictionary<string, string> { ["A"] = id },
    };

    private static async Task<List<string>> Ids(ICheckpointer store, string thread, string ns)
    {
        var ids = new List<string>();
        await foreach (var tuple in store.ListAsync(thread, ns))
        {
            ids.Add(tuple.Checkpoint.Id);
        }

        return ids;
    }
}

/// <summary>The state of the race graph.</summary>
[GraphState]
public partial record RaceState
{
    public string Query { get; init; } = "";

    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
}
