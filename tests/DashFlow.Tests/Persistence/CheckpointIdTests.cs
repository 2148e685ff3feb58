using DashFlow.Persistence;

namespace DashFlow.Tests.Persistence;

/// <summary>Checkpoint ids sort in the order they were made, from one thread or many, whatever the clock does.</summary>
public sealed class CheckpointIdTests
{
    [Fact]
    public void Ids_made_one_after_another_grow_even_when_the_clock_steps_back()
    {
        // A clock in the past that keeps stepping back: the ids still grow (and the process's later ids are not pushed ahead).
        var clock = new SteppingClock(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(-1));
        var ids = Enumerable.Range(0, 100).Select(_ => CheckpointIds.New(clock)).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}-[0-9a-f]{16}$", id));
    }

    [Fact]
    public async Task Ids_made_on_many_threads_at_once_are_unique_and_each_thread_sees_them_grow()
    {
        var perThread = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 5_000).Select(_ => CheckpointIds.New(TimeProvider.System)).ToList())));

        foreach (var ids in perThread)
        {
            Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        }

        Assert.Equal(8 * 5_000, perThread.SelectMany(ids => ids).Distinct().Count());
    }

    private sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow()
        {
            var now = _now;
            _now += step;
            return now;
        }
    }
}
