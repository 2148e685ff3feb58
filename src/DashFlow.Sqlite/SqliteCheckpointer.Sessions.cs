using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DashFlow.Sqlite;

/// <summary>
/// The connections: a stack of idle sessions (shared mode), or the one session that holds the file (exclusive mode), and
/// how calls take them.
/// </summary>
public sealed partial class SqliteCheckpointer
{
    /// <summary>Idle connections kept open beyond this many are closed.</summary>
    private const int MaxIdleSessions = 8;

    /// <summary>SQLITE_CONSTRAINT_NOTNULL: how the checkpoint statement refuses a checkpoint (see Statement.PutCheckpoint).</summary>
    private const int SqliteConstraintNotNull = 1299;

    private readonly bool _exclusive;
    private readonly string _connectionString;
    private readonly Lock _initLock = new();

    /// <summary>One write at a time per checkpointer (in exclusive mode: one call of any kind at a time).</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Stack<SqliteSession> _idle = new();

    /// <summary>Exclusive mode: the connection that holds the file; used only under <see cref="_writeGate"/>.</summary>
    private SqliteSession? _held;
    private volatile bool _ready;
    private volatile bool _disposed;

    /// <summary>
    /// Runs <paramref name="work"/>, a write, as one transaction: its own (one statement) or, with
    /// <paramref name="transaction"/>, BEGIN IMMEDIATE ... COMMIT around it. One write at a time per checkpointer: the
    /// others wait here, without a thread, rather than in SQLite's busy loop.
    /// </summary>
    private ValueTask WriteAsync<TArg>(TArg arg, Action<SqliteSession, TArg> work, bool transaction, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfCheckpointFailed();
        if (Volatile.Read(ref _catchUp) is { } catchUp)
        {
            return WriteAfterCatchUpAsync(catchUp.Task, arg, work, transaction, cancellationToken);
        }

        if (!_writeGate.Wait(0))
        {
            return WriteWhenFreeAsync(arg, work, transaction, cancellationToken);
        }

        try
        {
            Write(arg, work, transaction);
        }
        finally
        {
            _writeGate.Release();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Shared mode: waits until the background task has emptied a WAL past its hard limit, then writes.</summary>
    private async ValueTask WriteAfterCatchUpAsync<TArg>(Task catchUp, TArg arg, Action<SqliteSession, TArg> work, bool transaction, CancellationToken cancellationToken)
    {
        await catchUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(arg, work, transaction, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteWhenFreeAsync<TArg>(TArg arg, Action<SqliteSession, TArg> work, bool transaction, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Write(arg, work, transaction);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void Write<TArg>(TArg arg, Action<SqliteSession, TArg> work, bool transaction)
    {
        var session = Rent();
        var failed = true;
        try
        {
            if (transaction)
            {
                // IMMEDIATE takes the write lock at BEGIN, so a writer in another process makes this one wait (busy
                // timeout) instead of failing when a read inside the transaction would have to be upgraded.
                session.Execute(Statement.Begin);
            }

            work(session, arg);
            if (transaction)
            {
                session.Execute(Statement.Commit);
            }

            failed = false;
            Committed();
        }
        finally
        {
            Return(session, failed);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/>, a read. In shared mode reads run at once, each on its own connection; in exclusive
    /// mode they take turns with the writes on the one connection.
    /// </summary>
    private ValueTask<TResult> ReadAsync<TArg, TResult>(TArg arg, Func<SqliteSession, TArg, TResult> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfCheckpointFailed();
        if (!_exclusive)
        {
            return new(Read(arg, work));
        }

        if (!_writeGate.Wait(0))
        {
            return ReadWhenFreeAsync(arg, work, cancellationToken);
        }

        try
        {
            return new(Read(arg, work));
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async ValueTask<TResult> ReadWhenFreeAsync<TArg, TResult>(TArg arg, Func<SqliteSession, TArg, TResult> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Read(arg, work);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private TResult Read<TArg, TResult>(TArg arg, Func<SqliteSession, TArg, TResult> work)
    {
        var session = Rent();
        var failed = true;
        try
        {
            var result = work(session, arg);
            failed = false;
            return result;
        }
        finally
        {
            Return(session, failed);
        }
    }

    private SqliteSession Rent()
    {
        if (_exclusive)
        {
            // A call that waited for the gate while the checkpointer was disposed must not open the file again.
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _held ??= Open();
        }

        lock (_idle)
        {
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }
        }

        return Open();
    }

    /// <summary>
    /// Keeps a session for the next call. After a failed call (a refused checkpoint, a corrupt row, a SQLite error) any
    /// transaction it left open is rolled back; the session is closed only if that fails too. In exclusive mode closing
    /// it would give up the file, so it is kept whenever it can be.
    /// </summary>
    private void Return(SqliteSession session, bool failed)
    {
        var healthy = !failed || Recover(session);
        if (_exclusive)
        {
            if (!healthy || _disposed)
            {
                _held = null;
                session.Dispose();
            }

            return;
        }

        if (healthy && !_disposed)
        {
            lock (_idle)
            {
                if (_idle.Count < MaxIdleSessions)
                {
                    _idle.Push(session);
                    return;
                }
            }
        }

        session.Dispose();
    }

    private static bool Recover(SqliteSession session)
    {
        try
        {
            if (raw.sqlite3_get_autocommit(session.Connection.Handle) == 0)
            {
                session.Execute(Statement.Rollback);
            }

            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private SqliteSession Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            if (_exclusive)
            {
                // Before the file is first read: SQLite then keeps the WAL index in this connection's memory, never in
                // the shared -shm file, and never releases the file's lock until the connection closes.
                Run(connection, "PRAGMA locking_mode = EXCLUSIVE");
            }

            Initialize(connection);

            // The setting belongs to each connection, not to the file.
            Run(connection, "PRAGMA synchronous = NORMAL");
            if (!_exclusive)
            {
                // Shared mode: the background task checkpoints the WAL (see SqliteCheckpointer.WalCheckpoints.cs).
                Run(connection, "PRAGMA wal_autocheckpoint = 0");
            }

            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Exclusive mode, under the gate: closes the connection and so releases the file.</summary>
    private void CloseHeld()
    {
        try
        {
            _held?.Dispose();
            _held = null;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void CloseIdle()
    {
        lock (_idle)
        {
            while (_idle.TryPop(out var session))
            {
                session.Dispose();
            }
        }
    }
}
