using DashFlow.Persistence;
using Npgsql;

namespace DashFlow.Postgres;

public sealed partial class PostgresCheckpointer
{
    /// <summary>Reads a page of checkpoints, newest first, each with its blobs and pending writes, in one round trip.</summary>
    private async ValueTask<List<CheckpointTuple>> ReadPageAsync(PageQuery query, CancellationToken cancellationToken)
    {
        var checkpoints = new List<Checkpoint>();
        var blobs = new Dictionary<(string Field, string Version), byte[]>();
        var writes = new Dictionary<string, List<PendingWrite>>(StringComparer.Ordinal);
        await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var batch = new NpgsqlBatch(connection);
            foreach (var command in _sql.ReadPage(query))
            {
                batch.BatchCommands.Add(command);
            }

            // Only the three SELECTs produce result sets; BEGIN and COMMIT are consumed by the reader on its way.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                checkpoints.Add(CheckpointRecord.Read(
                    $"{Schema}.checkpoints",
                    query.ThreadId,
                    query.Namespace,
                    id: reader.GetString(0),
                    parentId: reader.IsDBNull(1) ? null : reader.GetString(1),
                    step: reader.GetInt32(2),
                    source: reader.GetInt32(3),
                    createdAtTicks: reader.GetInt64(4),
                    schemaVersion: reader.GetInt32(5),
                    versions: reader.GetString(6),
                    metadata: reader.GetString(7),
                    body: reader.GetFieldValue<byte[]>(8)));
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                blobs[(reader.GetString(0), reader.GetString(1))] = reader.GetFieldValue<byte[]>(2);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var checkpointId = reader.GetString(0);
                if (!writes.TryGetValue(checkpointId, out var list))
                {
                    writes[checkpointId] = list = [];
                }

                list.Add(new PendingWrite(
                    reader.GetString(1),
                    reader.GetInt32(2),
                    (PendingWriteKind)reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5)));
            }

            // Reads to the end, so the COMMIT's completion is consumed before the connection goes back to the pool.
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        var tuples = new List<CheckpointTuple>(checkpoints.Count);
        foreach (var checkpoint in checkpoints)
        {
            var fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
            foreach (var (field, version) in checkpoint.FieldVersions)
            {
                // A missing blob is left out, as the other checkpointers do; the engine reports the checkpoint as unreadable.
                if (blobs.TryGetValue((field, version), out var data))
                {
                    fields.Add(new FieldBlob(field, version, data));
                }
            }

            var pending = writes.TryGetValue(checkpoint.Id, out var found) ? found : [];

            // Ordinal order by task id, then index, exactly as the in-memory checkpointer returns them.
            pending.Sort(static (x, y) => string.CompareOrdinal(x.TaskId, y.TaskId) is var byTask and not 0 ? byTask : x.Index.CompareTo(y.Index));
            tuples.Add(new CheckpointTuple(checkpoint, fields, pending));
        }

        return tuples;
    }
}
