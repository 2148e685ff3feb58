using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>
/// Shared mode: the WAL is copied into the database file by a background task on a connection of its own, so that a
/// commit never waits for the copy or its flushes to disk.
/// </summary>
/// <remarks>
/// <para>
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: that commit copies the
/// pages into the database file and flushes both files to disk (<c>fsync</c>), while every other write waits. On a
/// busy machine a run of eleven checkpoints took half as long with <c>synchronous = OFF</c>, which never flushes: the
/// flushes, not the writes, are most of a commit's cost there. Here the checkpointer's connections turn the automatic
/// checkpoint off, and every <see cref="CommitsPerCheckpoint"/> commits a background task runs
/// <c>PRAGMA wal_checkpoint(PASSIVE)</c> beside the writes: PASSIVE never waits for readers or writers and never blocks
/// them. Durability is unchanged: a commit is in the WAL, and the checkpoint flushes the WAL before it writes a page of
/// the database file, as SQLite's own does.
/// </para>
/// <para>
/// A WAL starts over from its beginning only at a write that finds every frame copied. While writes come without a
/// pause, each background checkpoint finishes behind the newest commit and the WAL keeps growing. Once it holds
/// <see cref="WalLimitFrames"/> frames the background task copies what is left while it holds this checkpointer's
/// write turn (other processes may still write): the next write then starts the WAL over. The WAL file so stays near
/// that size (the frames committed during the last background copy come on top), and writes wait only for that short
/// last copy. The price: the WAL file, which SQLite reuses without shortening it, is about 16 MB instead of 4 MB.
/// </para>
/// <para>
/// On a disk slower than the writes, the writes committed during one background copy can outgrow that. Past
/// <see cref="WalHardLimitBytes"/> new writes wait while the background task copies the whole WAL and empties the file
/// (<c>TRUNCATE</c>): the WAL never grows without end.
/// </para>
/// <para>
/// A failed background checkpoint (the file was removed, the disk is full) is kept and thrown by the next call on the
/// checkpointer, once; the task goes on with the next checkpoint. Committed checkpoints stay in the WAL until one succeeds.
/// </para>
/// </remarks>
public sealed partial class SqliteCheckpointer
{
    /// <summary>Commits between two background checkpoints: about 800 WAL pages with the rows of a chain's steps.</summary>
    private const int CommitsPerCheckpoint = 500;

    /// <summary>
    /// WAL frames (pages) past which the background checkpoint finishes while it holds the write turn, so that the WAL
    /// starts over: 16 MB of 4 KB pages.
    /// </summary>
    private const int WalLimitFrames = 4_000;

    /// <summary>
    /// The WAL file's size past which writes wait until the background task has copied the WAL and emptied the file.
    /// Reached only when the disk is slower than the writes (a background copy takes longer than the writes that come
    /// meanwhile): it keeps the WAL from growing without end.
    /// </summary>
    private const long WalHardLimitBytes = 64L * 1024 * 1024;

    private readonly SemaphoreSlim _checkpointDue = new(0, 1);
    private readonly CancellationTokenSource _stopCheckpoints = new();

    /// <summary>Commits since the last background checkpoint was asked for; changed only under the write gate.</summary>
    private int _commitsSinceCheckpoint;
    private Task? _checkpointLoop;
    private Exception? _checkpointFailure;

    /// <summary>Set while writes wait for the background task to empty a WAL past <see cref="WalHardLimitBytes"/>.</summary>
    private TaskCompletionSource? _catchUp;

