using System.Runtime.CompilerServices;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.InProc;

namespace DashFlow.Benchmarks.Graphs;

/// <summary>
/// The scenarios as Microsoft Agent Framework (Microsoft.Agents.AI.Workflows) workflows, run in its Lockstep in-process
/// environment. Agent Framework passes messages between executors instead of merging updates into a shared state, so
/// each workflow carries the scenario's data in its messages and yields the same final value as the DashFlow graph.
/// </summary>
public static class AgentFrameworkWorkflows
{
    /// <summary>S1: ten executors in a chain, each adds one to the int it receives; the last one's result is the output.</summary>
    public static Workflow Chain()
    {
        Func<int, int> increment = static value => value + 1;
        var executors = new ExecutorBinding[Work.ChainLength];
        for (var i = 0; i < executors.Length; i++)
        {
            executors[i] = increment.BindAsExecutor($"n{i + 1:00}");
        }

        var builder = new WorkflowBuilder(executors[0]);
        for (var i = 1; i < executors.Length; i++)
        {
            builder.AddEdge(executors[i - 1], executors[i]);
        }

        return builder.WithOutputFrom(executors[^1]).Build();
    }

    /// <summary>
    /// S3: a start executor (Agent Framework fans out from an executor, not from the workflow's entry) forwards the input
    /// to eight branches over a fan-out edge; each returns its string; a fan-in barrier edge delivers the eight strings to
    /// a join executor in the next superstep, which yields the collected state.
    /// </summary>
    public static Workflow FanOut()
    {
        Func<string, string> forward = static input => input;
        var start = forward.BindAsExecutor("start");
        var branches = new ExecutorBinding[Work.Branches];
        for (var i = 0; i < branches.Length; i++)
        {
            var item = Work.BranchItems[i];
            Func<string, string> branch = _ => item;
            branches[i] = branch.BindAsExecutor($"b{i + 1}");
        }

        var join = new FanOutJoinExecutor();
        return new WorkflowBuilder(start)
            .AddFanOutEdge(start, branches)
            .AddFanInBarrierEdge(branches, join)
            .WithOutputFrom(join)
            .Build();
    }

    /// <summary>
    /// S4: one executor increments the int it receives; a conditional edge sends the result back to it while it is under
    /// 100, another sends it to a final executor that returns it as the output (Agent Framework has no End to route to).
    /// </summary>
    public static Workflow Loop()
    {
        Func<int, int> increment = static counter => counter + 1;
        Func<int, int> done = static counter => counter;
        var loop = increment.BindAsExecutor("increment");
        var end = done.BindAsExecutor("end");
        return new WorkflowBuilder(loop)
            .AddEdge<int>(loop, loop, static counter => counter < Work.LoopLimit)
            .AddEdge<int>(loop, end, static counter => counter >= Work.LoopLimit)
            .WithOutputFrom(end)
            .Build();
    }

    /// <summary>Runs a workflow to its end in the Lockstep environment and returns its (single) output.</summary>
    /// <exception cref="InvalidOperationException">The workflow failed or yielded no output of the expected type.</exception>
    public static async ValueTask<TOutput> RunAsync<TInput, TOutput>(Workflow workflow, TInput input)
        where TInput : notnull
    {
        await using var run = await InProcessExecution.Lockstep.RunAsync(workflow, input).ConfigureAwait(false);
        return Output<TOutput>(run);
    }

    /// <summary>
    /// S2: runs a workflow to its end in a Lockstep environment with checkpointing
    /// (<see cref="InProcessExecutionEnvironment.WithCheckpointing"/>), which stores a checkpoint after every superstep.
    /// </summary>
    /// <param name="workflow">The workflow.</param>
    /// <param name="input">Its input.</param>
    /// <param name="environment">A Lockstep environment with a checkpoint manager.</param>
    /// <param name="checkpoints">Set to the number of checkpoints the run stored (for the checks); null to skip counting.</param>
    /// <exception cref="InvalidOperationException">The workflow failed or yielded no output of the expected type.</exception>
    public static async ValueTask<TOutput> RunCheckpointedAsync<TInput, TOutput>(Workflow workflow, TInput input, InProcessExecutionEnvironment environment, StrongBox<int>? checkpoints = null)
        where TInput : notnull
    {
        await using var run = await environment.RunAsync(workflow, input).ConfigureAwait(false);
        checkpoints?.Value = run.Checkpoints.Count;
        return Output<TOutput>(run);
    }

    private static TOutput Output<TOutput>(Run run)
    {
        WorkflowEvent? failure = null;
        foreach (var e in run.NewEvents)
        {
            switch (e)
            {
                case WorkflowOutputEvent output when output.Is<TOutput>(out var value):
                    return value;
                case WorkflowErrorEvent or ExecutorFailedEvent:
                    failure ??= e;
                    break;
            }
        }

        throw new InvalidOperationException(
            $"The Agent Framework workflow yielded no {typeof(TOutput).Name}: {failure?.ToString() ?? "no output and no error event"}.");
    }

    /// <summary>
    /// Collects the eight branch strings of one run (delivered one message at a time in the barrier's superstep) and
    /// yields the state once all eight have arrived. Agent Framework delivers them in no fixed order, so the join puts
    /// them in branch order, as DashFlow's barrier does.
    /// </summary>
    [YieldsOutput(typeof(FanOutState))]
    private sealed class FanOutJoinExecutor() : Executor<string>("join")
    {
        private readonly List<string> _received = new(Work.Branches);

        public override ValueTask HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            _received.Add(message);
            if (_received.Count < Work.Branches)
            {
                return default;
            }

            _received.Sort(StringComparer.Ordinal);
            ImmutableList<string> items = [.. _received];
            _received.Clear();
            return context.YieldOutputAsync(new FanOutState { Items = items, Joined = items.Count }, cancellationToken);
        }
    }
}
