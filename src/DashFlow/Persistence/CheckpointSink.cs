using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace DashFlow.Persistence;

/// <summary>
/// Where a run's checkpoints and pending writes go: straight to the store (<see cref="Durability.Sync"/>), or through a
/// bounded in-order queue drained in the background (<see cref="Durability.Async"/>): a full queue makes the run wait,
/// so memory never grows without bound.
/// </summary>
internal sealed class CheckpointSink(ICheckpointer store, Durability durability)
{
    private const int QueueCapacity = 64;
    private Channel<Func<ValueTask>>? _queue;
    private Task? _worker;
    private Exception? _error;

    public ICheckpointer Store { get; } = store;

    public ValueTask PutAsync(Checkpoint checkpoint, IReadOnlyList<FieldBlob> blobs, CancellationToken cancellationToken) =>
        durability == Durability.Async
            ? EnqueueAsync(() => Store.PutAsync(checkpoint, blobs, CancellationToken.None), cancellationToken)
            : Store.PutAsync(checkpoint, blobs, cancellationToken);

    public ValueTask PutWritesAsync(string thread, string ns, string checkpointId, IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken) =>
        durability == Durability.Async
            ? EnqueueAsync(() => Store.PutWritesAsync(thread, ns, checkpointId, writes, CancellationToken.None), cancellationToken)
            : Store.PutWritesAsync(thread, ns, checkpointId, writes, cancellationToken);

    /// <summary>Waits until everything queued is stored; throws the first storage error, if any.</summary>
    public async ValueTask FlushAsync()
    {
        if (_queue is not null)
        {
            _queue.Writer.TryComplete();
            await _worker!.ConfigureAwait(false);
            _queue = null;
            _worker = null;
        }

        if (_error is { } error)
        {
            _error = null;
            if (error is CheckpointConflictException)
            {
                // The same error a Sync run gets: another run has the thread.
                ExceptionDispatchInfo.Throw(error);
            }

            throw new DashFlowException($"Storing a checkpoint in the background failed: {error.Message}", error);
        }
    }

    private ValueTask EnqueueAsync(Func<ValueTask> put, CancellationToken cancellationToken)
    {
        if (_queue is null)
        {
            _queue = Channel.CreateBounded<Func<ValueTask>>(new BoundedChannelOptions(QueueCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            var reader = _queue.Reader;
            _worker = Task.Run(() => DrainAsync(reader), CancellationToken.None);
        }

        return _queue.Writer.WriteAsync(put, cancellationToken);
    }

    private async Task DrainAsync(ChannelReader<Func<ValueTask>> reader)
    {
        await foreach (var put in reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            // After a failure nothing later is stored: a later checkpoint must never be stored without an earlier one.
            if (_error is not null)
            {
                continue;
            }

            try
            {
                await put().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _error = e;
            }
        }
    }
}
