using System.Runtime.CompilerServices;
using DashFlow.Persistence;
using Npgsql;

namespace DashFlow.Postgres;

/// <summary>
/// Stores checkpoints in PostgreSQL, in a schema of its own (<c>dashflow</c> unless you name another), so several
/// applications can share one database. Connections come from an <see cref="NpgsqlDataSource"/> pool; any number of
/// threads, runs and processes can use the same schema at once. The tables are created, and migrated forward, on first
/// use.
/// </summary>
/// <remarks>
/// A checkpoint and the field blobs it introduces are written in one round trip and one transaction; a task's pending
/// writes in one round trip. A field's bytes are stored once per version (<c>bytea</c>), so a checkpoint costs what
/// changed, not the whole state.
/// </remarks>
/// <example><code>
/// await using var checkpointer = new PostgresCheckpointer("Host=db;Database=app;Username=app;Password=...");
/// var app = graph.Compile(new CompileOptions { Checkpointer = checkpointer });
/// await app.InvokeAsync(input, new RunConfig { ThreadId = "order-42" });
/// </code></example>
public sealed partial class PostgresCheckpointer : ICheckpointer, IAsyncDisposable
{
    /// <summary>The schema used when none is named.</summary>
    /// <example><code>
    /// // What psql shows of it: SELECT thread_id, id, step FROM dashflow.checkpoints ORDER BY id DESC LIMIT 10;
    /// var checkpointer = new PostgresCheckpointer(connectionString, PostgresCheckpointer.DefaultSchema);
    /// </code></example>
    public const string DefaultSchema = "dashflow";

    /// <summary>Checkpoints read per round trip while listing: enough to make paging cheap, few enough to bound memory.</summary>
    private const int PageSize = 100;

    /// <summary>Rows per INSERT statement: keeps a statement well under PostgreSQL's 65,535 parameters.</summary>
    private const int RowsPerStatement = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly Statements _sql;

    /// <summary>Connects with a connection string: the checkpointer creates its own connection pool and disposes it.</summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=localhost;Database=app;Username=app;Password=secret</c>.</param>
    /// <param name="schema">
    /// The schema that holds the tables: lowercase letters, digits and underscores, starting with a letter or underscore.
    /// </param>
    /// <example><code>
    /// await using var checkpointer = new PostgresCheckpointer(connectionString, schema: "billing_flows");
    /// </code></example>
    public PostgresCheckpointer(string connectionString, string schema = DefaultSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Schema = ValidateSchema(schema);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _ownsDataSource = true;
        _sql = new Statements(Schema);
    }

    /// <summary>Uses a data source you configured and own: the checkpointer never disposes it.</summary>
    /// <param name="dataSource">The data source, shared with the rest of the application if you like.</param>
    /// <param name="schema">
    /// The schema that holds the tables: lowercase letters, digits and underscores, starting with a letter or underscore.
    /// </param>
    /// <example><code>
    /// await using var dataSource = NpgsqlDataSource.Create(connectionString);
    /// var checkpointer = new PostgresCheckpointer(dataSource);
    /// </code></example>
    public PostgresCheckpointer(NpgsqlDataSource dataSource, string schema = DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        Schema = ValidateSchema(schema);
        _dataSource = dataSource;
        _sql = new Statements(Schema);
    }

    /// <summary>The schema that holds the checkpointer's tables.</summary>
    /// <example><code>
    /// Console.WriteLine($"checkpoints live in {checkpointer.Schema}.checkpoints");
    /// </code></example>
    public string Schema { get; }

    /// <inheritdoc/>
    /// <example><code>
    /// var latest = await checkpointer.GetAsync("order-42", "", checkpointId: null);
    /// </code></example>
    public async ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        ValidateKey(threadId, nameof(threadId));
        ValidateKey(checkpointNamespace, nameof(checkpointNamespace));
        if (checkpointId is not null)
        {
            ValidateKey(checkpointId, nameof(checkpointId));
        }

