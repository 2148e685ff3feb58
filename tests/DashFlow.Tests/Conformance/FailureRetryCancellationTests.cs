using DashFlow.Tests.Reference;
using static DashFlow.Tests.Conformance.ConformanceSupport;

namespace DashFlow.Tests.Conformance;

/// <summary>Semantics §3: node failures, retries with backoff on a fake clock, timeouts and cancellation.</summary>
public sealed class FailureRetryCancellationTests
{
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_failing_node_fails_the_run_naming_the_node_the_superstep_and_the_thread()
    {
        var cause = new InvalidOperationException("kaput");
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => null)
            .AddNode("boom", s => throw cause)
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "boom")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(
            () => app.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "thread-7" }).AsTask());

        Assert.Equal("boom", error.Node);
        Assert.Equal(2, error.Step);
        Assert.Equal("thread-7", error.ThreadId);
        Assert.Equal(1, error.Attempts);
        Assert.Same(cause, error.InnerException);
        Assert.Contains("'boom'", error.Message, StringComparison.Ordinal);
        Assert.Contains("superstep 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'thread-7'", error.Message, StringComparison.Ordinal);
        Assert.Contains("kaput", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_node_cancels_its_in_flight_async_siblings()
    {
        var siblingStarted = NewSignal();
        var siblingCancelled = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("boom", async (s, c) =>
            {
                await siblingStarted.Task;
                throw new InvalidOperationException("boom");
            })
            .AddNode("sibling", (s, c) => WaitForCancellation(s, siblingStarted, siblingCancelled, c.CancellationToken))
            .AddEdge(Graph.Start, "boom")
            .AddEdge(Graph.Start, "sibling")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask().Within());

        // The failure reported is the node's own, not the sibling's cancellation, and the run waited for the sibling to stop.
        Assert.Equal("boom", error.Node);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.True(siblingCancelled.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_node_failing_synchronously_cancels_the_async_siblings_started_before_it()
    {
        var siblingCancelled = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("sibling", async (s, c) =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    siblingCancelled.SetResult();
                    throw;
                }

                return default;
            })
            .AddNode("boom", s => throw new InvalidOperationException("boom"))
            .AddEdge(Graph.Start, "sibling")
            .AddEdge(Graph.Start, "boom")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask().Within());

        Assert.Equal("boom", error.Node);
        Assert.True(siblingCancelled.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_router_that_throws_fails_the_run_naming_the_router()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => null)
            .AddEdge(Graph.Start, "a")
            .AddConditionalEdges("a", s => throw new FormatException("bad route"), [Graph.End], "chooser")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal("chooser", error.Node);
        Assert.Equal(1, error.Step);
        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public async Task Retry_waits_start_at_the_initial_interval_grow_by_the_factor_and_stop_at_the_max_interval()
    {
        var time = new ObservedTimeProvider();
        var attempts = new Journal<TimeSpan>();
        var policy = new RetryPolicy
        {
            MaxAttempts = 5,
            InitialInterval = s_second,
            BackoffFactor = 2,
            MaxInterval = 3 * s_second,
            Jitter = false,
        };
        var app = new StateGraph<DemoState>()
            .AddNode(
                "flaky",
                s =>
                {
                    attempts.Add(time.Elapsed);
                    return attempts.Count < 5 ? throw new TimeoutException("not yet") : Logs("done");
                },
                new NodeOptions { Retry = policy })
            .AddEdge(Graph.Start, "flaky")
            .Compile(new CompileOptions { TimeProvider = time });

        var run = app.InvokeAsync(new DemoState()).AsTask();
        TimeSpan[] expectedWaits = [s_second, 2 * s_second, 3 * s_second, 3 * s_second];
        foreach (var expected in expectedWaits)
        {
            var wait = await time.NextTimerAsync();
            Assert.Equal(expected, wait);
            time.Advance(wait);
        }

        var final = await run.Within();

        Assert.Equal([TimeSpan.Zero, s_second, 3 * s_second, 6 * s_second, 9 * s_second], attempts.ToArray());
        Assert.Equal(["done"], final.Log);
        Assert.False(time.HasUnobservedTimer);
    }

    [Fact]
    public void RetryPolicy_DelayFor_follows_the_same_curve()
    {
        var policy = new RetryPolicy { InitialInterval = s_second, BackoffFactor = 3, MaxInterval = 20 * s_second, Jitter = false };

        Assert.Equal(s_second, policy.DelayFor(0));
        Assert.Equal(3 * s_second, policy.DelayFor(1));
        Assert.Equal(9 * s_second, policy.DelayFor(2));
        Assert.Equal(20 * s_second, policy.DelayFor(3));
    }

    [Fact]
    public async Task A_node_failing_every_attempt_fails_the_run_after_MaxAttempts_with_the_last_error()
    {
        var attempts = 0;
        var app = new StateGraph<DemoState>()
            .AddNode(
                "flaky",
                s => throw new TimeoutException($"attempt {++attempts}"),
                new NodeOptions { Retry = new RetryPolicy { MaxAttempts = 3, InitialInterval = TimeSpan.Zero, Jitter = false } })
            .AddEdge(Graph.Start, "flaky")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask().Within());

        Assert.Equal(3, attempts);
        Assert.Equal(3, error.Attempts);
        Assert.Equal("attempt 3", error.InnerException!.Message);
        Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_of_failed_attempts_are_discarded_and_only_the_successful_attempt_is_reported()
    {
        var attempts = 0;
        var app = new StateGraph<DemoState>()
            .AddNode(
                "flaky",
                async (s, c) =>
                {
                    var attempt = ++attempts;
                    await c.EmitAsync($"attempt {attempt}");
                    return attempt < 3 ? throw new IOException($"attempt {attempt}") : new DemoState.Update { Log = [$"attempt {attempt}"], Count = 1 };
                },
                new NodeOptions { Retry = new RetryPolicy { MaxAttempts = 3, InitialInterval = TimeSpan.Zero, Jitter = false } })
            .AddEdge(Graph.Start, "flaky")
            .Compile();

        var events = await app.StreamAsync(new DemoState(), StreamMode.Updates | StreamMode.Values | StreamMode.Custom).CollectAsync().Within();

        var final = Assert.IsType<ValuesEvent<DemoState>>(events[^1]).State;
        Assert.Equal(["attempt 3"], final.Log);
        Assert.Equal(1, final.Count);
        Assert.Single(events.OfType<UpdateEvent<DemoState>>());

        // What a failed attempt streamed live stays streamed; only its writes are dropped.
        Assert.Equal(["attempt 1", "attempt 2", "attempt 3"], events.OfType<CustomEvent>().Select(e => (string)e.Value!));
    }

    [Fact]
    public async Task Programming_errors_are_not_retried_by_default()
    {
        var attempts = 0;
        var app = new StateGraph<DemoState>()
            .AddNode(
                "buggy",
                s =>
                {
                    attempts++;
                    throw new ArgumentException("bad argument");
                },
                new NodeOptions { Retry = new RetryPolicy { MaxAttempts = 5, InitialInterval = TimeSpan.Zero } })
            .AddEdge(Graph.Start, "buggy")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask());

        Assert.Equal(1, attempts);
        Assert.Equal(1, error.Attempts);
        Assert.IsType<ArgumentException>(error.InnerException);
    }

    [Fact]
    public async Task An_operation_cancelled_by_its_own_timeout_is_retried_by_default()
    {
        var attempts = 0;
        var app = new StateGraph<DemoState>()
            .AddNode(
                "http",
                s => ++attempts < 3
                    ? throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException())
                    : Logs($"attempt {attempts}"),
                new NodeOptions { Retry = new RetryPolicy { MaxAttempts = 3, InitialInterval = TimeSpan.Zero } })
            .AddEdge(Graph.Start, "http")
            .Compile();

        var final = await app.InvokeAsync(new DemoState()).AsTask().Within();

        Assert.Equal(["attempt 3"], final.Log);
    }

    [Fact]
    public void The_default_retry_rule_retries_transient_failures_only()
    {
        Assert.True(RetryPolicy.DefaultRetryOn(new IOException()));
        Assert.True(RetryPolicy.DefaultRetryOn(new TimeoutException()));
        Assert.True(RetryPolicy.DefaultRetryOn(new NodeTimeoutException("n", s_second)));
        Assert.True(RetryPolicy.DefaultRetryOn(new TaskCanceledException("timeout", new TimeoutException())));
        Assert.False(RetryPolicy.DefaultRetryOn(new OperationCanceledException()));
        Assert.False(RetryPolicy.DefaultRetryOn(new ArgumentNullException("x")));
        Assert.False(RetryPolicy.DefaultRetryOn(new NodeFailedException("n", 1, null, 1, new IOException())));
    }

    [Theory]
    [InlineData(typeof(TimeoutException), 4)]
    [InlineData(typeof(InvalidOperationException), 1)]
    public async Task Only_the_exceptions_a_policy_names_are_retried(Type thrown, int expectedAttempts)
    {
        var attempts = 0;
        var policy = new RetryPolicy { MaxAttempts = 4, InitialInterval = TimeSpan.Zero, RetryOnTypes = [typeof(TimeoutException)] };
        var app = new StateGraph<DemoState>()
            .AddNode(
                "node",
                s =>
                {
                    attempts++;
                    throw (Exception)Activator.CreateInstance(thrown)!;
                },
                new NodeOptions { Retry = policy })
            .AddEdge(Graph.Start, "node")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask().Within());

        Assert.Equal(expectedAttempts, attempts);
        Assert.IsType(thrown, error.InnerException);
    }

    [Fact]
    public async Task A_RetryOn_predicate_decides_which_failures_retry()
    {
        var attempts = 0;
        var policy = new RetryPolicy { MaxAttempts = 4, InitialInterval = TimeSpan.Zero, RetryOn = e => e.Message == "transient" };
        var app = new StateGraph<DemoState>()
            .AddNode(
                "node",
                s =>
                {
                    attempts++;
                    throw new InvalidOperationException(attempts < 2 ? "transient" : "permanent");
                },
                new NodeOptions { Retry = policy })
            .AddEdge(Graph.Start, "node")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask().Within());

        Assert.Equal(2, attempts);
        Assert.Equal("permanent", error.InnerException!.Message);
    }

    [Fact]
    public async Task Cancellation_is_never_retried_even_by_a_policy_that_retries_everything()
    {
        using var cts = new CancellationTokenSource();
        var attempts = 0;
        var policy = new RetryPolicy { MaxAttempts = 5, InitialInterval = TimeSpan.Zero, RetryOn = _ => true };
        var app = new StateGraph<DemoState>()
            .AddNode(
                "node",
                async (s, c) =>
                {
                    attempts++;
                    await cts.CancelAsync();
                    c.CancellationToken.ThrowIfCancellationRequested();
                    return default;
                },
                new NodeOptions { Retry = policy })
            .AddEdge(Graph.Start, "node")
            .Compile();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.InvokeAsync(new DemoState(), null, cts.Token).AsTask().Within());

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_node_timeout_fails_the_node_with_NodeTimeoutException_inside_NodeFailedException()
    {
        var time = new ObservedTimeProvider();
        var observedCancellation = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode(
                "slow",
                async (s, c) =>
                {
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        observedCancellation.SetResult();
                        throw;
                    }

                    return default;
                },
                new NodeOptions { Timeout = 5 * s_second })
            .AddEdge(Graph.Start, "slow")
            .Compile(new CompileOptions { TimeProvider = time });

        var run = app.InvokeAsync(new DemoState(), new RunConfig { ThreadId = "slow-thread" }).AsTask();
        Assert.Equal(5 * s_second, await time.NextTimerAsync());
        time.Advance(5 * s_second - TimeSpan.FromMilliseconds(1));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => run.Within());

        Assert.Equal("slow", error.Node);
        Assert.Equal("slow-thread", error.ThreadId);
        var timeout = Assert.IsType<NodeTimeoutException>(error.InnerException);
        Assert.Equal("slow", timeout.Node);
        Assert.Equal(5 * s_second, timeout.Timeout);
        Assert.Contains("'slow'", error.Message, StringComparison.Ordinal);
        Assert.Contains("5000 ms", error.Message, StringComparison.Ordinal);
        Assert.True(observedCancellation.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried_and_each_attempt_gets_the_full_timeout()
    {
        var time = new ObservedTimeProvider();
        var attempts = new Journal<TimeSpan>();
        var app = new StateGraph<DemoState>()
            .AddNode(
                "slow",
                async (s, c) =>
                {
                    attempts.Add(time.Elapsed);
                    if (attempts.Count == 1)
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
                    }

                    return Logs("finally");
                },
                new NodeOptions
                {
                    Timeout = 5 * s_second,
                    Retry = new RetryPolicy { MaxAttempts = 2, InitialInterval = s_second, Jitter = false },
                })
            .AddEdge(Graph.Start, "slow")
            .Compile(new CompileOptions { TimeProvider = time });

        var run = app.InvokeAsync(new DemoState()).AsTask();
        Assert.Equal(5 * s_second, await time.NextTimerAsync());
        time.Advance(5 * s_second);
        Assert.Equal(s_second, await time.NextTimerAsync());
        time.Advance(s_second);

        var final = await run.Within();

        Assert.Equal([TimeSpan.Zero, 6 * s_second], attempts.ToArray());
        Assert.Equal(["finally"], final.Log);
    }

    [Fact]
    public async Task A_run_timeout_fails_the_run_with_RunTimeoutException()
    {
        var time = new ObservedTimeProvider();
        var observedCancellation = NewSignal();
        var app = new StateGraph<DemoState>()
            .AddNode("slow", async (s, c) =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, c.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    observedCancellation.SetResult();
                    throw;
                }

                return default;
            })
            .AddEdge(Graph.Start, "slow")
            .Compile(new CompileOptions { TimeProvider = time, Name = "timed" });

        var run = app.InvokeAsync(new DemoState(), new RunConfig { Timeout = 10 * s_second, ThreadId = "timed-thread" }).AsTask();
        Assert.Equal(10 * s_second, await time.NextTimerAsync());
        time.Advance(10 * s_second);

        var error = await Assert.ThrowsAsync<RunTimeoutException>(() => run.Within());

        Assert.Equal(10 * s_second, error.Timeout);
        Assert.Contains("'timed'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'timed-thread'", error.Message, StringComparison.Ordinal);
        Assert.True(observedCancellation.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Cancelling_the_token_stops_a_running_node_and_the_run()
    {
        using var cts = new CancellationTokenSource();
        var started = NewSignal();
        var observedCancellation = NewSignal();
        var after = 0;
        var app = new StateGraph<DemoState>()
            .AddNode("wait", (s, c) => WaitForCancellation(s, started, observedCancellation, c.CancellationToken))
            .AddNode("after", s =>
            {
                after++;
                return null;
            })
            .AddEdge(Graph.Start, "wait")
            .AddEdge("wait", "after")
            .Compile();

        var run = app.InvokeAsync(new DemoState(), null, cts.Token).AsTask();
        await started.Task.Within();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Within());
        Assert.True(observedCancellation.Task.IsCompletedSuccessfully);
        Assert.Equal(0, after);
    }

    [Fact]
    public async Task Cancelling_between_supersteps_stops_the_run_before_the_next_superstep()
    {
        using var cts = new CancellationTokenSource();
        var ran = new Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("first", s =>
            {
                ran.Add("first");
                cts.Cancel();
                return null;
            })
            .AddNode("second", s =>
            {
                ran.Add("second");
                return null;
            })
            .AddEdge(Graph.Start, "first")
            .AddEdge("first", "second")
            .Compile();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.InvokeAsync(new DemoState(), null, cts.Token).AsTask());

        Assert.Equal(["first"], ran.ToArray());
    }

    [Fact]
    public async Task A_token_cancelled_before_the_run_runs_nothing()
    {
        var ran = 0;
        var app = new StateGraph<DemoState>()
            .AddNode("a", s =>
            {
                ran++;
                return null;
            })
            .AddEdge(Graph.Start, "a")
            .Compile();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => app.InvokeAsync(new DemoState(), null, new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(0, ran);
    }
}
