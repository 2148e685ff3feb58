using System.Runtime.CompilerServices;

namespace DashFlow.Persistence;

/// <summary>
/// Keeps checkpoints in memory: for tests and short-lived runs. Thread-safe. Everything is lost with the process.
/// </summary>
public sealed class InMemoryCheckpointer : ICheckpointer
{
    private readonly Lock _lock = new();

    /// <summary>
    /// One log per thread and namespace, holding its checkpoints, blobs and writes: the store's own tables stay as small
    /// as its thread count, so growing it never copies one huge array, and deleting a thread is one removal per namespace.
    /// </summary>
    private readonly Dictionary<(string Thread, string Ns), Log> _logs = [];

    /// <inheritdoc/>
    public ValueTask<CheckpointTuple?> GetAsync(string threadId, string checkpointNamespace, string? checkpointId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_logs.TryGetValue((threadId, checkpointNamespace), out var log) || log.Latest is not { } latest)
            {
                return new((CheckpointTuple?)null);
            }

            return log.Checkpoints.TryGetValue(checkpointId ?? latest, out var entry) ? new(log.Tuple(entry.Checkpoint)) : new((CheckpointTuple?)null);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        List<CheckpointTuple> found = [];
        lock (_lock)
        {
            if (_logs.TryGetValue((threadId, checkpointNamespace), out var log))
            {
                foreach (var (checkpoint, _) in log.Checkpoints.Values.Reverse())
                {
                    if (options?.Before is { } before && string.CompareOrdinal(checkpoint.Id, before) >= 0)
                    {
                        continue;
                    }

                    if (options?.Metadata is { } filter && !filter.All(p => checkpoint.Metadata.TryGetValue(p.Key, out var v) && v == p.Value))
                    {
                        continue;
                    }

                    if (options?.Limit is { } limit && found.Count >= limit)
                    {
                        break;
                    }

                    found.Add(log.Tuple(checkpoint));
                }
            }
        }

        foreach (var tuple in found)
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
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var key = (checkpoint.ThreadId, checkpoint.Namespace);
            _logs.TryGetValue(key, out var log);
            CheckpointConflictException.ThrowIfNotLatest(checkpoint, log?.Latest);
            if (log is null)
            {
                _logs[key] = log = new Log();
            }

            // The blobs a checkpoint introduces under its own id (the usual case) stay with it; others go to the log's table.
            var own = 0;
            for (var i = 0; i < newBlobs.Count; i++)
            {
                own += newBlobs[i].Version == checkpoint.Id ? 1 : 0;
            }

            var kept = own == 0 ? [] : new FieldBlob[own];
            for (int i = 0, n = 0; i < newBlobs.Count; i++)
            {
                var blob = newBlobs[i];
                if (blob.Version == checkpoint.Id)
                {
                    kept[n++] = blob;
                }
                else
                {
                    (log.Blobs ??= [])[(blob.Field, blob.Version)] = blob;
                }
            }

            log.Checkpoints[checkpoint.Id] = new Entry(checkpoint, kept);
            if (log.Latest is null || string.CompareOrdinal(checkpoint.Id, log.Latest) > 0)
            {
                log.Latest = checkpoint.Id;
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        ArgumentNullException.ThrowIfNull(checkpointId);
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var key = (threadId, checkpointNamespace);
            if (!_logs.TryGetValue(key, out var log))
            {
                _logs[key] = log = new Log();
            }

            if (!log.Writes.TryGetValue(checkpointId, out var all))
            {
                log.Writes[checkpointId] = all = new SortedDictionary<(string, int), PendingWrite>(WriteOrder.Instance);
            }

            foreach (var write in writes)
            {
                all[(write.TaskId, write.Index)] = write;
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask DeleteThreadAsync(string threadId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            foreach (var key in _logs.Keys.Where(k => k.Thread == threadId).ToList())
            {
                _logs.Remove(key);
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] threads;
        lock (_lock)
        {
            threads = [.. _logs.Where(p => p.Value.Latest is not null).Select(p => p.Key.Thread).Distinct().Order(StringComparer.Ordinal)];
        }

        foreach (var thread in threads)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return thread;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>A checkpoint and the blobs it introduced under its own id.</summary>
    private readonly record struct Entry(Checkpoint Checkpoint, FieldBlob[] Own);

    /// <summary>A thread's namespace: its checkpoints by id (each with its own blobs), other blobs, its pending writes.</summary>
    private sealed class Log
    {
        public SortedDictionary<string, Entry> Checkpoints { get; } = new(StringComparer.Ordinal);

        /// <summary>Blobs stored under another checkpoint's id than the one that brought them (rare); null until one is.</summary>
        public Dictionary<(string Field, string Version), FieldBlob>? Blobs { get; set; }

        public Dictionary<string, SortedDictionary<(string Task, int Index), PendingWrite>> Writes { get; } = new(StringComparer.Ordinal);

        /// <summary>The greatest checkpoint id, so that neither a read nor a put walks the history.</summary>
        public string? Latest { get; set; }

        public CheckpointTuple Tuple(Checkpoint checkpoint)
        {
            var fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
            foreach (var (field, version) in checkpoint.FieldVersions)
            {
                if (Find(field, version) is { } blob)
                {
                    fields.Add(blob);
                }
            }

            IReadOnlyList<PendingWrite> writes = Writes.TryGetValue(checkpoint.Id, out var all) ? [.. all.Values] : [];
            return new CheckpointTuple(checkpoint, fields, writes);
        }

        private FieldBlob? Find(string field, string version)
        {
            if (Checkpoints.TryGetValue(version, out var entry))
            {
                foreach (var blob in entry.Own)
                {
                    if (blob.Field == field)
                    {
                        return blob;
                    }
                }
            }

            return Blobs is not null && Blobs.TryGetValue((field, version), out var other) ? other : null;
        }
    }

    private sealed class WriteOrder : IComparer<(string Task, int Index)>
    {
        public static readonly WriteOrder Instance = new();

        public int Compare((string Task, int Index) x, (string Task, int Index) y)
        {
            var byTask = string.CompareOrdinal(x.Task, y.Task);
            return byTask != 0 ? byTask : x.Index.CompareTo(y.Index);
        }
    }
}
