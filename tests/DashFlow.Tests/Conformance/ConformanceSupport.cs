using System.Threading.Channels;
using DashFlow.Tests.Reference;
using Microsoft.Extensions.Time.Testing;

namespace DashFlow.Tests.Conformance;

/// <summary>Small helpers the conformance tests share. Nothing here waits on real time except a safety net against hangs.</summary>
internal static class ConformanceSupport
{
    /// <summary>
    /// How long a test waits for a signal before it gives up. It is a guard against a broken engine hanging the suite,
    /// never a measurement: a passing test does not depend on it.
    /// </summary>
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    public static DemoState.Update Logs(params string[] items) => new() { Log = [.. items] };

    /// <summary>A node body that signals it started, then waits until its token is cancelled and signals that too.</summary>
    public static async ValueTask<NodeResult<TState>> WaitForCancellation<TState>(TState state, TaskCompletionSource started, TaskCompletionSource cancelled, CancellationToken token)
        where TState : class, IGraphState<TState>
    {
        _ = state;
        started.SetResult();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }
        catch (OperationCanceledException)
        {
            cancelled.SetResult();
            throw;
        }

        return default;
    }

    public static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource<T> NewSignal<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task Within(this Task task) => task.WaitAsync(s_hangGuard);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(s_hangGuard);

    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(s_hangGuard);

    /// <summary>Reads a whole stream.</summary>
    public static async Task<List<GraphEvent>> CollectAsync(this IAsyncEnumerable<GraphEvent> events)
    {
        var all = new List<GraphEvent>();
        await foreach (var e in events)
        {
            all.Add(e);
        }

        return all;
    }

    /// <summary>Reads a stream until it fails, returning the events read before the failure and the failure.</summary>
    public static async Task<(List<GraphEvent> Events, Exception? Error)> CollectUntilErrorAsync(this IAsyncEnumerable<GraphEvent> events)
    {
        var all = new List<GraphEvent>();
        try
        {
            await foreach (var e in events)
            {
                all.Add(e);
            }
        }
        catch (Exception error)
        {
            return (all, error);
        }

        return (all, null);
    }

    /// <summary>A thread-safe list of what nodes saw, in the order they recorded it.</summary>
    public sealed class Journal<T>
    {
        private readonly List<T> _items = [];

        public void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public T[] ToArray()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }
    }
}

/// <summary>
/// A fake clock that also reports every timer armed on it (retry waits, timeouts), so a test knows a wait is armed
/// before it moves time, and can check how long the wait is. Timers armed later through <see cref="ITimer.Change"/>
/// (as a pooled <see cref="CancellationTokenSource"/> does) are reported too.
/// </summary>
internal sealed class ObservedTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Report(dueTime);
        return timer;
    }

    /// <summary>The elapsed fake time since the clock was created.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    /// <summary>Waits until the next timer is armed and returns its due time.</summary>
    public Task<TimeSpan> NextTimerAsync() => _armed.Reader.ReadAsync().Within();

    /// <summary>Whether a timer was armed that no one has taken with <see cref="NextTimerAsync"/>.</summary>
    public bool HasUnobservedTimer => _armed.Reader.TryPeek(out _);

    private void Report(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Writer.TryWrite(dueTime);
        }
    }

    private sealed class ObservedTimer(ITimer inner, ObservedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.Report(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
