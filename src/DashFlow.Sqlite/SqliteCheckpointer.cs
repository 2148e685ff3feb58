using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using DashFlow.Persistence;
using MessagePack;
using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>
/// Stores checkpoints in one SQLite file, in WAL mode, so that any number of threads and concurrent runs (in this process
/// or others) can use it. The file carries its own schema version and is migrated forward when it is opened.
/// </summary>
/// <example><code>
/// var app = graph.Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer("runs.db") });
/// </code></example>
public sealed class SqliteCheckpointer : ICheckpointer
{
    /// <summary>The version of the file's schema this build writes.</summary>
    public const int SchemaVersion = 1;

    private static readonly string[][] s_migrations =
    [
        // Version 1.
        [
            """
            CREATE TABLE checkpoints (
                thread_id TEXT NOT NULL, ns TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, step INTEGER NOT NULL,
                source INTEGER NOT NULL, created_at INTEGER NOT NULL, schema_version INTEGER NOT NULL, body BLOB NOT NULL,
                PRIMARY KEY (thread_id, ns, id)) WITHOUT ROWID
            """,
            """
            CREATE TABLE blobs (
                thread_id TEXT NOT NULL, ns TEXT NOT NULL, field TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL,
                PRIMARY KEY (thread_id, ns, field, version)) WITHOUT ROWID
            """,
            """
            CREATE TABLE writes (
                thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL,
                kind INTEGER NOT NULL, text TEXT, data BLOB,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)) WITHOUT ROWID
            """,
        ],
    ];

    private readonly string _connectionString;
    private readonly SemaphoreSlim _init = new(1, 1);
    private volatile bool _ready;

