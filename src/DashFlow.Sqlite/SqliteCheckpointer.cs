using System.Runtime.CompilerServices;
using DashFlow.Persistence;
using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>
/// Stores checkpoints in one SQLite file, in WAL mode, so that any number of threads and concurrent runs (in this process
/// or others) can use it. The file carries its own schema version and is migrated forward when it is opened.
/// </summary>
/// <remarks>
/// The checkpointer keeps its connections open, each with its statements compiled once, and writes from one connection
/// at a time (SQLite has one writer per file anyway): a checkpoint costs one transaction of a few bound statements.
/// Connections use <c>synchronous = NORMAL</c>: in WAL mode every committed checkpoint survives a crash of the process;
/// only a power loss can undo the last commits. Dispose the checkpointer to close its connections.
/// </remarks>
/// <example><code>
/// await using var store = new SqliteCheckpointer("runs.db");
/// var app = graph.Compile(new CompileOptions { Checkpointer = store });
/// </code></example>
public sealed partial class SqliteCheckpointer : ICheckpointer, IDisposable, IAsyncDisposable
{
    /// <summary>Idle connections kept open beyond this many are closed.</summary>
    private const int MaxIdleSessions = 8;

    private readonly string _connectionString;
    private readonly Lock _initLock = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Stack<SqliteSession> _idle = new();
    private volatile bool _ready;
    private volatile bool _disposed;

    /// <summary>Opens (or creates) the database file. The file is created, and its schema migrated, on first use.</summary>
    /// <param name="path">The file's path.</param>
    public SqliteCheckpointer(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,

            // The checkpointer keeps its own connections open; a pool would only add a second cache.
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(session =>
        {
            // One read transaction: the checkpoint, its blobs and its writes come from the same snapshot of the file.
            session.Execute(Statement.BeginRead);
            try
            {
                Checkpoint? checkpoint = null;
                byte[]? own = null;
                using (var reader = checkpointId is null
                    ? session.Query(Statement.SelectLatest, threadId, checkpointNamespace)
                    : session.Query(Statement.SelectById, threadId, checkpointNamespace, checkpointId))
                {
                    if (reader.Read())
                    {
                        checkpoint = ReadCheckpoint(reader, threadId, checkpointNamespace);
                        own = OwnBlobsColumn(reader);
                    }
                }

                return checkpoint is null ? null : Tuple(session, checkpoint, own, null);
            }
            finally
            {
                session.Execute(Statement.Commit);
            }
        }));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        cancellationToken.ThrowIfCancellationRequested();

        // The page is read whole and the connection given back before the caller sees the first item, so a slow
        // consumer never holds a connection (nor a read snapshot that stops the WAL from being checkpointed).
        var tuples = Read(session =>
        {
            session.Execute(Statement.BeginRead);
            try
            {
                var checkpoints = new List<(Checkpoint Checkpoint, byte[]? Own)>();
                using (var reader = session.Query(Statement.SelectPage, threadId, checkpointNamespace, options?.Before))
                {
                    while ((options?.Limit is not { } max || checkpoints.Count < max) && reader.Read())
                    {
                        var checkpoint = ReadCheckpoint(reader, threadId, checkpointNamespace);
                        if (options?.Metadata is { } filter && !filter.All(p => checkpoint.Metadata.TryGetValue(p.Key, out var v) && v == p.Value))
                        {
                            continue;
                        }

                        checkpoints.Add((checkpoint, OwnBlobsColumn(reader)));
                    }
                }

                // Checkpoints of one page share field versions: each version's row is read once.
                var rows = new Dictionary<string, Dictionary<string, byte[]>?>(StringComparer.Ordinal);
                return checkpoints.ConvertAll(c => Tuple(session, c.Checkpoint, c.Own, rows));
            }
            finally
            {
                session.Execute(Statement.Commit);
            }
        });

