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
/// at a time (SQLite has one writer per file anyway): a checkpoint usually costs one statement, its own transaction.
/// Connections use <c>synchronous = NORMAL</c>: in WAL mode every committed checkpoint survives a crash of the process;
/// only a power loss can undo the last commits. The WAL is copied into the database file by a background task on a
/// connection of its own, so that no commit waits for that copy and its flushes to disk; the WAL file stays near 16 MB.
/// Dispose the checkpointer to stop that task and close its connections.
/// With <see cref="SqliteCheckpointerOptions.ExclusiveLocking"/> the checkpointer holds the file for itself, on one
/// connection, and each checkpoint costs fewer system calls; the copy then runs inside a commit, as SQLite does by default.
/// </remarks>
/// <example><code>
/// await using var store = new SqliteCheckpointer("runs.db");
/// var app = graph.Compile(new CompileOptions { Checkpointer = store });
/// </code></example>
public sealed partial class SqliteCheckpointer : ICheckpointer, IDisposable, IAsyncDisposable
{
    /// <summary>Opens (or creates) the database file. The file is created, and its schema migrated, on first use.</summary>
    /// <param name="path">The file's path.</param>
    public SqliteCheckpointer(string path)
        : this(path, new SqliteCheckpointerOptions())
    {
    }

    /// <summary>Opens (or creates) the database file. The file is created, and its schema migrated, on first use.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="options">How the file is used; see <see cref="SqliteCheckpointerOptions.ExclusiveLocking"/>.</param>
    /// <remarks>
    /// Nothing touches the file until the first call. With <see cref="SqliteCheckpointerOptions.ExclusiveLocking"/>,
    /// the first call takes the file and any call throws <see cref="InvalidOperationException"/> while another
    /// checkpointer or program holds it.
    /// </remarks>
    public SqliteCheckpointer(string path, SqliteCheckpointerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        _exclusive = options.ExclusiveLocking;
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
    /// <exception cref="InvalidOperationException">
    /// The file is held by a checkpointer opened with <see cref="SqliteCheckpointerOptions.ExclusiveLocking"/> (or, for one
    /// opened with it, by any other checkpointer or program).
    /// </exception>
    public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        cancellationToken.ThrowIfCancellationRequested();
        return ReadAsync((threadId, checkpointNamespace, checkpointId, _exclusive), static (session, get) => Get(session, get.threadId, get.checkpointNamespace, get.checkpointId, get._exclusive), cancellationToken);
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
        var tuples = await ReadAsync((threadId, checkpointNamespace, options, _exclusive), static (session, list) => List(session, list.threadId, list.checkpointNamespace, list.options, list._exclusive), cancellationToken).ConfigureAwait(false);
        foreach (var tuple in tuples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return tuple;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The file is held by another checkpointer (see <see cref="GetAsync"/>).</exception>
    public ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(newBlobs);
        var body = EncodeBody(checkpoint);
        var own = EncodeOwnBlobs(checkpoint, newBlobs, out var others);

        // Usually one statement, which is its own transaction. Values under other versions than the checkpoint's id go
        // to the blobs table, in one transaction with the checkpoint.
        return WriteAsync(
            (checkpoint, body, own, others),
            static (session, put) => Put(session, put.checkpoint, put.body, put.own, put.others),
            transaction: others is not null,
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
                for (var i = 0; i < put.writes.Count; i++)
                {
                    var write = put.writes[i];
                    session.Execute(
                        Statement.InsertWrite, put.threadId, put.checkpointNamespace, put.checkpointId, write.TaskId, write.Index, (int)write.Kind, write.Text, write.Data);
                }
            },
            transaction: writes.Count > 1,
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
            transaction: true,
            cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var threads = await ReadAsync(
            0,
            static (session, _) =>
            {
                var list = new List<string>();
                using var reader = session.Query(Statement.SelectThreads);
                while (reader.Read())
                {
                    list.Add(reader.GetString(0));
                }

                return list;
            },
            cancellationToken).ConfigureAwait(false);

        foreach (var thread in threads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return thread;
        }
    }

    /// <summary>Reads the file's schema version, creating or migrating the file first if this instance has not yet.</summary>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The version.</returns>
    /// <exception cref="InvalidOperationException">The file is held by another checkpointer (see <see cref="GetAsync"/>).</exception>
    public ValueTask<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ReadAsync(0, static (session, _) => ReadVersion(session.Connection, null), cancellationToken);
    }

