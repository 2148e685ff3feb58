namespace DashFlow.Benchmarks.Support;

/// <summary>
/// Gives each run of a checkpointing benchmark a thread of its own, on a store that is replaced by a fresh one every
/// <see cref="RunsPerStore"/> runs. A benchmark repeats its scenario hundreds of thousands of times; on one store, every
/// run would add its checkpoints for good (gigabytes of memory, or of file for S5), and later runs would measure a
/// bigger store than earlier ones. Swapping happens inside the measured operation, so its cost (a new object, or a new
/// SQLite file and its schema) is in the figures, spread over the runs of a store: under 2 % of a run here.
/// </summary>
/// <typeparam name="TStore">The store.</typeparam>
public sealed class StoreRotation<TStore> : IDisposable
    where TStore : class
{
    private readonly Func<TStore> _create;
    private readonly Action<TStore> _retire;
    private readonly string[] _threads;
    private TStore _store;
    private int _next;

    /// <summary>Creates the first store.</summary>
    /// <param name="runsPerStore">How many runs share one store before it is replaced.</param>
    /// <param name="create">Makes a fresh, empty store.</param>
    /// <param name="retire">Releases a store that is no longer used (closes it, deletes its files).</param>
    public StoreRotation(int runsPerStore, Func<TStore> create, Action<TStore> retire)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runsPerStore, 1);
        _create = create;
        _retire = retire;

        // Thread ids are made once: a caller's id is its own string, not something the run should pay to format.
        _threads = [.. Enumerable.Range(0, runsPerStore).Select(i => $"thread-{i:00000}")];
        _store = create();
    }

    /// <summary>How many runs share one store.</summary>
    public int RunsPerStore => _threads.Length;

    /// <summary>The store the last run used.</summary>
    public TStore Current => _store;

    /// <summary>The thread id the last run used; null before the first.</summary>
    public string? LastThread => _next == 0 ? null : _threads[_next - 1];

    /// <summary>The store and the (new) thread id of the next run.</summary>
    public (TStore Store, string Thread) Next()
    {
        if (_next == _threads.Length)
        {
            _retire(_store);
            _store = _create();
            _next = 0;
        }

        return (_store, _threads[_next++]);
    }

    /// <summary>Releases the current store.</summary>
    public void Dispose() => _retire(_store);
}
