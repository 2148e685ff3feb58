using DashFlow.Persistence;
using DashFlow.Sqlite;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>The SQLite checkpointer with <see cref="SqliteCheckpointerOptions.ExclusiveLocking"/>, on real files.</summary>
public sealed class SqliteExclusiveTests : IDisposable
{
    private static readonly SqliteCheckpointerOptions Exclusive = new() { ExclusiveLocking = true };
    private readonly string _dir = Directory.CreateTempSubdirectory("dashflow-exclusive-").FullName;

    private string Db => Path.Combine(_dir, "runs.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static StateGraph<DemoState> Chain() => new StateGraph<DemoState>()
        .AddNode("a", _ => ConformanceSupport.Logs("a"))
        .AddNode("b", _ => ConformanceSupport.Logs("b"))
        .AddNode("c", _ => ConformanceSupport.Logs("c"))
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "b")
        .AddEdge("b", "c");

    private static StateGraph<DemoState> Approval() => new StateGraph<DemoState>()
        .AddNode("draft", _ => ConformanceSupport.Logs("draft"))
        .AddNode("approve", (s, c) => new(ConformanceSupport.Logs("approved:" + c.Interrupt<string>("approve the draft?"))))
        .AddEdge(Graph.Start, "draft")
        .AddEdge("draft", "approve");

    private static Checkpoint First(string thread) => new()
    {
        ThreadId = thread,
        Id = "0001",
        FieldVersions = new Dictionary<string, string> { ["A"] = "0001" },
    };

