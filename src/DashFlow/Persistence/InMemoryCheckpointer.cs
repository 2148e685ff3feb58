using System.Runtime.CompilerServices;

namespace DashFlow.Persistence;

/// <summary>
/// Keeps checkpoints in memory: for tests and short-lived runs. Thread-safe. Everything is lost with the process.
/// </summary>
public sealed class InMemoryCheckpointer : ICheckpointer
{
    /// <summary>Guards <see cref="_logs"/>; each log has its own lock for what it holds, so runs on different threads do not wait for each other.</summary>
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
        if (Find(threadId, checkpointNamespace) is not { } log)
        {
            return new((CheckpointTuple?)null);
        }

        lock (log.Gate)
        {
            var entry = checkpointId is null ? log.Latest : log.Get(checkpointId);
            return new(entry is null ? null : log.Tuple(entry));
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<CheckpointTuple> ListAsync(
        string threadId, string checkpointNamespace, CheckpointListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        List<CheckpointTuple> found = [];
        if (Find(threadId, checkpointNamespace) is { } log)
        {
            lock (log.Gate)
            {
                for (var i = log.Entries.Count - 1; i >= 0; i--)
                {
                    var entry = log.Entries[i];
                    if (options?.Before is { } before && string.CompareOrdinal(Log.IdOf(entry), before) >= 0)
                    {
                        continue;
                    }

                    if (options?.Limit is { } limit && found.Count >= limit)
                    {
                        break;
                    }

                    var tuple = log.Tuple(entry);
                    if (options?.Metadata is { } filter && !filter.All(p => tuple.Checkpoint.Metadata.TryGetValue(p.Key, out var v) && v == p.Value))
                    {
                        continue;
                    }

                    found.Add(tuple);
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
        object? handle = null;
        var log = Enter(checkpoint.ThreadId, checkpoint.Namespace, ref handle);
        try
        {
            CheckpointConflictException.ThrowIfNotLatest(checkpoint, log.Latest is { } latest ? Log.IdOf(latest) : null);

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

            log.Insert(new Entry(checkpoint, kept));
            return default;
        }
        finally
        {
            log.Gate.Exit();
        }
    }

    /// <summary>
    /// Stores a checkpoint a run describes as a frame (its state kept by reference), refused like <see cref="PutAsync"/>
    /// when its parent is not the thread's latest. <paramref name="handle"/> keeps the thread's log between a run's calls
    /// (null at first), so a checkpoint costs one uncontended lock.
    /// </summary>
    /// <exception cref="CheckpointConflictException">Another run stored a checkpoint on the thread since this one's parent.</exception>
    internal void Append(string thread, string ns, CheckpointFrame frame, ref object? handle)
    {
        var log = Enter(thread, ns, ref handle);
        try
        {
            var latest = log.Latest;
            var follows = frame.Previous is { } previous
                ? ReferenceEquals(latest, previous)
                : (latest is null ? null : Log.IdOf(latest)) == frame.ParentId;
            if (!follows)
            {
                throw new CheckpointConflictException(frame.ToCheckpoint(thread, ns), latest is null ? null : Log.IdOf(latest));
            }

            log.Insert(frame);
        }
        finally
        {
            log.Gate.Exit();
        }
    }

    /// <inheritdoc/>
    public ValueTask PutWritesAsync(string threadId, string checkpointNamespace, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(threadId);
        ArgumentNullException.ThrowIfNull(checkpointNamespace);
        ArgumentNullException.ThrowIfNull(checkpointId);
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        object? handle = null;
        var log = Enter(threadId, checkpointNamespace, ref handle);
        try
        {
            log.Writes ??= new(StringComparer.Ordinal);
            if (!log.Writes.TryGetValue(checkpointId, out var all))
            {
                log.Writes[checkpointId] = all = new SortedDictionary<(string, int), PendingWrite>(WriteOrder.Instance);
            }

            foreach (var write in writes)
            {
                all[(write.TaskId, write.Index)] = write;
            }

            return default;
        }
        finally
        {
            log.Gate.Exit();
        }
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
                var log = _logs[key];
                _logs.Remove(key);
                lock (log.Gate)
                {
                    // A run that still holds the log finds it gone and opens the thread anew.
                    log.Deleted = true;
                }
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListThreadsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<string> threads = [];
        lock (_lock)
        {
            foreach (var (key, log) in _logs)
            {
                lock (log.Gate)
                {
                    if (log.Latest is not null)
                    {
                        threads.Add(key.Thread);
                    }
                }
            }
        }

        foreach (var thread in threads.Distinct().Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return thread;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private Log? Find(string thread, string ns)
    {
        lock (_lock)
        {
            return _logs.TryGetValue((thread, ns), out var log) ? log : null;
        }
    }

    /// <summary>
    /// The thread's log (made if it has none, unless <paramref name="handle"/> already holds it), with its lock entered:
    /// the caller exits it. A log whose thread was deleted since is left, and the thread's new one opened.
    /// </summary>
    private Log Enter(string thread, string ns, ref object? handle)
    {
        while (true)
        {
            if (handle is not Log log)
            {
                lock (_lock)
                {
                    if (!_logs.TryGetValue((thread, ns), out var found))
                    {
                        _logs[(thread, ns)] = found = new Log(thread, ns);
                    }

                    handle = log = found;
                }
            }

            log.Gate.Enter();
            if (!log.Deleted)
            {
                return log;
            }

            log.Gate.Exit();
            handle = null;
        }
    }

    /// <summary>A checkpoint stored through <see cref="PutAsync"/>, and the blobs it introduced under its own id.</summary>
    private sealed class Entry(Checkpoint checkpoint, FieldBlob[] own)
    {
        public Checkpoint Checkpoint { get; } = checkpoint;

        public FieldBlob[] Own { get; } = own;
    }

    /// <summary>
    /// A thread's namespace: its checkpoints in id order (each an <see cref="Entry"/> or a <see cref="CheckpointFrame"/>),
    /// other blobs, its pending writes. Everything in it is read and changed under <see cref="Gate"/>.
    /// </summary>
    private sealed class Log(string thread, string ns)
    {
        public Lock Gate { get; } = new();

        public string Thread { get; } = thread;

        public string Ns { get; } = ns;

        /// <summary>The checkpoints, oldest id first: a new one is almost always the greatest, so storing it is an append.</summary>
        public List<object> Entries { get; } = [];

        /// <summary>Blobs stored under another checkpoint's id than the one that brought them (rare); null until one is.</summary>
        public Dictionary<(string Field, string Version), FieldBlob>? Blobs { get; set; }

        /// <summary>Pending writes by checkpoint id; null until the first.</summary>
        public Dictionary<string, SortedDictionary<(string Task, int Index), PendingWrite>>? Writes { get; set; }

        /// <summary>The thread was deleted: a caller holding this log must open the thread again.</summary>
        public bool Deleted { get; set; }

        /// <summary>The checkpoint with the greatest id.</summary>
        public object? Latest => Entries.Count == 0 ? null : Entries[^1];

        public static string IdOf(object entry) => entry is CheckpointFrame frame ? frame.Id : ((Entry)entry).Checkpoint.Id;

        /// <summary>Id order; frames compare by their numbers, without formatting their ids.</summary>
        public static int Compare(object a, object b) =>
            a is CheckpointFrame x && b is CheckpointFrame y ? x.CompareTo(y) : string.CompareOrdinal(IdOf(a), IdOf(b));

        /// <summary>Stores a checkpoint in id order; one with the id of a stored one replaces it.</summary>
        public void Insert(object entry)
        {
            if (Entries.Count == 0 || Compare(Entries[^1], entry) < 0)
            {
                Entries.Add(entry);
                return;
            }

            var index = Entries.BinarySearch(entry, EntryOrder.Instance);
            if (index >= 0)
            {
                Entries[index] = entry;
            }
            else
            {
                Entries.Insert(~index, entry);
            }
        }

        public object? Get(string id)
        {
            var parsed = CheckpointIds.TryParse(id, out var ticks, out var counter);
            int low = 0, high = Entries.Count - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) >> 1);
                var entry = Entries[middle];
                var order = parsed && entry is CheckpointFrame frame
                    ? frame.IdTicks != ticks ? frame.IdTicks.CompareTo(ticks) : frame.Counter.CompareTo(counter)
                    : string.CompareOrdinal(IdOf(entry), id);
                if (order == 0)
                {
                    return entry;
                }

                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return null;
        }

        public CheckpointTuple Tuple(object entry)
        {
            Checkpoint checkpoint;
            List<FieldBlob> fields;
            if (entry is CheckpointFrame frame)
            {
                var schema = frame.Fields.Schema;
                var owners = new object[schema.Fields.Length];
                checkpoint = frame.ToCheckpoint(Thread, Ns, owners);
                fields = new List<FieldBlob>(owners.Length);
                for (var i = 0; i < owners.Length; i++)
                {
                    var owner = owners[i];
                    if ((owner is CheckpointFrame holder ? holder.Blob(i) : Find(schema.Fields[i].Name, (string)owner)) is { } blob)
                    {
                        fields.Add(blob);
                    }
                }
            }
            else
            {
                checkpoint = ((Entry)entry).Checkpoint;
                fields = new List<FieldBlob>(checkpoint.FieldVersions.Count);
                foreach (var (field, version) in checkpoint.FieldVersions)
                {
                    if (Find(field, version) is { } blob)
                    {
                        fields.Add(blob);
                    }
                }
            }

            IReadOnlyList<PendingWrite> writes = Writes is not null && Writes.TryGetValue(checkpoint.Id, out var all) ? [.. all.Values] : [];
            return new CheckpointTuple(checkpoint, fields, writes);
        }

        private FieldBlob? Find(string field, string version)
        {
            switch (Get(version))
            {
                case Entry entry:
                    foreach (var blob in entry.Own)
                    {
                        if (blob.Field == field)
                        {
                            return blob;
                        }
                    }

                    break;
                case CheckpointFrame frame:
                    var index = frame.Fields.Schema.IndexOf(field);
                    if (index >= 0 && (frame.Changed & (1UL << index)) != 0)
                    {
                        return frame.Blob(index);
                    }

                    break;
            }

            return Blobs is not null && Blobs.TryGetValue((field, version), out var other) ? other : null;
        }
    }

    private sealed class EntryOrder : IComparer<object>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(object? x, object? y) => Log.Compare(x!, y!);
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
