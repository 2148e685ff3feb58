using System.Globalization;
using DashFlow.Persistence;
using Npgsql;

namespace DashFlow.Postgres.Tests;

/// <summary>The <see cref="ICheckpointer"/> contract on a real server, each test in a schema of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCheckpointerTests(PostgresServer server) : IAsyncLifetime
{
    private PostgresCheckpointer _store = null!;

    public Task InitializeAsync()
    {
        _store = server.NewCheckpointer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static Checkpoint At(string thread, int n, string ns = "", IReadOnlyDictionary<string, string>? metadata = null) => new()
    {
        ThreadId = thread,
        Namespace = ns,
        Id = n.ToString("x16", CultureInfo.InvariantCulture),
        ParentId = n == 0 ? null : (n - 1).ToString("x16", CultureInfo.InvariantCulture),
        Step = n,
        Metadata = metadata ?? new Dictionary<string, string> { ["step"] = n.ToString(CultureInfo.InvariantCulture) },
    };

    private async Task<long> CountAsync(string table, string thread)
    {
        await using var command = server.DataSource.CreateCommand($"SELECT count(*) FROM \"{_store.Schema}\".{table} WHERE thread_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = thread });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Every_part_of_a_checkpoint_round_trips_and_survives_a_new_instance()
    {
        var checkpoint = new Checkpoint
        {
            ThreadId = "t",
            Id = "0001",
            ParentId = "0000",
            Step = 3,
            Source = CheckpointSource.Fork,
            CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567),
            SchemaVersion = 2,
            FieldVersions = new Dictionary<string, string> { ["A"] = "0001", ["B"] = "0000" },
            Next = ["x", "y"],
            Sends = [new PendingSend("w", [1, 2, 3]), new PendingSend("w", [])],
            JoinProgress = ["0:z<-x"],
            Metadata = new Dictionary<string, string> { ["source"] = "fork", ["user"] = "ada", ["quote\"d"] = "line\nbreak" },
        };
        await _store.PutAsync(checkpoint with { Id = "0000", ParentId = null, FieldVersions = new Dictionary<string, string> { ["B"] = "0000" } }, [new FieldBlob("B", "0000", [9])]);
        await _store.PutAsync(checkpoint, [new FieldBlob("A", "0001", [7, 7])]);
        await _store.PutWritesAsync("t", "", "0001", [new PendingWrite("1:x:0", 0, PendingWriteKind.Update, null, [1]), new PendingWrite("1:x:0", 1, PendingWriteKind.Done, null, null)]);

        await using var reopened = new PostgresCheckpointer(server.ConnectionString, _store.Schema);
        var tuple = (await reopened.GetAsync("t", "", null))!;

        var read = tuple.Checkpoint;
        Assert.Equal(("t", "", "0001", "0000", 3, CheckpointSource.Fork, checkpoint.CreatedAt, 2), (read.ThreadId, read.Namespace, read.Id, read.ParentId, read.Step, read.Source, read.CreatedAt, read.SchemaVersion));
        Assert.Equal(checkpoint.FieldVersions, read.FieldVersions);
        Assert.Equal(["x", "y"], read.Next);
        Assert.Equal([("w", new byte[] { 1, 2, 3 }), ("w", [])], read.Sends.Select(s => (s.Node, s.Arg)));
        Assert.Equal(["0:z<-x"], read.JoinProgress);
        Assert.Equal(checkpoint.Metadata, read.Metadata);
        Assert.Equal([("A", "0001", new byte[] { 7, 7 }), ("B", "0000", [9])], tuple.Fields.OrderBy(f => f.Field, StringComparer.Ordinal).Select(f => (f.Field, f.Version, f.Data)));
        Assert.Equal([(0, PendingWriteKind.Update, new byte[] { 1 }), (1, PendingWriteKind.Done, null)], tuple.PendingWrites.Select(w => (w.Index, w.Kind, w.Data)));

        var first = (await reopened.GetAsync("t", "", "0000"))!;
        Assert.Null(first.Checkpoint.ParentId);
        Assert.Equal([9], Assert.Single(first.Fields).Data);
        Assert.Empty(first.PendingWrites);
    }

    [Fact]
    public Task A_checkpoint_that_does_not_follow_the_latest_is_refused_and_nothing_of_it_is_stored() =>
        DashFlow.Tests.Persistence.CheckpointConflictContract.RunAsync(_store, "conflict");

    [Fact]
    public async Task An_unknown_thread_checkpoint_or_namespace_reads_as_nothing()
    {
        await _store.PutAsync(At("t", 0), []);

        Assert.Null(await _store.GetAsync("nobody", "", null));
        Assert.Null(await _store.GetAsync("t", "", "nope"));
        Assert.Null(await _store.GetAsync("t", "child|node:1", null));
        Assert.Empty(await _store.ListAsync("nobody", "").ToListAsync());
        Assert.NotNull(await _store.GetAsync("t", "", At("t", 0).Id));
    }

    [Fact]
    public async Task Namespaces_of_one_thread_are_kept_apart_and_deleting_the_thread_removes_them_all()
    {
        await _store.PutAsync(At("t", 0) with { FieldVersions = new Dictionary<string, string> { ["F"] = "root" } }, [new FieldBlob("F", "root", [1])]);
        await _store.PutAsync(At("t", 5, "child|sub:0") with { ParentId = null, FieldVersions = new Dictionary<string, string> { ["F"] = "root" } }, [new FieldBlob("F", "root", [2])]);
        await _store.PutWritesAsync("t", "child|sub:0", At("t", 5).Id, [new PendingWrite("0:a:0", 0, PendingWriteKind.Goto, "b", null)]);
        await _store.PutAsync(At("other", 0), []);

        Assert.Equal([1], Assert.Single((await _store.GetAsync("t", "", null))!.Fields).Data);
        var child = (await _store.GetAsync("t", "child|sub:0", null))!;
        Assert.Equal(5, child.Checkpoint.Step);
        Assert.Equal([2], Assert.Single(child.Fields).Data);
        Assert.Equal("b", Assert.Single(child.PendingWrites).Text);

        await _store.DeleteThreadAsync("t");

        Assert.Null(await _store.GetAsync("t", "", null));
        Assert.Null(await _store.GetAsync("t", "child|sub:0", null));
        var left = new[] { await CountAsync("checkpoints", "t"), await CountAsync("blobs", "t"), await CountAsync("writes", "t") };
        Assert.Equal(new long[] { 0, 0, 0 }, left);
        Assert.NotNull(await _store.GetAsync("other", "", null));
        await _store.DeleteThreadAsync("never-existed");
    }

    [Fact]
    public async Task Listing_is_newest_first_with_a_before_cursor_a_limit_and_a_metadata_filter()
    {
        for (var n = 0; n < 6; n++)
        {
            var metadata = new Dictionary<string, string>
            {
                ["source"] = n == 0 ? "input" : "loop",
                ["parity"] = n % 2 == 0 ? "even" : "odd",
                ["step"] = n.ToString(CultureInfo.InvariantCulture),
            };
            await _store.PutAsync(At("t", n, metadata: metadata), []);
        }

        async Task<int[]> Steps(CheckpointListOptions? options) => [.. (await _store.ListAsync("t", "", options).ToListAsync()).Select(c => c.Checkpoint.Step)];

        Assert.Equal(new[] { 5, 4, 3, 2, 1, 0 }, await Steps(null));
        Assert.Equal(new[] { 2, 1, 0 }, await Steps(new() { Before = At("t", 3).Id }));
        Assert.Equal(new[] { 5, 4 }, await Steps(new() { Limit = 2 }));
        Assert.Equal(new[] { 2, 1 }, await Steps(new() { Before = At("t", 3).Id, Limit = 2 }));
        Assert.Empty(await Steps(new() { Limit = 0 }));
        Assert.Equal(new[] { 4, 2, 0 }, await Steps(new() { Metadata = new Dictionary<string, string> { ["parity"] = "even" } }));
        Assert.Equal(new[] { 0 }, await Steps(new() { Metadata = new Dictionary<string, string> { ["parity"] = "even", ["source"] = "input" } }));
        Assert.Equal(new[] { 4 }, await Steps(new() { Metadata = new Dictionary<string, string> { ["parity"] = "even" }, Limit = 1 }));
        Assert.Equal(new[] { 2 }, await Steps(new() { Metadata = new Dictionary<string, string> { ["parity"] = "even" }, Before = At("t", 4).Id, Limit = 1 }));
        Assert.Empty(await Steps(new() { Metadata = new Dictionary<string, string> { ["parity"] = "odd", ["source"] = "input" } }));
        Assert.Empty(await Steps(new() { Metadata = new Dictionary<string, string> { ["missing"] = "x" } }));
        Assert.Equal(new[] { 5, 4, 3, 2, 1, 0 }, await Steps(new() { Metadata = new Dictionary<string, string>() }));
    }

    [Fact]
    public async Task A_long_history_lists_completely_across_pages_and_each_checkpoint_keeps_its_own_blobs_and_writes()
    {
        const int count = 230;
        for (var n = 0; n < count; n++)
        {
            var id = At("t", n).Id;
            await _store.PutAsync(At("t", n) with { FieldVersions = new Dictionary<string, string> { ["F"] = id } }, [new FieldBlob("F", id, BitConverter.GetBytes(n))]);
            await _store.PutWritesAsync("t", "", id, [new PendingWrite("0:a:0", 0, PendingWriteKind.Update, null, BitConverter.GetBytes(n))]);
        }

        var all = await _store.ListAsync("t", "").ToListAsync();
        Assert.Equal(Enumerable.Range(0, count).Reverse(), all.Select(c => c.Checkpoint.Step));
        Assert.All(all, c => Assert.Equal(c.Checkpoint.Step, BitConverter.ToInt32(Assert.Single(c.Fields).Data)));
        Assert.All(all, c => Assert.Equal(c.Checkpoint.Step, BitConverter.ToInt32(Assert.Single(c.PendingWrites).Data)));

        var limited = await _store.ListAsync("t", "", new CheckpointListOptions { Limit = 150 }).ToListAsync();
        Assert.Equal(Enumerable.Range(count - 150, 150).Reverse(), limited.Select(c => c.Checkpoint.Step));
        var older = await _store.ListAsync("t", "", new CheckpointListOptions { Before = At("t", 205).Id, Limit = 120 }).ToListAsync();
        Assert.Equal(Enumerable.Range(85, 120).Reverse(), older.Select(c => c.Checkpoint.Step));
    }

    [Fact]
    public async Task Pending_writes_are_idempotent_per_task_and_index_and_read_back_in_ordinal_task_order()
    {
        await _store.PutAsync(At("t", 0), []);
        var id = At("t", 0).Id;
        await _store.PutWritesAsync("t", "", id, [new PendingWrite("1:b:0", 0, PendingWriteKind.Goto, "x", null), new PendingWrite("1:b:0", -1, PendingWriteKind.Error, "down", null)]);
        await _store.PutWritesAsync("t", "", id,
        [
            new PendingWrite("1:b:0", 0, PendingWriteKind.Goto, "y", null),
            new PendingWrite("1:B:1", -100, PendingWriteKind.Interrupt, "1:B:1#0", [5]),
            new PendingWrite("1:B:1", -200, PendingWriteKind.Resume, "1:B:1#0", [6]),
            new PendingWrite("1:b:0", 1, PendingWriteKind.Done, null, null),
            new PendingWrite("1:b:0", 1, PendingWriteKind.Done, "last one wins", null),
        ]);
        await _store.PutWritesAsync("t", "", "another-checkpoint", [new PendingWrite("1:b:0", 0, PendingWriteKind.Goto, "elsewhere", null)]);
        await _store.PutWritesAsync("t", "", id, []);

        var writes = (await _store.GetAsync("t", "", null))!.PendingWrites;

        // Ordinal: "1:B:1" sorts before "1:b:0" (a linguistic order would put it after), and indexes ascend within a task.
        Assert.Equal(
            [("1:B:1", -200, "1:B:1#0"), ("1:B:1", -100, "1:B:1#0"), ("1:b:0", -1, "down"), ("1:b:0", 0, "y"), ("1:b:0", 1, "last one wins")],
            writes.Select(w => (w.TaskId, w.Index, w.Text)));
        Assert.Equal([6], writes[0].Data);
        Assert.Equal(PendingWriteKind.Resume, writes[0].Kind);
    }

    [Fact]
    public async Task A_blob_version_is_stored_once_and_never_overwritten()
    {
        var versions = new Dictionary<string, string> { ["Big"] = "v1" };
        await _store.PutAsync(At("t", 0) with { FieldVersions = versions }, [new FieldBlob("Big", "v1", [1, 1, 1])]);
        await _store.PutAsync(At("t", 1) with { FieldVersions = versions }, [new FieldBlob("Big", "v1", [2]), new FieldBlob("Big", "v1", [3])]);

        Assert.Equal([1, 1, 1], Assert.Single((await _store.GetAsync("t", "", null))!.Fields).Data);
        Assert.Equal(1L, await CountAsync("blobs", "t"));
    }

    [Fact]
    public async Task A_checkpoint_and_its_blobs_are_stored_together_or_not_at_all()
    {
        // PostgreSQL's jsonb cannot hold a NUL character, so this checkpoint's row fails after its blob was inserted.
        var broken = At("t", 0) with
        {
            FieldVersions = new Dictionary<string, string> { ["F"] = "v" },
            Metadata = new Dictionary<string, string> { ["bad\0key"] = "x" },
        };

        await Assert.ThrowsAsync<PostgresException>(() => _store.PutAsync(broken, [new FieldBlob("F", "v", [1])]).AsTask());

        Assert.Equal(0L, await CountAsync("blobs", "t"));
        Assert.Equal(0L, await CountAsync("checkpoints", "t"));
        await _store.PutAsync(At("t", 0), []);
        Assert.NotNull(await _store.GetAsync("t", "", null));
    }

    [Fact]
    public async Task A_large_blob_round_trips_byte_for_byte()
    {
        var data = new byte[3_000_000];
        new Random(42).NextBytes(data);
        await _store.PutAsync(At("t", 0) with { FieldVersions = new Dictionary<string, string> { ["Big"] = "v" } }, [new FieldBlob("Big", "v", data)]);

        Assert.Equal(data, Assert.Single((await _store.GetAsync("t", "", null))!.Fields).Data);
    }

    [Fact]
    public async Task Threads_are_listed_once_each_in_ordinal_order_across_pages()
    {
        var threads = Enumerable.Range(0, 130).Select(i => $"thread-{i:000}").Concat(["B", "a", "Z", "é"]).ToList();
        foreach (var thread in threads)
        {
            await _store.PutAsync(At(thread, 0), []);
        }

        await _store.PutAsync(At("a", 1), []);
        await _store.PutAsync(At("a", 0, "child|x:0"), []);

        Assert.Equal(threads.Order(StringComparer.Ordinal), await _store.ListThreadsAsync().ToListAsync());
        Assert.Equal(["B", "Z", "a"], (await _store.ListThreadsAsync().ToListAsync()).Where(t => t.Length == 1 && t != "é"));
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_the_argument_named()
    {
        Assert.Equal("checkpoint", (await Assert.ThrowsAsync<ArgumentNullException>(() => _store.PutAsync(null!, []).AsTask())).ParamName);
        Assert.Equal("newBlobs", (await Assert.ThrowsAsync<ArgumentNullException>(() => _store.PutAsync(At("t", 0), null!).AsTask())).ParamName);
        Assert.Equal("writes", (await Assert.ThrowsAsync<ArgumentNullException>(() => _store.PutWritesAsync("t", "", "c", null!).AsTask())).ParamName);
        Assert.Equal("threadId", (await Assert.ThrowsAsync<ArgumentNullException>(() => _store.GetAsync(null!, "", null).AsTask())).ParamName);

        var nul = await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync("a\0b", "", null).AsTask());
        Assert.Equal("threadId", nul.ParamName);
        Assert.Contains("'a\\0b'", nul.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", nul.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => new PostgresCheckpointer(" "));
        Assert.Throws<ArgumentNullException>(() => new PostgresCheckpointer((NpgsqlDataSource)null!));
        Assert.Empty(await _store.ListThreadsAsync().ToListAsync());
    }

    [Fact]
    public async Task A_data_source_passed_in_stays_open_and_one_created_from_a_connection_string_is_disposed()
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        var shared = new PostgresCheckpointer(dataSource, _store.Schema);
        await shared.PutAsync(At("t", 0), []);
        await shared.DisposeAsync();
        await using (var stillOpen = await dataSource.OpenConnectionAsync())
        {
            Assert.Equal(System.Data.ConnectionState.Open, stillOpen.State);
        }

        var owned = new PostgresCheckpointer(server.ConnectionString, _store.Schema);
        Assert.NotNull(await owned.GetAsync("t", "", null));
        await owned.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => owned.GetAsync("t", "", null).AsTask());
    }
}
