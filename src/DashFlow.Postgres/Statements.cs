using System.Text;
using DashFlow.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace DashFlow.Postgres;

/// <summary>What a page read asks for: a thread's checkpoints, newest first, narrowed by id, cursor and metadata.</summary>
/// <param name="ThreadId">The thread.</param>
/// <param name="Namespace">The namespace.</param>
/// <param name="Id">Only this checkpoint; null for any.</param>
/// <param name="Before">Only checkpoints older than this id; null for any.</param>
/// <param name="Metadata">Only checkpoints whose metadata contains this JSON object; null for any.</param>
/// <param name="Limit">At most this many.</param>
internal sealed record PageQuery(string ThreadId, string Namespace, string? Id, string? Before, string? Metadata, int Limit);

/// <summary>
/// The SQL of one checkpointer, with its schema name built in. Parameters are positional (<c>$1</c>), which Npgsql sends
/// as they are, without parsing the SQL.
/// </summary>
/// <param name="schema">The validated schema name.</param>
internal sealed class Statements(string schema)
{
    /// <summary>The schema, quoted: the validated name is lowercase, so the quotes change nothing but allow keywords.</summary>
    public string Schema { get; } = $"\"{schema}\"";

    public NpgsqlBatchCommand InsertBlobs(string threadId, string ns, IReadOnlyList<FieldBlob> blobs, int start, int count)
    {
        // A version names one value forever (it is the id of the checkpoint that first stored it), so a version that
        // is already there is kept rather than written again.
        var sql = new StringBuilder($"INSERT INTO {Schema}.blobs (thread_id, ns, field, version, data) VALUES ");
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(Text(threadId));
        command.Parameters.Add(Text(ns));
        for (var i = 0; i < count; i++)
        {
            var blob = blobs[start + i];
            ArgumentNullException.ThrowIfNull(blob, "newBlobs");
            var n = command.Parameters.Count;
            sql.Append(i == 0 ? "" : ", ").Append($"($1, $2, ${n + 1}, ${n + 2}, ${n + 3})");
            command.Parameters.Add(Text(blob.Field));
            command.Parameters.Add(Text(blob.Version));
            command.Parameters.Add(Bytes(blob.Data));
        }

        command.CommandText = sql.Append(" ON CONFLICT DO NOTHING").ToString();
        return command;
    }

    /// <summary>Refuses (SQLSTATE DF409) a checkpoint that does not follow its thread's latest; see migration 2.</summary>
    public NpgsqlBatchCommand CheckLatest(Checkpoint checkpoint)
    {
        var command = new NpgsqlBatchCommand($"SELECT {Schema}.check_latest($1, $2, $3, $4)");
        command.Parameters.Add(Text(checkpoint.ThreadId));
        command.Parameters.Add(Text(checkpoint.Namespace));
        command.Parameters.Add(Text(checkpoint.ParentId));
        command.Parameters.Add(Text(checkpoint.Id));
        return command;
    }