    /// <summary>
    /// After a commit, under the write gate: asks for a background checkpoint every <see cref="CommitsPerCheckpoint"/>
    /// commits, and then also looks at the WAL file's size (one <c>stat</c> per request).
    /// </summary>
    private void Committed()
    {
        if (_exclusive || ++_commitsSinceCheckpoint < CommitsPerCheckpoint || _disposed)
        {
            return;
        }

        _commitsSinceCheckpoint = 0;
        if (Volatile.Read(ref _catchUp) is null && WalFileBytes() > WalHardLimitBytes)
        {
            Volatile.Write(ref _catchUp, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        _checkpointLoop ??= Task.Run(CheckpointLoopAsync);

        // At most one request is pending: a checkpoint still running when the next is due copies those commits too.
        if (_checkpointDue.CurrentCount == 0)
        {
            try
            {
                _checkpointDue.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private async Task CheckpointLoopAsync()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                try
                {
                    await _checkpointDue.WaitAsync(_stopCheckpoints.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    connection ??= OpenCheckpointConnection();
                    var frames = CheckpointWal(connection, "PASSIVE");
                    var catchUp = Volatile.Read(ref _catchUp);
                    if (frames >= WalLimitFrames || catchUp is not null)
                    {
                        await _writeGate.WaitAsync(_stopCheckpoints.Token).ConfigureAwait(false);
                        try
                        {
                            // Past the hard limit the file is also emptied: the next check sees it small again.
                            CheckpointWal(connection, catchUp is null ? "PASSIVE" : "TRUNCATE");
                        }
                        finally
                        {
                            _writeGate.Release();
                        }
                    }

                    ReleaseWrites(catchUp);
                }
                catch (OperationCanceledException) when (_stopCheckpoints.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // Kept for the next call; the connection is opened again for the next checkpoint.
                    Volatile.Write(ref _checkpointFailure, e);
                    connection?.Dispose();
                    connection = null;
                    ReleaseWrites(Volatile.Read(ref _catchUp));
                }
            }
        }
        finally
        {
            connection?.Dispose();
            ReleaseWrites(Volatile.Read(ref _catchUp));
        }
    }

    /// <summary>Lets the writes that waited for <paramref name="catchUp"/> go on.</summary>
    private void ReleaseWrites(TaskCompletionSource? catchUp)
    {
        if (catchUp is not null)
        {
            Interlocked.CompareExchange(ref _catchUp, null, catchUp);
            catchUp.TrySetResult();
        }
    }

    /// <summary>The WAL file's length: the most the WAL has held since the file was last emptied (SQLite reuses it from its start).</summary>
    private long WalFileBytes()
    {
        try
        {
            return new FileInfo(Path + "-wal").Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// The background task's connection. It never creates the file: a file removed under the checkpointer is a failure
    /// to report, not a new empty database to checkpoint.
    /// </summary>
    private SqliteConnection OpenCheckpointConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Mode = SqliteOpenMode.ReadWrite }.ToString());
        try
        {
            connection.Open();

            // The checkpoint flushes the WAL and the database file as the writers' own automatic checkpoint would.
            Run(connection, "PRAGMA synchronous = NORMAL");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One checkpoint. Returns the frames the WAL held when it started (0 if another checkpoint, of another connection or
    /// process, was running): a PASSIVE one copies those, not the ones committed meanwhile. TRUNCATE also waits for
    /// readers (busy timeout) and empties the file.
    /// </summary>
    private static long CheckpointWal(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        reader.Read();

        // Columns: busy, frames in the WAL, frames copied into the database file.
        return reader.GetInt64(0) != 0 ? 0 : reader.GetInt64(1);
    }

    /// <summary>Throws, once, a failure of the background checkpoint since the last call.</summary>
    private void ThrowIfCheckpointFailed()
    {
        if (Volatile.Read(ref _checkpointFailure) is not null && Interlocked.Exchange(ref _checkpointFailure, null) is { } failure)
        {
            throw new InvalidOperationException(
                $"Copying the write-ahead log of the checkpoint file '{Path}' into the file failed in the background: {failure.Message} " +
                "This call stored and read nothing; checkpoints committed before it are safe in the log. Later calls go on and the copy is " +
                "tried again; if the file was moved or removed, or its disk is full, dispose the checkpointer and fix that first.",
                failure);
        }
    }

    /// <summary>Stops the background task, after the checkpoint it is running, and closes its connection.</summary>
    private Task StopCheckpointsAsync()
    {
        _stopCheckpoints.Cancel();
        return _checkpointLoop ?? Task.CompletedTask;
    }
}
