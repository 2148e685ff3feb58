using DashFlow.Persistence;
using DashFlow.Sqlite;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>
/// Two runs on one thread at once, where no in-process lock can see both: two compiled graphs on one store, or two
/// SQLite checkpointers on one file (as two processes would have). The store refuses the checkpoint of the run that
/// fell behind; the winner's history is intact and the loser stores nothing more.
/// </summary>
public sealed class ConcurrentRunTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dashflow-race-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Fact]
    public Task The_in_memory_store_keeps_the_contract() => CheckpointConflictContract.RunAsync(new InMemoryCheckpointer(), "t");

    [Fact]
    public async Task The_SQLite_store_keeps_the_contract()
    {
        await using var store = new SqliteCheckpointer(_path);
        await CheckpointConflictContract.RunAsync(store, "t");
    }

    [Theory]
    [InlineData(Durability.Sync)]
    [InlineData(Durability.Async)]
    public async Task Two_graphs_on_one_in_memory_store_cannot_both_run_a_thread(Durability durability)
    {
        var store = new InMemoryCheckpointer();
        await CheckpointConflictContract.RaceAsync(store, store, durability);
    }

    [Theory]
    [InlineData(Durability.Sync)]
    [InlineData(Durability.Exit)]
    public async Task Two_checkpointers_on_one_SQLite_file_cannot_both_run_a_thread(Durability durability)
    {
        await using var first = new SqliteCheckpointer(_path);
        await using var second = new SqliteCheckpointer(_path);
        await CheckpointConflictContract.RaceAsync(first, second, durability);
    }

    [Fact]
    public async Task A_replay_from_an_older_checkpoint_starts_a_fork_and_is_not_refused()
    {
        await using var store = new SqliteCheckpointer(_path);
        var app = CheckpointConflictContract.Chain(gate: null).Compile(new CompileOptions { Checkpointer = store });
        var config = new RunConfig { ThreadId = "t" };
        await app.InvokeAsync(new RaceState(), config);
        var afterA = (await app.GetStateHistoryAsync(config).ToListAsync()).Single(h => h.Checkpoint.Step == 1);

        var replayed = await app.InvokeAsync((RaceState?)null, afterA.Config);

        Assert.Equal(["a", "b", "c"], replayed.Log);
        var history = await app.GetStateHistoryAsync(config).ToListAsync();
        var fork = history.Single(h => h.Checkpoint.ParentId == afterA.Checkpoint.Id && h.Checkpoint.Source == CheckpointSource.Fork);
        Assert.Equal("fork", fork.Checkpoint.Metadata["source"]);
        Assert.Equal(2, fork.Checkpoint.Step);
        Assert.Equal(2, history.Count(h => h.Checkpoint.ParentId == afterA.Checkpoint.Id));
    }
}
