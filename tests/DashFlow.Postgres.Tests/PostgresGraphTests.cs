using System.Globalization;
using DashFlow.Persistence;
using Npgsql;
using static DashFlow.Postgres.Tests.TestSupport;

namespace DashFlow.Postgres.Tests;

/// <summary>Graphs running on PostgreSQL: resume after failure, interrupts, concurrency, history, damaged rows.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGraphTests(PostgresServer server) : IAsyncLifetime
{
    private PostgresCheckpointer _store = null!;

    public Task InitializeAsync()
    {
        _store = server.NewCheckpointer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    /// <summary>Another checkpointer on the same schema with a pool of its own: what a second process would see.</summary>
    private PostgresCheckpointer Reopen() => new(server.ConnectionString, _store.Schema);

    private static StateGraph<FlowState> Chain(Journal? ran = null, Func<bool>? fail = null) => new StateGraph<FlowState>()
        .AddNode("a", s => { ran?.Add("a"); return Logs("a"); })
        .AddNode("b", s =>
        {
            ran?.Add("b");
            return fail?.Invoke() == true ? throw new InvalidOperationException("down") : Logs("b");
        })
        .AddNode("c", s => { ran?.Add("c"); return Logs("c"); })
        .AddEdge(Graph.Start, "a")
        .AddEdge("a", "b")
        .AddEdge("b", "c");

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var command = server.DataSource.CreateCommand(sql.Replace("{schema}", $"\"{_store.Schema}\"", StringComparison.Ordinal));
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Theory]
    [InlineData(Durability.Sync)]
    [InlineData(Durability.Async)]
    public async Task Two_checkpointers_on_one_schema_cannot_both_run_a_thread(Durability durability)
    {
        await using var other = Reopen();
        await DashFlow.Tests.Persistence.CheckpointConflictContract.RaceAsync(_store, other, durability);
    }

    [Fact]
    public async Task A_failed_run_resumes_in_another_checkpointer_and_runs_only_what_did_not_finish()
    {
        var ran = new Journal();
        var fail = true;
        var config = new RunConfig { ThreadId = "job-1" };
        await Assert.ThrowsAsync<NodeFailedException>(() => Chain(ran, () => fail).Compile(new CompileOptions { Checkpointer = _store }).InvokeAsync(new FlowState(), config).AsTask());

        fail = false;
        await using var later = Reopen();
        var again = Chain(ran, () => fail).Compile(new CompileOptions { Checkpointer = later });
        var final = await again.InvokeAsync((FlowState?)null, config);

        Assert.Equal(["a", "b", "c"], final.Log);
        Assert.Equal(["a", "b", "b", "c"], ran.ToArray());
        Assert.Equal([3, 2, 1, 0], (await again.GetStateHistoryAsync(config).ToListAsync()).Select(h => h.Checkpoint.Step));
    }

    [Fact]
    public async Task Interrupts_wait_in_the_database_until_another_checkpointer_answers_them()
    {
        var ran = new Journal();
        StateGraph<FlowState> Approval() => new StateGraph<FlowState>()
            .AddNode("draft", s => { ran.Add("draft"); return Logs("draft"); })
            .AddNode("ask", (s, c) =>
            {
                ran.Add("ask");
                var name = c.Interrupt<string>("name?");
                var city = c.Interrupt<string>("city?");
                return new(Logs($"{name}@{city}"));
            })
            .AddNode("sibling", s => { ran.Add("sibling"); return Logs("sibling"); })
            .AddNode("after", s => { ran.Add("after"); return Logs("after"); })
            .AddEdge(Graph.Start, "draft")
            .AddEdge("draft", "ask")
            .AddEdge("draft", "sibling")
            .AddEdge("ask", "after");
        var config = new RunConfig { ThreadId = "approval" };
        await Approval().Compile(new CompileOptions { Checkpointer = _store }).InvokeAsync(new FlowState(), config);

        await using var later = Reopen();
        var app = Approval().Compile(new CompileOptions { Checkpointer = later });
        var waiting = await app.GetStateAsync(config);
        Assert.Equal("name?", Assert.Single(waiting.Interrupts).Value);
        Assert.Equal(["ask", "sibling"], waiting.Next);
        Assert.True(waiting.Tasks.Single(t => t.Node == "sibling").Finished);

        await app.InvokeAsync(new Command<FlowState> { Resume = "Ada" }, config);
        Assert.Equal("city?", Assert.Single((await app.GetStateAsync(config)).Interrupts).Value);
        var final = await app.InvokeAsync(new Command<FlowState> { Resume = "London" }, config);

        Assert.Equal(["draft", "Ada@London", "sibling", "after"], final.Log);
        Assert.Equal(["draft", "ask", "sibling", "ask", "ask", "after"], ran.ToArray());
        Assert.Empty((await app.GetStateAsync(config)).Next);
    }

    [Fact]
    public async Task Many_runs_on_different_threads_proceed_at_once_from_several_tasks()
    {
        var app = new StateGraph<FlowState>()
            .AddNode("a", async (s, c) => { await Task.Yield(); return Logs("a:" + s.Query); })
            .AddNode("b", async (s, c) => { await Task.Yield(); return Logs("b:" + s.Query); })
            .AddNode("c", s => Logs("c:" + s.Query))
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .AddEdge("b", "c")
            .Compile(new CompileOptions { Checkpointer = _store });
        var ids = Enumerable.Range(0, 24).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();

        var finals = await Task.WhenAll(ids.Select(i => Task.Run(async () =>
            await app.InvokeAsync(new FlowState { Query = i }, new RunConfig { ThreadId = "t" + i })))).Within();

        Assert.Equal(ids.Select(i => new[] { "a:" + i, "b:" + i, "c:" + i }), finals.Select(f => f.Log.ToArray()));
        Assert.Equal(ids.Select(i => "t" + i).Order(StringComparer.Ordinal), await _store.ListThreadsAsync().ToListAsync());
        foreach (var i in ids)
        {
            var history = await app.GetStateHistoryAsync(new RunConfig { ThreadId = "t" + i }).ToListAsync();
            Assert.Equal([3, 2, 1, 0], history.Select(h => h.Checkpoint.Step));
            Assert.All(history, h => Assert.Equal(i, h.Values.Query));
        }
    }

    [Fact]
    public async Task History_pages_and_filters_and_a_replay_branches_without_touching_older_checkpoints()
    {
        var ran = new Journal();
        var app = Chain(ran).Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "history" };
        await app.InvokeAsync(new FlowState { Query = "q" }, config);
        var before = await app.GetStateHistoryAsync(config).ToListAsync();
        Assert.Equal([3, 2, 1, 0], before.Select(h => h.Checkpoint.Step));
        Assert.Equal("input", before[^1].Metadata["source"]);
        Assert.Equal(1, Assert.Single(await app.GetStateHistoryAsync(config, new CheckpointListOptions { Before = before[1].Checkpoint.Id, Limit = 1 }).ToListAsync()).Checkpoint.Step);
        Assert.Equal(0, Assert.Single(await app.GetStateHistoryAsync(config, new CheckpointListOptions { Metadata = new Dictionary<string, string> { ["source"] = "input" } }).ToListAsync()).Checkpoint.Step);

        var afterA = before.Single(h => h.Checkpoint.Step == 1);
        var replayed = await app.InvokeAsync((FlowState?)null, afterA.Config);

        Assert.Equal(["a", "b", "c"], replayed.Log);
        Assert.Equal(["a", "b", "c", "b", "c"], ran.ToArray());
        var after = await app.GetStateHistoryAsync(config).ToListAsync();
        Assert.Equal(before.Count + 2, after.Count);
        foreach (var old in before)
        {
            var same = after.Single(h => h.Checkpoint.Id == old.Checkpoint.Id).Checkpoint;
            Assert.Equal((old.Checkpoint.ParentId, old.Checkpoint.Step, old.Checkpoint.CreatedAt), (same.ParentId, same.Step, same.CreatedAt));
            Assert.Equal(old.Checkpoint.FieldVersions, same.FieldVersions);
        }

        Assert.Equal(afterA.Checkpoint.Id, after[1].Checkpoint.ParentId);
    }

    [Fact]
    public async Task Sends_and_joins_survive_a_resume()
    {
        var fail = true;
        var app = new StateGraph<FlowState>()
            .AddNode("plan", s => null)
            .AddNode<string>("work", (item, c) => ValueTask.FromResult<StateUpdate<FlowState>?>(
                item == "bad" && fail ? throw new InvalidOperationException("down") : Logs("w:" + item)))
            .AddNode("other", s => Logs("other"))
            .AddNode("end", s => Logs("end"))
            .AddEdge(Graph.Start, "plan")
            .AddEdge(Graph.Start, "other")
            .AddConditionalEdges("plan", s => new[] { new Send("work", "good"), new Send("work", "bad") }, ["work"])
            .AddEdge(["work", "other"], "end")
            .Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "sends" };

        await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new FlowState(), config).AsTask());
        Assert.Equal(["work", "work"], (await app.GetStateAsync(config)).Next);
        fail = false;
        var final = await app.InvokeAsync((FlowState?)null, config);

        Assert.Equal(["other", "w:good", "w:bad", "end"], final.Log);
    }

    [Theory]
    [InlineData(Durability.Sync)]
    [InlineData(Durability.Async)]
    [InlineData(Durability.Exit)]
    public async Task Every_durability_mode_stores_the_final_state(Durability durability)
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "durability", Durability = durability };

        await app.InvokeAsync(new FlowState(), config);

        var state = await app.GetStateAsync(config);
        Assert.Equal(["a", "b", "c"], state.Values.Log);
        Assert.Equal(3, state.Checkpoint.Step);
        Assert.Equal(durability == Durability.Exit ? 1 : 4, (await app.GetStateHistoryAsync(config).ToListAsync()).Count);
    }

    [Fact]
    public async Task A_field_a_run_never_changes_is_stored_once()
    {
        var loops = 0;
        var app = new StateGraph<FlowState>()
            .AddNode("step", s => new FlowState.Update { Count = 1 })
            .AddEdge(Graph.Start, "step")
            .AddConditionalEdges("step", s => ++loops < 10 ? "step" : Graph.End, ["step", Graph.End])
            .Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "big" };

        var final = await app.InvokeAsync(new FlowState { Query = new string('x', 100_000) }, config);

        Assert.Equal(10, final.Count);
        await using var command = server.DataSource.CreateCommand($"SELECT field, count(*) FROM \"{_store.Schema}\".blobs WHERE thread_id = 'big' GROUP BY field ORDER BY field");
        await using var reader = await command.ExecuteReaderAsync();
        var blobs = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            blobs.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        Assert.Equal([("Count", 11L), ("Log", 1L), ("Query", 1L)], blobs);
        Assert.Equal(100_000, (await app.GetStateAsync(config)).Values.Query.Length);
    }

    [Fact]
    public async Task A_damaged_field_blob_is_an_error_naming_thread_and_checkpoint_and_earlier_ones_stay_usable()
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "damaged-blob" };
        await app.InvokeAsync(new FlowState(), config);
        var latest = (await _store.GetAsync("damaged-blob", "", null))!.Checkpoint;

        // The latest checkpoint is the first to store this value of Log: flip the last byte where it is stored.
        await ExecuteAsync(
            "UPDATE {schema}.blobs SET data = set_byte(data, length(data) - 1, get_byte(data, length(data) - 1) # 255) " +
            "WHERE thread_id = $1 AND field = 'Log' AND version = $2",
            "damaged-blob", latest.Id);

        var error = await Assert.ThrowsAsync<CheckpointReadException>(() => app.GetStateAsync(config).AsTask());
        Assert.Equal(("damaged-blob", latest.Id), (error.ThreadId, error.CheckpointId));
        Assert.Contains("'damaged-blob'", error.Message, StringComparison.Ordinal);
        Assert.Contains(latest.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CheckpointReadException>(() => app.InvokeAsync((FlowState?)null, config).AsTask());

        var earlier = await app.GetStateAsync(config with { CheckpointId = latest.ParentId });
        Assert.Equal(["a", "b"], earlier.Values.Log);
        Assert.Equal(["a", "b", "c"], (await app.InvokeAsync((FlowState?)null, earlier.Config)).Log);
    }

    [Theory]
    [InlineData("body = '\\x00ff'::bytea", "body")]
    [InlineData("metadata = '{\"step\": 3}'::jsonb", "'step' is not a string")]
    [InlineData("source = 42", "source 42")]
    public async Task A_damaged_checkpoint_row_is_an_error_naming_thread_and_checkpoint(string damage, string expected)
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "damaged-row" };
        await app.InvokeAsync(new FlowState(), config);
        var latest = (await _store.GetAsync("damaged-row", "", null))!.Checkpoint;

        await ExecuteAsync($"UPDATE {{schema}}.checkpoints SET {damage} WHERE thread_id = $1 AND id = $2", "damaged-row", latest.Id);

        var error = await Assert.ThrowsAsync<CheckpointReadException>(() => _store.GetAsync("damaged-row", "", null).AsTask());
        Assert.Equal(("damaged-row", latest.Id), (error.ThreadId, error.CheckpointId));
        Assert.Contains(latest.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CheckpointReadException>(() => app.GetStateAsync(config).AsTask());
        Assert.Equal(["a", "b"], (await app.GetStateAsync(config with { CheckpointId = latest.ParentId })).Values.Log);
    }

    [Fact]
    public async Task Resuming_an_unknown_thread_or_checkpoint_is_a_specific_error_and_nothing_stored_is_lost()
    {
        var app = Chain().Compile(new CompileOptions { Checkpointer = _store });
        var config = new RunConfig { ThreadId = "known" };

        var unknown = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => app.InvokeAsync((FlowState?)null, config with { ThreadId = "unknown" }).AsTask());
        Assert.Contains("'unknown'", unknown.Message, StringComparison.Ordinal);

        await app.InvokeAsync(new FlowState(), config);
        var badId = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => app.InvokeAsync((FlowState?)null, config with { CheckpointId = "nope" }).AsTask());
        Assert.Contains("'nope'", badId.Message, StringComparison.Ordinal);
        Assert.Equal("nope", badId.CheckpointId);
        var none = await Assert.ThrowsAsync<InvalidResumeException>(() => app.InvokeAsync(new Command<FlowState> { Resume = "x" }, config).AsTask());
        Assert.Equal("known", none.ThreadId);

        Assert.Equal(["a", "b", "c"], (await app.GetStateAsync(config)).Values.Log);
        Assert.Equal(4, (await app.GetStateHistoryAsync(config).ToListAsync()).Count);
    }
}