        foreach (var tuple in tuples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return tuple;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(newBlobs);
        var body = EncodeBody(checkpoint);
        var own = EncodeOwnBlobs(checkpoint, newBlobs, out var others);
        return WriteAsync(
            (checkpoint, own, others, body),
            static (session, put) =>
            {
                var (checkpoint, own, others, body) = put;
                if (checkpoint.Source != CheckpointSource.Fork)
                {
                    // Inside the write transaction: no other writer, in any process, can come between this check and the insert.
                    CheckpointConflictException.ThrowIfNotLatest(checkpoint, session.Scalar(Statement.SelectLatestId, checkpoint.ThreadId, checkpoint.Namespace) as string);
                }

                foreach (var blob in others ?? [])
                {
                    session.Execute(Statement.InsertBlob, checkpoint.ThreadId, checkpoint.Namespace, blob.Field, blob.Version, blob.Data);
                }

                session.Execute(
                    Statement.InsertCheckpoint,
                    checkpoint.ThreadId,
                    checkpoint.Namespace,
                    checkpoint.Id,
                    checkpoint.ParentId,
                    checkpoint.Step,
                    (int)checkpoint.Source,
                    checkpoint.CreatedAt.UtcTicks,
                    checkpoint.SchemaVersion,
                    body,
                    own);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        ArgumentNullException.ThrowIfNull(checkpointId);
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        return WriteAsync(
            (threadId, checkpointNamespace, checkpointId, writes),
            static (session, put) =>
            {
                foreach (var write in put.writes)
                {
                    session.Execute(
                        Statement.InsertWrite, put.threadId, put.checkpointNamespace, put.checkpointId, write.TaskId, write.Index, (int)write.Kind, write.Text, write.Data);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        return WriteAsync(
            threadId,
            static (session, thread) =>
            {
                session.Execute(Statement.DeleteCheckpoints, thread);
                session.Execute(Statement.DeleteBlobs, thread);
                session.Execute(Statement.DeleteWrites, thread);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var threads = Read(session =>
        {
            var list = new List<string>();
            using var reader = session.Query(Statement.SelectThreads);
            while (reader.Read())
            {
                list.Add(reader.GetString(0));
            }

            return list;
        });

        foreach (var thread in threads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return thread;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Reads the file's schema version, creating or migrating the file first if this instance has not yet.</summary>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The version.</returns>
    public ValueTask<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(session => ReadVersion(session.Connection, null)));
    }

    /// <summary>Closes the checkpointer's connections. Calls still running finish first; later calls throw.</summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_idle)
        {
            while (_idle.TryPop(out var session))
            {
                session.Dispose();
            }
        }
    }

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction. One write at a time per checkpointer: the others wait here,
    /// without a thread, rather than in SQLite's busy loop.
    /// </summary>
    private async ValueTask WriteAsync<TArg>(TArg arg, Action<SqliteSession, TArg> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = Rent();
            var healthy = false;
            try
            {
                session.Execute(Statement.Begin);
                try
                {
                    work(session, arg);
                    session.Execute(Statement.Commit);
                }
                catch
                {
                    // A refused or failed write leaves the connection usable once it is rolled back.
                    session.Execute(Statement.Rollback);
                    healthy = true;
                    throw;
                }

                healthy = true;
            }
            finally
            {
                Return(session, healthy);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private T Read<T>(Func<SqliteSession, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var session = Rent();
        var healthy = false;
        try
        {
            var result = work(session);
            healthy = true;
            return result;
        }
        finally
        {
            Return(session, healthy);
        }
    }

    private SqliteSession Rent()
    {
        lock (_idle)
        {
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            if (!_ready)
            {
                Initialize(connection);
            }

            // The setting belongs to each connection, not to the file.
            Run(connection, "PRAGMA synchronous = NORMAL");
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Keeps a session for the next call, unless it failed (its state is unknown) or enough are idle.</summary>
    private void Return(SqliteSession session, bool healthy)
    {
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

    /// <summary>
    /// The checkpoint with its field values and pending writes. A value is looked for in the row of the checkpoint its
    /// version names (where checkpoints store the values they introduce), then in the blobs table.
    /// </summary>
    private static CheckpointTuple Tuple(SqliteSession session, Checkpoint checkpoint, byte[]? own, Dictionary<string, Dictionary<string, byte[]>?>? rows)
    {
        rows ??= new(StringComparer.Ordinal);
        rows[checkpoint.Id] = own is null ? null : DecodeOwnBlobs(checkpoint.ThreadId, checkpoint.Id, own);
        var fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
        foreach (var (name, version) in checkpoint.FieldVersions)
        {
            if (!rows.TryGetValue(version, out var row))
            {
                var stored = session.Scalar(Statement.SelectOwnBlobs, checkpoint.ThreadId, checkpoint.Namespace, version) as byte[];
                rows[version] = row = stored is null ? null : DecodeOwnBlobs(checkpoint.ThreadId, version, stored);
            }

            if (row is not null && row.TryGetValue(name, out var data))
            {
                fields.Add(new FieldBlob(name, version, data));
                continue;
            }

            using var reader = session.Query(Statement.SelectBlob, checkpoint.ThreadId, checkpoint.Namespace, name, version);
            if (reader.Read())
            {
                fields.Add(new FieldBlob(name, version, (byte[])reader.GetValue(0)));
            }
        }

        // Ordered by task id and index (binary collation), as the in-memory store returns them.
        var writes = new List<PendingWrite>();
        using (var reader = session.Query(Statement.SelectWrites, checkpoint.ThreadId, checkpoint.Namespace, checkpoint.Id))
        {
            while (reader.Read())
            {
                writes.Add(new PendingWrite(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    (PendingWriteKind)reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4)));
            }
        }

        return new CheckpointTuple(checkpoint, fields, writes);
    }
}