    /// <summary>Opens (or creates) the database file.</summary>
    /// <param name="path">The file's path.</param>
    public SqliteCheckpointer(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public async ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = checkpointId is null
            ? "SELECT id, parent_id, step, source, created_at, schema_version, body FROM checkpoints WHERE thread_id = $t AND ns = $n ORDER BY id DESC LIMIT 1"
            : "SELECT id, parent_id, step, source, created_at, schema_version, body FROM checkpoints WHERE thread_id = $t AND ns = $n AND id = $id";
        command.Parameters.AddWithValue("$t", threadId);
        command.Parameters.AddWithValue("$n", checkpointNamespace);
        command.Parameters.AddWithValue("$id", (object?)checkpointId ?? DBNull.Value);
        Checkpoint? checkpoint = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                checkpoint = ReadCheckpoint(reader, threadId, checkpointNamespace);
            }
        }

        return checkpoint is null ? null : await TupleAsync(connection, checkpoint, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var checkpoints = new List<Checkpoint>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                "SELECT id, parent_id, step, source, created_at, schema_version, body FROM checkpoints " +
                "WHERE thread_id = $t AND ns = $n AND ($before IS NULL OR id < $before) ORDER BY id DESC";
            command.Parameters.AddWithValue("$t", threadId);
            command.Parameters.AddWithValue("$n", checkpointNamespace);
            command.Parameters.AddWithValue("$before", (object?)options?.Before ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while ((options?.Limit is not { } max || checkpoints.Count < max) && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var checkpoint = ReadCheckpoint(reader, threadId, checkpointNamespace);
                if (options?.Metadata is { } filter && !filter.All(p => checkpoint.Metadata.TryGetValue(p.Key, out var v) && v == p.Value))
                {
                    continue;
                }

                checkpoints.Add(checkpoint);
            }
        }

        foreach (var checkpoint in checkpoints)
        {
            yield return await TupleAsync(connection, checkpoint, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(newBlobs);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (newBlobs.Count > 0)
        {
            await using var blob = connection.CreateCommand();
            blob.Transaction = transaction;
            blob.CommandText = "INSERT OR REPLACE INTO blobs (thread_id, ns, field, version, data) VALUES ($t, $n, $f, $v, $d)";
            var field = blob.Parameters.Add("$f", SqliteType.Text);
            var version = blob.Parameters.Add("$v", SqliteType.Text);
            var data = blob.Parameters.Add("$d", SqliteType.Blob);
            blob.Parameters.AddWithValue("$t", checkpoint.ThreadId);
            blob.Parameters.AddWithValue("$n", checkpoint.Namespace);
            foreach (var b in newBlobs)
            {
                field.Value = b.Field;
                version.Value = b.Version;
                data.Value = b.Data;
                await blob.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText =
                "INSERT OR REPLACE INTO checkpoints (thread_id, ns, id, parent_id, step, source, created_at, schema_version, body) " +
                "VALUES ($t, $n, $id, $p, $s, $src, $at, $sv, $body)";
            command.Parameters.AddWithValue("$t", checkpoint.ThreadId);
            command.Parameters.AddWithValue("$n", checkpoint.Namespace);
            command.Parameters.AddWithValue("$id", checkpoint.Id);
            command.Parameters.AddWithValue("$p", (object?)checkpoint.ParentId ?? DBNull.Value);
            command.Parameters.AddWithValue("$s", checkpoint.Step);
            command.Parameters.AddWithValue("$src", (int)checkpoint.Source);
            command.Parameters.AddWithValue("$at", checkpoint.CreatedAt.UtcTicks);
            command.Parameters.AddWithValue("$sv", checkpoint.SchemaVersion);
            command.Parameters.AddWithValue("$body", EncodeBody(checkpoint));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText =
                "INSERT OR REPLACE INTO writes (thread_id, ns, checkpoint_id, task_id, idx, kind, text, data) VALUES ($t, $n, $c, $task, $i, $k, $text, $d)";
            command.Parameters.AddWithValue("$t", threadId);
            command.Parameters.AddWithValue("$n", checkpointNamespace);
            command.Parameters.AddWithValue("$c", checkpointId);
            var task = command.Parameters.Add("$task", SqliteType.Text);
            var index = command.Parameters.Add("$i", SqliteType.Integer);
            var kind = command.Parameters.Add("$k", SqliteType.Integer);
            var text = command.Parameters.Add("$text", SqliteType.Text);
            var data = command.Parameters.Add("$d", SqliteType.Blob);
            foreach (var write in writes)
            {
                task.Value = write.TaskId;
                index.Value = write.Index;
                kind.Value = (int)write.Kind;
                text.Value = (object?)write.Text ?? DBNull.Value;
                data.Value = (object?)write.Data ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in new[] { "checkpoints", "blobs", "writes" })
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"DELETE FROM {table} WHERE thread_id = $t";
            command.Parameters.AddWithValue("$t", threadId);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.GetString(0);
        }
    }

    /// <summary>Reads the file's schema version (0 for a file this checkpointer never opened).</summary>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The version.</returns>
    public async ValueTask<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_ready)
            {
                await InitializeAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            // The setting belongs to each connection, not to the file. In WAL mode NORMAL keeps every committed
            // checkpoint through a process crash and skips the fsync per commit (only a power loss can undo the last ones).
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous = NORMAL";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Turns on WAL and brings the schema up to <see cref="SchemaVersion"/>, once per instance.</summary>
    private async ValueTask InitializeAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _init.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA journal_mode = WAL";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // BEGIN IMMEDIATE: two processes opening a new file at once migrate it one after the other.
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using (var create = connection.CreateCommand())
            {
                create.Transaction = transaction;
                create.CommandText = "CREATE TABLE IF NOT EXISTS dashflow_schema (version INTEGER NOT NULL)";
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var version = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The checkpoint file '{Path}' has schema version {version}, newer than this DashFlow.Sqlite ({SchemaVersion}); upgrade DashFlow.Sqlite to open it.");
            }

            for (; version < SchemaVersion; version++)
            {
                foreach (var statement in s_migrations[version])
                {
                    await using var migrate = connection.CreateCommand();
                    migrate.Transaction = transaction;
                    migrate.CommandText = statement;
                    await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await using (var set = connection.CreateCommand())
            {
                set.Transaction = transaction;
                set.CommandText = "DELETE FROM dashflow_schema; INSERT INTO dashflow_schema (version) VALUES ($v)";
                set.Parameters.AddWithValue("$v", SchemaVersion);
                await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _init.Release();
        }
    }

    private static async ValueTask<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE((SELECT MAX(version) FROM dashflow_schema), 0)";
        try
        {
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        catch (SqliteException) when (transaction is null)
        {
            return 0;
        }
    }

    private static async ValueTask<CheckpointTuple> TupleAsync(SqliteConnection connection, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
        await using (var blob = connection.CreateCommand())
        {
            blob.CommandText = "SELECT data FROM blobs WHERE thread_id = $t AND ns = $n AND field = $f AND version = $v";
            blob.Parameters.AddWithValue("$t", checkpoint.ThreadId);
            blob.Parameters.AddWithValue("$n", checkpoint.Namespace);
            var field = blob.Parameters.Add("$f", SqliteType.Text);
            var version = blob.Parameters.Add("$v", SqliteType.Text);
            foreach (var (name, v) in checkpoint.FieldVersions)
            {
                field.Value = name;
                version.Value = v;
                if (await blob.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] data)
                {
                    fields.Add(new FieldBlob(name, v, data));
                }
            }
        }

        var writes = new List<PendingWrite>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT task_id, idx, kind, text, data FROM writes WHERE thread_id = $t AND ns = $n AND checkpoint_id = $c ORDER BY task_id, idx";
            command.Parameters.AddWithValue("$t", checkpoint.ThreadId);
            command.Parameters.AddWithValue("$n", checkpoint.Namespace);
            command.Parameters.AddWithValue("$c", checkpoint.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                writes.Add(new PendingWrite(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    (PendingWriteKind)reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4)));
            }
        }

        // Ordinal task order, as the in-memory store returns them (SQLite's default collation is binary, the same).
        return new CheckpointTuple(checkpoint, fields, writes);
    }

    private static Checkpoint ReadCheckpoint(SqliteDataReader reader, string threadId, string ns)
    {
        var body = (byte[])reader.GetValue(6);
        var checkpoint = new Checkpoint
        {
            ThreadId = threadId,
            Namespace = ns,
            Id = reader.GetString(0),
            ParentId = reader.IsDBNull(1) ? null : reader.GetString(1),
            Step = reader.GetInt32(2),
            Source = (CheckpointSource)reader.GetInt32(3),
            CreatedAt = new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
            SchemaVersion = reader.GetInt32(5),
        };
        return DecodeBody(checkpoint, body);
    }

    /// <summary>The checkpoint's lists and maps, as one MessagePack array.</summary>
    private static byte[] EncodeBody(Checkpoint checkpoint)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        WriteMap(ref writer, checkpoint.FieldVersions);
        WriteList(ref writer, checkpoint.Next);
        writer.WriteArrayHeader(checkpoint.Sends.Count);
        foreach (var send in checkpoint.Sends)
        {
            writer.WriteArrayHeader(2);
            writer.Write(send.Node);
            writer.Write(send.Arg);
        }

        WriteList(ref writer, checkpoint.JoinProgress);
        WriteMap(ref writer, checkpoint.Metadata);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();

        static void WriteMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map)
        {
            writer.WriteMapHeader(map.Count);
            foreach (var (k, v) in map)
            {
                writer.Write(k);
                writer.Write(v);
            }
        }

        static void WriteList(ref MessagePackWriter writer, IReadOnlyList<string> list)
        {
            writer.WriteArrayHeader(list.Count);
            foreach (var item in list)
            {
                writer.Write(item);
            }
        }
    }

    private static Checkpoint DecodeBody(Checkpoint checkpoint, byte[] body)
    {
        try
        {
            var reader = new MessagePackReader(body);
            if (reader.ReadArrayHeader() != 5)
            {
                throw new InvalidDataException("the checkpoint record has an unknown layout.");
            }

            var versions = ReadMap(ref reader);
            var next = ReadList(ref reader);
            var sends = new List<PendingSend>();
            for (var n = reader.ReadArrayHeader(); n > 0; n--)
            {
                reader.ReadArrayHeader();
                var node = reader.ReadString()!;
                sends.Add(new PendingSend(node, reader.ReadBytes()?.ToArray() ?? []));
            }

            var joins = ReadList(ref reader);
            var metadata = ReadMap(ref reader);
            return checkpoint with { FieldVersions = versions, Next = next, Sends = sends, JoinProgress = joins, Metadata = metadata };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CheckpointReadException(checkpoint.ThreadId, checkpoint.Id, $"its record in the SQLite file is corrupt ({e.Message}).", e);
        }

        static Dictionary<string, string> ReadMap(ref MessagePackReader reader)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var n = reader.ReadMapHeader(); n > 0; n--)
            {
                var key = reader.ReadString()!;
                map[key] = reader.ReadString()!;
            }

            return map;
        }

        static List<string> ReadList(ref MessagePackReader reader)
        {
            var list = new List<string>();
            for (var n = reader.ReadArrayHeader(); n > 0; n--)
            {
                list.Add(reader.ReadString()!);
            }

            return list;
        }
    }
}