        var page = await ReadPageAsync(new PageQuery(threadId, checkpointNamespace, checkpointId, null, null, 1), cancellationToken).ConfigureAwait(false);
        return page.Count == 0 ? null : page[0];
    }

    /// <inheritdoc/>
    /// <example><code>
    /// var filter = new CheckpointListOptions { Limit = 10, Metadata = new Dictionary&lt;string, string&gt; { ["source"] = "input" } };
    /// await foreach (var tuple in checkpointer.ListAsync("order-42", "", filter)) { Console.WriteLine(tuple.Checkpoint.Id); }
    /// </code></example>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ValidateKey(threadId, nameof(threadId));
        ValidateKey(checkpointNamespace, nameof(checkpointNamespace));
        var metadata = options?.Metadata is { Count: > 0 } filter ? CheckpointRecord.ToJson(filter) : null;
        var before = options?.Before;
        var remaining = options?.Limit ?? int.MaxValue;

        // Page by page, each on a pooled connection released before the caller sees a tuple: a slow consumer holds
        // no connection, and a long history is never in memory at once.
        while (remaining > 0)
        {
            var take = Math.Min(PageSize, remaining);
            var page = await ReadPageAsync(new PageQuery(threadId, checkpointNamespace, null, before, metadata, take), cancellationToken).ConfigureAwait(false);
            foreach (var tuple in page)
            {
                yield return tuple;
            }

            if (page.Count < take)
            {
                yield break;
            }

            remaining -= page.Count;
            before = page[^1].Checkpoint.Id;
        }
    }

    /// <inheritdoc/>
    /// <example><code>
    /// await checkpointer.PutAsync(checkpoint, [new FieldBlob("Log", checkpoint.Id, bytes)]);
    /// </code></example>
    public async ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> newBlobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(newBlobs);
        ValidateKey(checkpoint.ThreadId, "checkpoint.ThreadId");
        ValidateKey(checkpoint.Namespace, "checkpoint.Namespace");
        ValidateKey(checkpoint.Id, "checkpoint.Id");
        var versions = CheckpointRecord.ToJson(checkpoint.FieldVersions);
        var metadata = CheckpointRecord.ToJson(checkpoint.Metadata);
        var body = CheckpointRecord.EncodeBody(checkpoint);

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // One batch is one round trip and, with no explicit transaction, one implicit transaction: the blobs and the
        // checkpoint that names them are stored together or not at all.
        await using var batch = new NpgsqlBatch(connection);
        for (var start = 0; start < newBlobs.Count; start += RowsPerStatement)
        {
            batch.BatchCommands.Add(_sql.InsertBlobs(checkpoint.ThreadId, checkpoint.Namespace, newBlobs, start, Math.Min(RowsPerStatement, newBlobs.Count - start)));
        }

        batch.BatchCommands.Add(_sql.UpsertCheckpoint(checkpoint, versions, metadata, body));
        if (checkpoint.Source != CheckpointSource.Fork)
        {
            batch.BatchCommands.Insert(0, _sql.CheckLatest(checkpoint));
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == ConflictState)
        {
            throw new CheckpointConflictException(checkpoint, e.MessageText.Length == 0 ? null : e.MessageText);
        }
    }

    /// <inheritdoc/>
    /// <example><code>
    /// await checkpointer.PutWritesAsync("order-42", "", checkpointId, [new PendingWrite("3:review:0", 0, PendingWriteKind.Update, null, bytes)]);
    /// </code></example>
    public async ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ValidateKey(threadId, nameof(threadId));
        ValidateKey(checkpointNamespace, nameof(checkpointNamespace));
        ValidateKey(checkpointId, nameof(checkpointId));
        if (writes.Count == 0)
        {
            return;
        }

        // One INSERT ... ON CONFLICT may not touch a row twice, so a write repeated in one call is reduced to its last
        // occurrence first: the same outcome as storing them one after the other.
        var unique = new List<PendingWrite>(writes.Count);
        var seen = new Dictionary<(string, int), int>(writes.Count);
        foreach (var write in writes)
        {
            ArgumentNullException.ThrowIfNull(write, nameof(writes));
            if (seen.TryGetValue((write.TaskId, write.Index), out var at))
            {
                unique[at] = write;
            }
            else
            {
                seen[(write.TaskId, write.Index)] = unique.Count;
                unique.Add(write);
            }
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        for (var start = 0; start < unique.Count; start += RowsPerStatement)
        {
            batch.BatchCommands.Add(_sql.UpsertWrites(threadId, checkpointNamespace, checkpointId, unique, start, Math.Min(RowsPerStatement, unique.Count - start)));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <example><code>
    /// await checkpointer.DeleteThreadAsync("order-42");
    /// </code></example>
    public async ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        ValidateKey(threadId, nameof(threadId));
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var command in _sql.DeleteThread(threadId))
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <example><code>
    /// await foreach (var thread in checkpointer.ListThreadsAsync()) { Console.WriteLine(thread); }
    /// </code></example>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        while (true)
        {
            var page = new List<string>(PageSize);
            await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await using var command = _sql.ListThreads(connection, after, PageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    page.Add(reader.GetString(0));
                }
            }

            foreach (var thread in page)
            {
                yield return thread;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    /// <summary>Disposes the connection pool if the checkpointer created it (the connection-string constructor).</summary>
    /// <returns>A task that completes when the pool is closed.</returns>
    /// <example><code>
    /// await using var checkpointer = new PostgresCheckpointer(connectionString);   // disposed at the end of the scope
    /// </code></example>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Opens a pooled connection, creating or migrating the tables the first time.</summary>
    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a pooled connection; a failure says where it tried to connect.</summary>
    private async ValueTask<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Npgsql's own message ("Failed to connect to 127.0.0.1:5432") hides the reason in an inner exception and
            // never names the database or user; put all of it in one sentence.
            var target = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
            var reason = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{e.Message.TrimEnd(' ', '.')} ({inner.Message.TrimEnd('.')})"
                : e.Message.TrimEnd('.');
            throw new NpgsqlException(
                $"DashFlow.Postgres cannot connect to PostgreSQL at {target.Host ?? "localhost"}:{target.Port} " +
                $"(database '{target.Database ?? "(default)"}', user '{target.Username ?? "(default)"}'): {reason}. " +
                "Check that the server is running and accepts connections there, and that the connection string is right.",
                e);
        }
    }

    /// <summary>Refuses what PostgreSQL text cannot hold, naming the argument, instead of failing deep in the driver.</summary>
    private static void ValidateKey(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"{name} '{value.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character, which PostgreSQL text cannot store.", name);
        }
    }
}