    private static async Task<(DemoState Values, int[] Steps)> RunChainAsync(ICheckpointer store, string thread, string query)
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = store });
        var config = new RunConfig { ThreadId = thread };
        var final = await app.InvokeAsync(new DemoState { Query = query }, config);
        Assert.Equal(["a", "b", "c"], final.Log);
        return await ReadChainAsync(store, thread);
    }

    private static async Task<(DemoState Values, int[] Steps)> ReadChainAsync(ICheckpointer store, string thread)
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = store });
        var config = new RunConfig { ThreadId = thread };
        var state = await app.GetStateAsync(config);
        Assert.Empty(state.Next);
        return (state.Values, [.. (await app.GetStateHistoryAsync(config).ToListAsync()).Select(h => h.Checkpoint.Step)]);
    }

    [Fact]
    public async Task A_checkpointed_run_round_trips_and_SQLite_keeps_no_shared_memory_file()
    {
        await using var store = new SqliteCheckpointer(Db, Exclusive);

        var (values, steps) = await RunChainAsync(store, "job", "q");

        Assert.Equal("q", values.Query);
        Assert.Equal(["a", "b", "c"], values.Log);
        Assert.Equal([3, 2, 1, 0], steps);

        // The WAL is in use, but its index lives in the connection's memory: no -shm file, no shared-memory locks.
        Assert.True(File.Exists(Db + "-wal"));
        Assert.False(File.Exists(Db + "-shm"));
    }

    [Fact]
    public async Task An_interrupted_run_resumes_from_a_new_exclusive_checkpointer()
    {
        var config = new RunConfig { ThreadId = "approval" };
        await using (var first = new SqliteCheckpointer(Db, Exclusive))
        {
            await Approval().Compile(new CompileOptions { Checkpointer = first }).InvokeAsync(new DemoState(), config);
        }

        await using var later = new SqliteCheckpointer(Db, Exclusive);
        var app = Approval().Compile(new CompileOptions { Checkpointer = later });
        Assert.Equal("approve the draft?", Assert.Single((await app.GetStateAsync(config)).Interrupts).Value);
        var final = await app.InvokeAsync(new Command<DemoState> { Resume = "yes" }, config);

        Assert.Equal(["draft", "approved:yes"], final.Log);
    }

    [Fact]
    public async Task A_second_checkpointer_on_a_held_file_fails_at_its_first_call_naming_the_file()
    {
        await using var holder = new SqliteCheckpointer(Db, Exclusive);
        await holder.PutAsync(First("t"), [new FieldBlob("A", "0001", [1])]);
        await using var exclusive = new SqliteCheckpointer(Db, Exclusive);
        await using var shared = new SqliteCheckpointer(Db);

        // Fails on SQLite's busy answer after a short wait: a SqliteException "database is locked" would mean it had
        // waited out the usual 30 s timeout instead.
        var second = await Assert.ThrowsAsync<InvalidOperationException>(async () => await exclusive.GetAsync("t", "", null));
        var third = await Assert.ThrowsAsync<InvalidOperationException>(async () => await shared.PutAsync(First("u"), []));

        Assert.Contains($"'{Db}'", second.Message, StringComparison.Ordinal);
        Assert.Contains("ExclusiveLocking needs the file to itself", second.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(second.InnerException);
        Assert.Contains($"'{Db}'", third.Message, StringComparison.Ordinal);
        Assert.Contains("held by a SqliteCheckpointer opened with ExclusiveLocking", third.Message, StringComparison.Ordinal);

        // The holder is not disturbed, and nothing of the refused put was stored.
        Assert.Equal([1], Assert.Single((await holder.GetAsync("t", "", null))!.Fields).Data);
        Assert.Null(await holder.GetAsync("u", "", null));
    }

    [Fact]
    public async Task The_file_opens_again_in_either_mode_once_the_holder_is_disposed()
    {
        var holder = new SqliteCheckpointer(Db, Exclusive);
        await holder.PutAsync(First("t"), [new FieldBlob("A", "0001", [1])]);
        await using var waiting = new SqliteCheckpointer(Db, Exclusive);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await waiting.GetAsync("t", "", null));

        await holder.DisposeAsync();

        // The checkpointer that was refused is not spoiled: its next call takes the file.
        Assert.Equal("0001", (await waiting.GetAsync("t", "", null))!.Checkpoint.Id);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await holder.GetAsync("t", "", null));
        await waiting.DisposeAsync();
        await using var shared = new SqliteCheckpointer(Db);
        Assert.Equal([1], Assert.Single((await shared.GetAsync("t", "", null))!.Fields).Data);
    }

    [Fact]
    public async Task An_exclusive_checkpointer_cannot_take_a_file_that_a_shared_one_has_open()
    {
        var shared = new SqliteCheckpointer(Db);
        await shared.PutAsync(First("t"), []);
        await using var exclusive = new SqliteCheckpointer(Db, Exclusive);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await exclusive.GetSchemaVersionAsync());

        Assert.Contains($"The checkpoint file '{Db}' is in use", error.Message, StringComparison.Ordinal);
        await shared.DisposeAsync();
        Assert.Equal(SqliteCheckpointer.SchemaVersion, await exclusive.GetSchemaVersionAsync());
    }

    [Fact]
    public async Task A_file_written_in_exclusive_mode_reads_in_shared_mode_and_the_reverse()
    {
        (DemoState Values, int[] Steps) writtenExclusive, writtenShared;
        await using (var store = new SqliteCheckpointer(Db, Exclusive))
        {
            writtenExclusive = await RunChainAsync(store, "x", "by exclusive");
        }

        await using (var store = new SqliteCheckpointer(Db))
        {
            var read = await ReadChainAsync(store, "x");
            Assert.Equal(writtenExclusive.Values.Query, read.Values.Query);
            Assert.Equal(writtenExclusive.Values.Log, read.Values.Log);
            Assert.Equal(writtenExclusive.Steps, read.Steps);
            writtenShared = await RunChainAsync(store, "y", "by shared");
        }

        await using (var store = new SqliteCheckpointer(Db, Exclusive))
        {
            var read = await ReadChainAsync(store, "y");
            Assert.Equal("by shared", read.Values.Query);
            Assert.Equal(writtenShared.Steps, read.Steps);
            Assert.Equal(["x", "y"], await store.ListThreadsAsync().ToListAsync());
        }
    }

    [Fact]
    public async Task Concurrent_runs_take_turns_on_the_one_connection()
    {
        await using var store = new SqliteCheckpointer(Db, Exclusive);
        var app = Chain().Compile(new CompileOptions { Checkpointer = store });

        var runs = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            await app.InvokeAsync(new DemoState { Query = $"q{i}" }, new RunConfig { ThreadId = $"t{i}" })));
        var finals = await Task.WhenAll(runs).Within();

        Assert.All(finals, f => Assert.Equal(["a", "b", "c"], f.Log));
        for (var i = 0; i < 8; i++)
        {
            var (values, steps) = await ReadChainAsync(store, $"t{i}");
            Assert.Equal($"q{i}", values.Query);
            Assert.Equal([3, 2, 1, 0], steps);
        }
    }

    [Fact]
    public async Task Refused_checkpoints_and_corrupt_rows_do_not_cost_the_checkpointer_the_file()
    {
        await using (var writer = new SqliteCheckpointer(Db))
        {
            await writer.PutAsync(First("bad"), [new FieldBlob("A", "0001", [1])]);
        }

        await using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var corrupt = connection.CreateCommand();
            corrupt.CommandText = "UPDATE checkpoints SET blobs = x'81a141c5ff'";
            Assert.Equal(1, await corrupt.ExecuteNonQueryAsync());
        }

        await using var store = new SqliteCheckpointer(Db, Exclusive);
        await CheckpointConflictContract.RunAsync(store, "t");
        var error = await Assert.ThrowsAsync<CheckpointReadException>(async () => await store.GetAsync("bad", "", null));
        Assert.Equal(("bad", "0001"), (error.ThreadId, error.CheckpointId));

        // After the refused puts and the failed read the store still holds the file, and still works.
        await using var other = new SqliteCheckpointer(Db);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await other.GetAsync("t", "", null));
        Assert.Equal("0006", (await store.GetAsync("t", "", null))!.Checkpoint.Id);
    }
}