    public NpgsqlBatchCommand UpsertCheckpoint(Checkpoint checkpoint, string versions, string metadata, byte[] body)
    {
        // Storing a checkpoint id again replaces it, as the other checkpointers do; the engine never reuses an id.
        var command = new NpgsqlBatchCommand(
            $"""
            INSERT INTO {Schema}.checkpoints (thread_id, ns, id, parent_id, step, source, created_at, schema_version, versions, metadata, body)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11)
            ON CONFLICT (thread_id, ns, id) DO UPDATE SET
                parent_id = EXCLUDED.parent_id, step = EXCLUDED.step, source = EXCLUDED.source, created_at = EXCLUDED.created_at,
                schema_version = EXCLUDED.schema_version, versions = EXCLUDED.versions, metadata = EXCLUDED.metadata, body = EXCLUDED.body
            """);
        command.Parameters.Add(Text(checkpoint.ThreadId));
        command.Parameters.Add(Text(checkpoint.Namespace));
        command.Parameters.Add(Text(checkpoint.Id));
        command.Parameters.Add(Text(checkpoint.ParentId));
        command.Parameters.Add(Integer(checkpoint.Step));
        command.Parameters.Add(Integer((int)checkpoint.Source));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = checkpoint.CreatedAt.UtcTicks });
        command.Parameters.Add(Integer(checkpoint.SchemaVersion));
        command.Parameters.Add(Text(versions));
        command.Parameters.Add(Text(metadata));
        command.Parameters.Add(Bytes(body));
        return command;
    }

    public NpgsqlBatchCommand UpsertWrites(string threadId, string ns, string checkpointId, IReadOnlyList<PendingWrite> writes, int start, int count)
    {
        // The contract: a write stored again under the same task id and index replaces the earlier one.
        var sql = new StringBuilder($"INSERT INTO {Schema}.writes (thread_id, ns, checkpoint_id, task_id, idx, kind, text, data) VALUES ");
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(Text(threadId));
        command.Parameters.Add(Text(ns));
        command.Parameters.Add(Text(checkpointId));
        for (var i = 0; i < count; i++)
        {
            var write = writes[start + i];
            var n = command.Parameters.Count;
            sql.Append(i == 0 ? "" : ", ").Append($"($1, $2, $3, ${n + 1}, ${n + 2}, ${n + 3}, ${n + 4}, ${n + 5})");
            command.Parameters.Add(Text(write.TaskId));
            command.Parameters.Add(Integer(write.Index));
            command.Parameters.Add(Integer((int)write.Kind));
            command.Parameters.Add(Text(write.Text));
            command.Parameters.Add(Bytes(write.Data));
        }

        command.CommandText = sql
            .Append(" ON CONFLICT (thread_id, ns, checkpoint_id, task_id, idx) DO UPDATE SET kind = EXCLUDED.kind, text = EXCLUDED.text, data = EXCLUDED.data")
            .ToString();
        return command;
    }

    public IEnumerable<NpgsqlBatchCommand> DeleteThread(string threadId)
    {
        foreach (var table in new[] { "writes", "blobs", "checkpoints" })
        {
            var command = new NpgsqlBatchCommand($"DELETE FROM {Schema}.{table} WHERE thread_id = $1");
            command.Parameters.Add(Text(threadId));
            yield return command;
        }
    }

    public NpgsqlCommand ListThreads(NpgsqlConnection connection, string? after, int limit)
    {
        var command = new NpgsqlCommand(
            after is null
                ? $"SELECT DISTINCT thread_id FROM {Schema}.checkpoints ORDER BY thread_id LIMIT $1"
                : $"SELECT DISTINCT thread_id FROM {Schema}.checkpoints WHERE thread_id > $2 ORDER BY thread_id LIMIT $1",
            connection);
        command.Parameters.Add(Integer(limit));
        if (after is not null)
        {
            command.Parameters.Add(Text(after));
        }

        return command;
    }

    /// <summary>
    /// A page of checkpoints with their blobs and pending writes: three queries that share one filter. They run in one
    /// round trip inside a REPEATABLE READ transaction, so all three see the same snapshot: a checkpoint stored
    /// meanwhile cannot push one out of the page between the first query and the others.
    /// </summary>
    public IEnumerable<NpgsqlBatchCommand> ReadPage(PageQuery query)
    {
        var filter = new StringBuilder("thread_id = $1 AND ns = $2");
        var parameters = new List<Func<NpgsqlParameter>> { () => Text(query.ThreadId), () => Text(query.Namespace), () => Integer(query.Limit) };
        void Add(string condition, Func<NpgsqlParameter> parameter)
        {
            parameters.Add(parameter);
            filter.Append(" AND ").Append(condition.Replace("$n", "$" + parameters.Count, StringComparison.Ordinal));
        }

        if (query.Id is { } id)
        {
            Add("id = $n", () => Text(id));
        }

        if (query.Before is { } before)
        {
            Add("id < $n", () => Text(before));
        }

        if (query.Metadata is { } metadata)
        {
            Add("metadata @> $n::jsonb", () => Text(metadata));
        }

        var page = $"SELECT * FROM {Schema}.checkpoints WHERE {filter} ORDER BY id DESC LIMIT $3";
        NpgsqlBatchCommand Query(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(parameter());
            }

            return command;
        }

        yield return new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        yield return Query(
            $"SELECT c.id, c.parent_id, c.step, c.source, c.created_at, c.schema_version, c.versions::text, c.metadata::text, c.body FROM ({page}) AS c ORDER BY c.id DESC");
        yield return Query(
            $"""
            SELECT b.field, b.version, b.data FROM {Schema}.blobs AS b
            WHERE b.thread_id = $1 AND b.ns = $2
              AND (b.field, b.version) IN (SELECT v.key, v.value FROM ({page}) AS c CROSS JOIN LATERAL jsonb_each_text(c.versions) AS v)
            """);
        yield return Query(
            $"""
            SELECT w.checkpoint_id, w.task_id, w.idx, w.kind, w.text, w.data FROM {Schema}.writes AS w
            WHERE w.thread_id = $1 AND w.ns = $2 AND w.checkpoint_id IN (SELECT c.id FROM ({page}) AS c)
            """);
        yield return new NpgsqlBatchCommand("COMMIT");
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Bytes(byte[]? value) => new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter<int> Integer(int value) => new() { TypedValue = value };
}
