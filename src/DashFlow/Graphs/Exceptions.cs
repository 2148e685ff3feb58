namespace DashFlow;

/// <summary>The base of DashFlow's errors. Messages name the node, field, superstep and thread involved.</summary>
public class DashFlowException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="inner">The cause, if any.</param>
    public DashFlowException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The superstep the error happened in, when it happened during a run.</summary>
    public int? Step { get; init; }

    /// <summary>The run's thread id, if it had one.</summary>
    public string? ThreadId { get; init; }

    internal static string Where(int step, string? threadId) =>
        threadId is null ? $"superstep {step}" : $"superstep {step} of thread '{threadId}'";
}

/// <summary>
/// A superstep's writes cannot be applied: two writes to a <see cref="ReducerKind.Replace"/> field, or two Overwrites of
/// one field. The fix is a reducer on the field, or making only one of the nodes write it.
/// </summary>
public sealed class InvalidUpdateException : DashFlowException
{
    /// <summary>Creates the error.</summary>
    /// <param name="field">The field.</param>
    /// <param name="nodes">The nodes that wrote it.</param>
    /// <param name="message">The message.</param>
    public InvalidUpdateException(string field, IReadOnlyList<string> nodes, string message)
        : base(message)
    {
        Field = field;
        Nodes = nodes;
    }

    /// <summary>The field written more than once.</summary>
    public string Field { get; }

    /// <summary>The nodes that wrote it, in write order.</summary>
    public IReadOnlyList<string> Nodes { get; }

    internal InvalidUpdateException At(int step, string? threadId) =>
        new(Field, Nodes, $"{Message.TrimEnd('.')} (in {Where(step, threadId)}).") { Step = step, ThreadId = threadId };
}

/// <summary>A run needed more supersteps than its recursion limit allows.</summary>
/// <param name="limit">The limit.</param>
/// <param name="step">The superstep that would have exceeded it.</param>
/// <param name="nodes">The nodes that were about to run.</param>
/// <param name="threadId">The thread.</param>
public sealed class GraphRecursionException(int limit, int step, IReadOnlyList<string> nodes, string? threadId)
    : DashFlowException(
        $"The run reached its recursion limit of {limit} supersteps{(threadId is null ? "" : $" on thread '{threadId}'")}: " +
        $"superstep {step} would run [{string.Join(", ", nodes)}]. If the graph is meant to loop this long, raise " +
        "RunConfig.RecursionLimit; otherwise check the router or edge that loops back.")
{
    /// <summary>The limit.</summary>
    public int Limit { get; } = limit;

    /// <summary>The nodes that were about to run.</summary>
    public IReadOnlyList<string> Nodes { get; } = nodes;
}

/// <summary>
/// A node failed (after its retries); the node's exception is <see cref="Exception.InnerException"/>. For a subgraph node
/// that is the subgraph's own error (for example the <see cref="NodeFailedException"/> naming the node that failed inside
/// it); a router that throws fails the run the same way, named by the router.
/// </summary>
public sealed class NodeFailedException : DashFlowException
{
    /// <summary>Creates the error.</summary>
    /// <param name="node">The node.</param>
    /// <param name="step">The superstep.</param>
    /// <param name="threadId">The thread.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="inner">The node's exception.</param>
    public NodeFailedException(string node, int step, string? threadId, int attempts, Exception inner)
        : base(
            $"Node '{node}' failed in {Where(step, threadId)}" +
            (attempts > 1 ? $" after {attempts} attempts" : "") + $": {inner.GetType().Name}: {inner.Message}",
            inner)
    {
        Node = node;
        Attempts = attempts;
        Step = step;
        ThreadId = threadId;
    }

    /// <summary>The node that failed.</summary>
    public string Node { get; }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }
}

/// <summary>An attempt of a node took longer than its time limit.</summary>
/// <param name="node">The node.</param>
/// <param name="timeout">The limit.</param>
public sealed class NodeTimeoutException(string node, TimeSpan timeout)
    : DashFlowException($"Node '{node}' did not finish within its timeout of {timeout.TotalMilliseconds:0.###} ms.")
{
    /// <summary>The node.</summary>
    public string Node { get; } = node;

    /// <summary>The time limit.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// A router or a Command returned a target it did not declare or that is not a node, or a Send named an unknown node or
/// carries an argument its node cannot take. Raised in the superstep that returned the value.
/// </summary>
/// <param name="router">The router (or the node whose command or router returned the value).</param>
/// <param name="value">What it returned.</param>
/// <param name="declared">The targets it declared.</param>
/// <param name="message">The message.</param>
public sealed class InvalidRouteException(string router, string value, IReadOnlyList<string> declared, string message)
    : DashFlowException(message)
{
    /// <summary>The router.</summary>
    public string Router { get; } = router;

    /// <summary>The value it returned.</summary>
    public string Value { get; } = value;

    /// <summary>The targets it declared.</summary>
    public IReadOnlyList<string> DeclaredTargets { get; } = declared;
}

/// <summary>A graph cannot work; every problem found is listed in <see cref="Problems"/>.</summary>
/// <param name="graph">The graph's name.</param>
/// <param name="problems">The problems, each naming the node or edge.</param>
public sealed class GraphValidationException(string graph, IReadOnlyList<string> problems)
    : DashFlowException(
        $"Graph '{graph}' is not valid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):" +
        string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)))
{
    /// <summary>The problems, each naming the node or edge.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>A second run was started on a thread that already has a run going.</summary>
/// <param name="threadId">The thread.</param>
public sealed class ThreadBusyException(string threadId)
    : DashFlowException($"Thread '{threadId}' already has a run in progress; wait for it to finish or use another ThreadId.")
{
    /// <summary>The thread.</summary>
    public new string ThreadId { get; } = threadId;
}

/// <summary>A run took longer than <see cref="RunConfig.Timeout"/>.</summary>
/// <param name="graph">The graph.</param>
/// <param name="timeout">The limit.</param>
/// <param name="threadId">The thread.</param>
public sealed class RunTimeoutException(string graph, TimeSpan timeout, string? threadId)
    : DashFlowException($"The run of graph '{graph}'{(threadId is null ? "" : $" on thread '{threadId}'")} did not finish within its timeout of {timeout.TotalMilliseconds:0.###} ms.")
{
    /// <summary>The limit.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