    /// <summary>
    /// Closes the checkpointer's connections, and so gives up the file if it holds it
    /// (<see cref="SqliteCheckpointerOptions.ExclusiveLocking"/>). Calls still running finish first; later calls throw.
    /// The background copy of the WAL stops after the one it is running, and the last connection to close copies the
    /// rest and removes the WAL file.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        if (_exclusive)
        {
            // The one connection is in use only under the gate: wait for the call that has it.
            _writeGate.Wait();
            CloseHeld();
            return;
        }

        StopCheckpointsAsync().GetAwaiter().GetResult();
        CloseIdle();
    }

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A task that completes when the connections are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_exclusive)
        {
            await _writeGate.WaitAsync().ConfigureAwait(false);
            CloseHeld();
            return;
        }

        await StopCheckpointsAsync().ConfigureAwait(false);
        CloseIdle();
    }

    /// <summary>
    /// The checkpoint, or null. A thread with no checkpoint (the start of every new thread) costs one statement: a single
    /// statement reads from one snapshot of the file.
    /// </summary>
    private static CheckpointTuple? Get(SqliteSession session, string threadId, string ns, string? checkpointId, bool alone)
    {
        if (alone)
        {
            // The held file has one connection, used by one call at a time: nothing can change between the statements.
            return Find(session, threadId, ns, checkpointId);
        }

        using (var probe = Select(session, threadId, ns, checkpointId))
        {
            if (!probe.Read())
            {
                return null;
            }
        }

        // Found: read it again inside one read transaction, so that the checkpoint, its blobs and its writes all come from
        // the same snapshot of the file, whatever other connections commit meanwhile.
        session.Execute(Statement.BeginRead);
        try
        {
            return Find(session, threadId, ns, checkpointId);
        }
        finally
        {
            session.Execute(Statement.Commit);
        }
    }

    private static CheckpointTuple? Find(SqliteSession session, string threadId, string ns, string? checkpointId)
    {
        Checkpoint checkpoint;
        byte[]? own;
        using (var reader = Select(session, threadId, ns, checkpointId))
        {
            if (!reader.Read())
            {
                return null;
            }

            checkpoint = ReadCheckpoint(reader, threadId, ns);
            own = OwnBlobsColumn(reader);
        }

        return Tuple(session, checkpoint, own, null);
    }

    private static SqliteDataReader Select(SqliteSession session, string threadId, string ns, string? checkpointId) => checkpointId is null
        ? session.Query(Statement.SelectLatest, threadId, ns)
        : session.Query(Statement.SelectById, threadId, ns, checkpointId);

    private static List<CheckpointTuple> List(SqliteSession session, string threadId, string ns, CheckpointListOptions? options, bool alone)
    {
        // One read transaction: the page, its blobs and its writes come from the same snapshot of the file (a held
        // file needs none: nothing else can change it).
        if (!alone)
        {
            session.Execute(Statement.BeginRead);
        }

        try
        {
            var checkpoints = new List<(Checkpoint Checkpoint, byte[]? Own)>();
            using (var reader = session.Query(Statement.SelectPage, threadId, ns, options?.Before))
            {
                while ((options?.Limit is not { } max || checkpoints.Count < max) && reader.Read())
                {
                    var checkpoint = ReadCheckpoint(reader, threadId, ns);
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
            if (!alone)
            {
                session.Execute(Statement.Commit);
            }
        }
    }

    private static void Put(SqliteSession session, Checkpoint checkpoint, byte[] body, byte[]? own, List<FieldBlob>? others)
    {
        // A fork starts a branch off an older checkpoint: it is not checked against the latest.
        var fork = checkpoint.Source == CheckpointSource.Fork;
        try
        {
            session.Execute(
                fork ? Statement.InsertCheckpoint : Statement.PutCheckpoint,
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
        }
        catch (SqliteException e) when (!fork && e.SqliteExtendedErrorCode == SqliteConstraintNotNull)
        {
            // The statement refused the checkpoint (see Statement.PutCheckpoint) and stored nothing. The latest id is read
            // only now, for the error; if the checkpoint does follow it, the NULL came from elsewhere and the error stands.
            CheckpointConflictException.ThrowIfNotLatest(checkpoint, session.Scalar(Statement.SelectLatestId, checkpoint.ThreadId, checkpoint.Namespace) as string);
            throw;
        }

        if (others is not null)
        {
            foreach (var blob in others)
            {
                session.Execute(Statement.InsertBlob, checkpoint.ThreadId, checkpoint.Namespace, blob.Field, blob.Version, blob.Data);
            }
        }
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
