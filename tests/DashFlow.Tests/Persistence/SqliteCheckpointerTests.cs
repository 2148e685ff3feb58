using DashFlow.Persistence;
using DashFlow.Sqlite;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>The SQLite checkpointer on a real temporary file.</summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dashflow-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static StateGraph<DemoState> Chain(ConformanceSupport.Journal<string>? ran = null, Func<bool>? fail = null) => new StateGraph<DemoState>()
        .AddNode("a", s => { ran?.Add("a"); return ConformanceSupport.Logs("a"); })
        .AddNode("b", s =>
        {
            ran?.Add("b");
            return fail?.Invoke() == true ? throw new InvalidOperationException("down") : ConformanceSupport.Logs("b");
        })
        .AddNode("c", s => { ran?.Add("c"); return ConformanceSupport.Logs("c"); })
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "b")
        .AddEdge("b", "c");

    [Fact]
    public async Task A_new_file_is_created_in_WAL_mode_with_its_schema_version()
    {
        var store = new SqliteCheckpointer(_path);

        Assert.Equal(SqliteCheckpointer.SchemaVersion, await store.GetSchemaVersionAsync());
        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Checkpoints_blobs_and_pending_writes_round_trip_and_survive_a_new_instance()
    {
        var store = new SqliteCheckpointer(_path);
        var checkpoint = new Checkpoint
        {
            ThreadId = "t",
            Id = "0001",
            Step = 3,
            Source = CheckpointSource.Loop,
            CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            SchemaVersion = 2,
            FieldVersions = new Dictionary<string, string> { ["A"] = "0001", ["B"] = "0000" },
            Next = ["x", "y"],
            Sends = [new PendingSend("w", [1, 2, 3])],
            JoinProgress = ["0:z<-x"],
            Metadata = new Dictionary<string, string> { ["source"] = "loop", ["user"] = "ada" },
        };
        await store.PutAsync(checkpoint with { Id = "0000", FieldVersions = new Dictionary<string, string> { ["B"] = "0000" } }, [new FieldBlob("B", "0000", [9])]);
        await store.PutAsync(checkpoint with { ParentId = "0000" }, [new FieldBlob("A", "0001", [7, 7])]);
        await store.PutWritesAsync("t", "", "0001", [new PendingWrite("1:x:0", 0, PendingWriteKind.Update, null, [1]), new PendingWrite("1:x:0", 1, PendingWriteKind.Done, null, null)]);
        await store.PutWritesAsync("t", "", "0001", [new PendingWrite("1:x:0", 0, PendingWriteKind.Update, null, [2])]);

        SqliteConnection.ClearAllPools();
        var reopened = new SqliteCheckpointer(_path);
        var tuple = (await reopened.GetAsync("t", "", null))!;

        Assert.Equal(checkpoint.Id, tuple.Checkpoint.Id);
        Assert.Equal("0000", tuple.Checkpoint.ParentId);
        Assert.Equal(3, tuple.Checkpoint.Step);
        Assert.Equal(checkpoint.CreatedAt, tuple.Checkpoint.CreatedAt);
        Assert.Equal(2, tuple.Checkpoint.SchemaVersion);
        Assert.Equal(["x", "y"], tuple.Checkpoint.Next);
        Assert.Equal([1, 2, 3], Assert.Single(tuple.Checkpoint.Sends).Arg);
        Assert.Equal(["0:z<-x"], tuple.Checkpoint.JoinProgress);
        Assert.Equal("ada", tuple.Checkpoint.Metadata["user"]);
        Assert.Equal([[9], [7, 7]], tuple.Fields.OrderBy(f => f.Field, StringComparer.Ordinal).Reverse().Select(f => f.Data));
        Assert.Equal([[2], null], tuple.PendingWrites.Select(w => w.Data));

        var listed = await reopened.ListAsync("t", "", new CheckpointListOptions { Before = "0001" }).ToListAsync();
        Assert.Equal("0000", Assert.Single(listed).Checkpoint.Id);
        Assert.Equal(["0001"], (await reopened.ListAsync("t", "", new CheckpointListOptions { Metadata = new Dictionary<string, string> { ["user"] = "ada" }, Limit = 1 }).ToListAsync()).Select(c => c.Checkpoint.Id));
        Assert.Null(await reopened.GetAsync("t", "", "nope"));
        Assert.Equal(["t"], await reopened.ListThreadsAsync().ToListAsync());
        await reopened.DeleteThreadAsync("t");
        Assert.Null(await reopened.GetAsync("t", "", null));
        Assert.Empty(await reopened.ListThreadsAsync().ToListAsync());
    }

    [Fact]
    public async Task A_failed_run_resumes_from_the_file_and_runs_only_what_did_not_finish()
    {
        var ran = new ConformanceSupport.Journal<string>();
        var fail = true;
        var app = Chain(ran, () => fail).Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        var config = new RunConfig { ThreadId = "job-1" };
        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState(), config).AsTask());

        fail = false;
        SqliteConnection.ClearAllPools();
        var again = Chain(ran, () => fail).Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        var final = await again.InvokeAsync((DemoState?)null, config);

        Assert.Equal(["a", "b", "c"], final.Log);
        Assert.Equal(["a", "b", "b", "c"], ran.ToArray());
        Assert.Equal([3, 2, 1, 0], (await again.GetStateHistoryAsync(config).ToListAsync()).Select(h => h.Checkpoint.Step));
    }

    [Fact]
    public async Task Many_threads_run_concurrently_on_one_file()
    {
        var store = new SqliteCheckpointer(_path);
        var app = Chain().Compile(new CompileOptions { Checkpointer = store });

        var runs = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            await app.InvokeAsync(new DemoState { Query = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, new RunConfig { ThreadId = $"t{i}" })));
        var finals = await Task.WhenAll(runs).Within();

        Assert.All(finals, f => Assert.Equal(["a", "b", "c"], f.Log));
        Assert.Equal(8, (await store.ListThreadsAsync().ToListAsync()).Count);
        for (var i = 0; i < 8; i++)
        {
            var state = await app.GetStateAsync(new RunConfig { ThreadId = $"t{i}" });
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), state.Values.Query);
            Assert.Equal(4, (await app.GetStateHistoryAsync(new RunConfig { ThreadId = $"t{i}" }).ToListAsync()).Count);
        }
    }

    [Fact]
    public async Task Interrupts_persist_in_the_file_until_a_later_process_answers()
    {
        StateGraph<DemoState> Approval() => new StateGraph<DemoState>()
            .AddNode("draft", s => ConformanceSupport.Logs("draft"))
            .AddNode("approve", (s, c) => new(ConformanceSupport.Logs("approved:" + c.Interrupt<string>("approve the draft?"))))
            .AddEdge(Graph.Start, "draft")
            .AddEdge("draft", "approve");
        var config = new RunConfig { ThreadId = "approval" };
        await Approval().Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) }).InvokeAsync(new DemoState(), config);

        SqliteConnection.ClearAllPools();
        var later = Approval().Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(_path) });
        Assert.Equal("approve the draft?", Assert.Single((await later.GetStateAsync(config)).Interrupts).Value);
        var final = await later.InvokeAsync(new Command<DemoState> { Resume = "yes" }, config);

        Assert.Equal(["draft", "approved:yes"], final.Log);
    }

    [Fact]
    public async Task A_checkpoint_keeps_the_values_it_introduces_in_its_own_row_and_others_in_the_blobs_table()
    {
        await using (var store = new SqliteCheckpointer(_path))
        {
            var app = Chain().Compile(new CompileOptions { Checkpointer = store });
            await app.InvokeAsync(new DemoState { Query = "q" }, new RunConfig { ThreadId = "run" });

            // A value under a version that is not the checkpoint's own id goes to the blobs table.
            await store.PutAsync(
                new Checkpoint { ThreadId = "t", Id = "0002", FieldVersions = new Dictionary<string, string> { ["A"] = "0002", ["B"] = "0001" } },
                [new FieldBlob("A", "0002", [2]), new FieldBlob("B", "0001", [1])]);
        }

        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM blobs"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM blobs WHERE thread_id = 'run'"));

        await using var reopened = new SqliteCheckpointer(_path);
        var history = await reopened.ListAsync("run", "").ToListAsync();
        Assert.Equal(4, history.Count);
        Assert.All(history, h => Assert.Equal(h.Checkpoint.FieldVersions.Count, h.Fields.Count));
        var t = (await reopened.GetAsync("t", "", null))!;
        Assert.Equal([("A", new byte[] { 2 }), ("B", [1])], t.Fields.OrderBy(f => f.Field, StringComparer.Ordinal).Select(f => (f.Field, f.Data)));
    }

    [Fact]
    public async Task A_file_of_schema_version_1_is_migrated_and_its_checkpoints_still_read()
    {
        // The layout version 1 wrote: values only in the blobs table, no blobs column in checkpoints. The body is the
        // MessagePack array [{"A": "0001"}, [], [], [], {}]: field versions, next, sends, join progress, metadata.
        await using (var connection = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE dashflow_schema (version INTEGER NOT NULL); INSERT INTO dashflow_schema VALUES (1);
                CREATE TABLE checkpoints (thread_id TEXT NOT NULL, ns TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, step INTEGER NOT NULL,
                    source INTEGER NOT NULL, created_at INTEGER NOT NULL, schema_version INTEGER NOT NULL, body BLOB NOT NULL,
                    PRIMARY KEY (thread_id, ns, id)) WITHOUT ROWID;
                CREATE TABLE blobs (thread_id TEXT NOT NULL, ns TEXT NOT NULL, field TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL,
                    PRIMARY KEY (thread_id, ns, field, version)) WITHOUT ROWID;
                CREATE TABLE writes (thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL,
                    kind INTEGER NOT NULL, text TEXT, data BLOB, PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)) WITHOUT ROWID;
                INSERT INTO checkpoints VALUES ('old', '', '0001', NULL, 0, 0, 0, 1, x'9581a141a43030303190909080');
                INSERT INTO blobs VALUES ('old', '', 'A', '0001', x'0102');
                """;
            await create.ExecuteNonQueryAsync();
        }

        await using var store = new SqliteCheckpointer(_path);
        Assert.Equal(SqliteCheckpointer.SchemaVersion, await store.GetSchemaVersionAsync());
        var old = (await store.GetAsync("old", "", null))!;
        Assert.Equal([1, 2], Assert.Single(old.Fields).Data);
        await store.PutAsync(new Checkpoint { ThreadId = "old", Id = "0002", ParentId = "0001", FieldVersions = new Dictionary<string, string> { ["A"] = "0002" } }, [new FieldBlob("A", "0002", [3])]);
        Assert.Equal([3], Assert.Single((await store.GetAsync("old", "", null))!.Fields).Data);
    }

    [Fact]
    public async Task A_file_of_schema_version_2_is_migrated_and_its_rows_with_everything_spelled_out_still_read()
    {
        // A row as version 2 wrote it: the body spells the field version equal to the row's own id, and the engine's
        // metadata; the blobs column holds {"Value": <17 bytes>}.
        const string id = "08df4b0bb2bd89a0-0000000000000ce5";
        await using (var connection = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = $"""
                PRAGMA journal_mode = WAL;
                CREATE TABLE dashflow_schema (version INTEGER NOT NULL); INSERT INTO dashflow_schema VALUES (2);
                CREATE TABLE checkpoints (thread_id TEXT NOT NULL, ns TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, step INTEGER NOT NULL,
                    source INTEGER NOT NULL, created_at INTEGER NOT NULL, schema_version INTEGER NOT NULL, body BLOB NOT NULL, blobs BLOB,
                    PRIMARY KEY (thread_id, ns, id)) WITHOUT ROWID;
                CREATE TABLE blobs (thread_id TEXT NOT NULL, ns TEXT NOT NULL, field TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL,
                    PRIMARY KEY (thread_id, ns, field, version)) WITHOUT ROWID;
                CREATE TABLE writes (thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL,
                    kind INTEGER NOT NULL, text TEXT, data BLOB, PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)) WITHOUT ROWID;
                INSERT INTO checkpoints VALUES ('old', '', '{id}', NULL, 0, 0, 0, 1,
                    x'9581A556616C7565D921303864663462306262326264383961302D3030303030303030303030303063653591A36E3031909082A6736F75726365A5696E707574A473746570A130',
                    x'81A556616C7565C4114446010001000000010000008DEF02D200');
                """;
            await create.ExecuteNonQueryAsync();
        }

        await using var store = new SqliteCheckpointer(_path);
        Assert.Equal(3, await store.GetSchemaVersionAsync());
        var old = (await store.GetAsync("old", "", null))!;
        Assert.Equal(new Dictionary<string, string> { ["Value"] = id }, old.Checkpoint.FieldVersions);
        Assert.Equal(new Dictionary<string, string> { ["source"] = "input", ["step"] = "0" }, old.Checkpoint.Metadata);
        Assert.Equal(["n01"], old.Checkpoint.Next);
        Assert.Equal(17, Assert.Single(old.Fields).Data.Length);

        var next = new Checkpoint { ThreadId = "old", Id = "08df4b0bb2bd89a1-0000000000000ce6", ParentId = id, Step = 1, Source = CheckpointSource.Loop };
        await store.PutAsync(next with { FieldVersions = new Dictionary<string, string> { ["Value"] = next.Id } }, [new FieldBlob("Value", next.Id, [3])]);
        Assert.Equal([3], Assert.Single((await store.GetAsync("old", "", null))!.Fields).Data);
    }

    [Fact]
    public async Task The_body_leaves_out_what_the_row_says_and_everything_else_reads_back_exactly()
    {
        await using var store = new SqliteCheckpointer(_path);
        var engine = new Checkpoint
        {
            ThreadId = "t",
            Id = "0010",
            Step = 12,
            Source = CheckpointSource.Loop,
            FieldVersions = new Dictionary<string, string> { ["A"] = "0010", ["B"] = "0003" },
            Metadata = new Dictionary<string, string> { ["source"] = "loop", ["step"] = "12", ["user"] = "ada" },
        };

        // Metadata the columns do not spell exactly is kept as written: another source, a step with a leading zero or a
        // sign, keys that only look like the engine's.
        var odd = new Checkpoint
        {
            ThreadId = "u",
            Id = "0020",
            Step = 7,
            Source = CheckpointSource.Update,
            FieldVersions = new Dictionary<string, string> { ["A"] = "" },
            Metadata = new Dictionary<string, string> { ["source"] = "loop", ["step"] = "07", ["Step"] = "7" },
        };
        var negative = odd with { ThreadId = "v", Step = -1, Metadata = new Dictionary<string, string> { ["source"] = "update", ["step"] = "-1" } };
        foreach (var checkpoint in new[] { engine, odd, negative })
        {
            await store.PutAsync(checkpoint, []);
            var read = (await store.GetAsync(checkpoint.ThreadId, "", null))!.Checkpoint;
            Assert.Equal(checkpoint.FieldVersions, read.FieldVersions);
            Assert.Equal(checkpoint.Metadata, read.Metadata);
            Assert.Equal(checkpoint.Metadata.Keys, read.Metadata.Keys);
        }

        // The engine's checkpoint: its own id and its source and step are not in the body.
        var body = (byte[])(await ScalarAsync("SELECT body FROM checkpoints WHERE thread_id = 't'"))!;
        Assert.DoesNotContain("0010"u8.ToArray(), Chunks(body, 4));
        Assert.DoesNotContain("step"u8.ToArray(), Chunks(body, 4));

        static IEnumerable<byte[]> Chunks(byte[] bytes, int length) => Enumerable.Range(0, bytes.Length - length + 1).Select(i => bytes[i..(i + length)]);
    }

    [Fact]
    public async Task Corrupt_values_in_a_checkpoint_row_are_a_read_error_naming_thread_and_checkpoint()
    {
        await using var store = new SqliteCheckpointer(_path);
        await store.PutAsync(new Checkpoint { ThreadId = "t", Id = "0001", FieldVersions = new Dictionary<string, string> { ["A"] = "0001" } }, [new FieldBlob("A", "0001", [1])]);
        await ExecuteAsync("UPDATE checkpoints SET blobs = x'81a141c5ff'");

        var error = await Assert.ThrowsAsync<CheckpointReadException>(async () => await store.GetAsync("t", "", null));

        Assert.Equal(("t", "0001"), (error.ThreadId, error.CheckpointId));
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_finds_nothing_or_the_checkpoint_and_leaves_no_read_snapshot_open()
    {
        await using var store = new SqliteCheckpointer(_path);
        Assert.Null(await store.GetAsync("new", "", null));
        await store.PutAsync(new Checkpoint { ThreadId = "t", Id = "0001", FieldVersions = new Dictionary<string, string> { ["A"] = "0001" } }, [new FieldBlob("A", "0001", [1])]);
        await store.PutWritesAsync("t", "", "0001", [new PendingWrite("1:x:0", 0, PendingWriteKind.Update, null, [5])]);

        Assert.Null(await store.GetAsync("new", "", null));
        Assert.Null(await store.GetAsync("t", "", "0002"));
        Assert.Null(await store.GetAsync("t", "child:1.0", null));
        var found = (await store.GetAsync("t", "", null))!;
        Assert.Equal("0001", found.Checkpoint.Id);
        Assert.Equal([1], Assert.Single(found.Fields).Data);
        Assert.Equal([5], Assert.Single(found.PendingWrites).Data);
        Assert.Equal("0001", (await store.GetAsync("t", "", "0001"))!.Checkpoint.Id);

        // A connection that still had a read snapshot open would keep the WAL from being checkpointed and truncated. The
        // first check shows that such a snapshot is seen; the second, that the store's connections have none.
        await using var other = new SqliteConnection($"Data Source={_path};Pooling=False");
        await other.OpenAsync();
        await using (var reading = other.CreateCommand())
        {
            reading.CommandText = "BEGIN; SELECT count(*) FROM checkpoints;";
            await reading.ExecuteScalarAsync();
            Assert.Equal(1L, await TruncateWalAsync());
            reading.CommandText = "COMMIT";
            await reading.ExecuteNonQueryAsync();
        }

        Assert.Equal(0L, await TruncateWalAsync());
    }

    /// <summary>Checkpoints the WAL into the file and truncates it, from another connection; 1 if a reader was in the way.</summary>
    private async Task<object?> TruncateWalAsync() => await ScalarAsync("PRAGMA wal_checkpoint(TRUNCATE)");

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
