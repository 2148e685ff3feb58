using static DashFlow.Reduce;

namespace DashFlow.Postgres.Tests;

/// <summary>The state the graph tests run: one field of each common reducer.</summary>
[GraphState]
public partial record FlowState
{
    public string Query { get; init; } = "";

    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];

    [Reducer(Sum)] public int Count { get; init; }
}

internal static class TestSupport
{
    /// <summary>A guard against a broken store hanging the suite, never a measurement: a passing test does not depend on it.</summary>
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(120);

    public static FlowState.Update Logs(params string[] items) => new() { Log = [.. items] };

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(s_hangGuard);

    public static Task Within(this Task task) => task.WaitAsync(s_hangGuard);

    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        await foreach (var item in items)
        {
            all.Add(item);
        }

        return all;
    }

    /// <summary>A thread-safe record of what nodes did, in order.</summary>
    public sealed class Journal
    {
        private readonly List<string> _items = [];

        public void Add(string item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public string[] ToArray()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }
}
