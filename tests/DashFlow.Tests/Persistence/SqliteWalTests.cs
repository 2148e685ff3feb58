using DashFlow.Persistence;
using DashFlow.Sqlite;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>
/// The shared-mode checkpointer copies its WAL into the database file in the background: on real files, the WAL stays
/// bounded under writes that never pause, nothing committed is lost, and a failed background copy reaches the caller.
/// </summary>
public sealed class SqliteWalTests : IDisposable
{
    /// <summary>
    /// The checkpointer finishes a WAL at 4,000 frames (16 MB) when the disk keeps up, and makes writes wait past 64 MB
    /// when it does not; a request every 500 commits (about 3 MB) comes on top. A WAL left to grow would hold about 1.6
    /// frames of 4 KB per commit of this test: 160 MB.
    /// </summary>
    private const long MaxWalBytes = 80L * 1024 * 1024;

    private readonly string _dir = Directory.CreateTempSubdirectory("dashflow-wal-").FullName;

    private string Db => Path.Combine(_dir, "runs.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A checkpoint as the engine writes one per superstep: time-ordered ids, its parent, one new value.</summary>
    private static (Checkpoint Checkpoint, FieldBlob[] Blobs) Step(string thread, int step, string? parent)
    {
        var id = CheckpointIds.New(TimeProvider.System);
        var checkpoint = new Checkpoint
        {
            ThreadId = thread,
            Id = id,
            ParentId = parent,
            Step = step,
            Source = step == 0 ? CheckpointSource.Input : CheckpointSource.Loop,
            FieldVersions = new Dictionary<string, string> { ["Value"] = id },
            Next = [$"n{step + 1:00}"],
            Metadata = new Dictionary<string, string> { ["source"] = step == 0 ? "input" : "loop", ["step"] = $"{step}" },
        };
        return (checkpoint, [new FieldBlob("Value", id, [.. Enumerable.Range(0, 17).Select(i => (byte)(i + step))])]);
    }

    /// <summary>Eleven checkpoints on one thread, each committed before the next, as a run under Durability.Sync stores them.</summary>
    private static async Task PutThreadAsync(SqliteCheckpointer store, string thread)
    {
        string? parent = null;
        for (var step = 0; step <= 10; step++)
        {
            var (checkpoint, blobs) = Step(thread, step, parent);
            await store.PutAsync(checkpoint, blobs);
            parent = checkpoint.Id;
        }
    }

    private long WalBytes() => new FileInfo(Db + "-wal") is { Exists: true } wal ? wal.Length : 0;

    [Fact]
    public async Task The_WAL_stays_bounded_under_writes_without_a_pause_and_every_checkpoint_reads_back()
    {
        const int threads = 2_200;
        long largestWal = 0;
        await using (var store = new SqliteCheckpointer(Db))
        {
            for (var t = 0; t < threads; t++)
            {
                await PutThreadAsync(store, $"thread-{t:00000}");

                // The WAL file is reused from its start once copied, never shortened: its length is the most it held.
                largestWal = Math.Max(largestWal, WalBytes());
            }
        }

        Assert.InRange(largestWal, 1, MaxWalBytes);

        // Disposing closed every connection: the last one copied what was left and removed the WAL.
        Assert.False(File.Exists(Db + "-wal"));
        await using var reopened = new SqliteCheckpointer(Db);
        var stored = await reopened.ListThreadsAsync().ToListAsync();
        Assert.Equal(threads, stored.Count);
        foreach (var thread in new[] { "thread-00000", "thread-01100", $"thread-{threads - 1:00000}" })
        {
            var history = await reopened.ListAsync(thread, "").ToListAsync();
            Assert.Equal([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], history.Select(h => h.Checkpoint.Step));
            var latest = history[0];
            Assert.Equal(Step(thread, 10, null).Blobs[0].Data, Assert.Single(latest.Fields).Data);
            Assert.Equal(history[1].Checkpoint.Id, latest.Checkpoint.ParentId);
        }
    }

    [Fact]
    public async Task Checkpoints_committed_while_the_WAL_is_copied_read_back_from_another_connection_at_once()
    {
        await using var store = new SqliteCheckpointer(Db);
        for (var t = 0; t < 300; t++)
        {
            await PutThreadAsync(store, $"thread-{t:00000}");
        }

        // Another connection (as another process would) sees every committed checkpoint, whatever the copy has reached.
        await using var other = new SqliteConnection($"Data Source={Db};Pooling=False");
        await other.OpenAsync();
        await using var count = other.CreateCommand();
        count.CommandText = "SELECT count(*) FROM checkpoints";
        Assert.Equal(300L * 11, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_failed_background_copy_is_thrown_once_by_the_next_call_naming_the_file()
    {
        var store = new SqliteCheckpointer(Db);
        await PutThreadAsync(store, "before");

        // The checkpointer's connections go on writing to the removed files; the background copy opens the file anew, and
        // cannot: it is gone.
        foreach (var file in new[] { Db, Db + "-wal", Db + "-shm" })
        {
            File.Delete(file);
        }

        InvalidOperationException? error = null;
        for (var t = 0; t < 2_000 && error is null; t++)
        {
            try
            {
                await PutThreadAsync(store, $"thread-{t:00000}");
            }
            catch (InvalidOperationException e)
            {
                error = e;
            }

            // Once the commits have asked for a copy, give the background task room to run on a busy machine.
            if (t >= 100)
            {
                await Task.Delay(10);
            }
        }

        Assert.NotNull(error);
        Assert.Contains(Db, error.Message, StringComparison.Ordinal);
        Assert.Contains("in the background", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);

        // Thrown once: the next call goes on.
        await store.PutAsync(Step("after", 0, null).Checkpoint, []);
        Assert.NotNull(await store.GetAsync("after", "", null));
        await store.DisposeAsync();
    }
}
