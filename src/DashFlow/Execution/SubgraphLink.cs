using DashFlow.Persistence;

namespace DashFlow;

/// <summary>
/// A subgraph node's view of its parent's checkpointed run: where the subgraph's checkpoints go (the parent's thread,
/// under its own namespace) and the answer, if any, to the interrupt the node raised for the subgraph last time.
/// </summary>
/// <param name="Store">The parent's checkpointer.</param>
/// <param name="Thread">The parent's thread.</param>
/// <param name="ParentNamespace">The parent's namespace ("" for the root graph).</param>
/// <param name="Segment">This task's namespace segment, <c>node:step.task</c>.</param>
/// <param name="Node">The subgraph node's name.</param>
/// <param name="Durability">The parent's durability.</param>
/// <param name="RecursionLimit">The parent's recursion limit, which the subgraph inherits.</param>
/// <param name="Raised">The number of the interrupt the task raised last (-1 for none).</param>
/// <param name="Answer">The answer to that interrupt.</param>
/// <param name="Answered">Whether it has an answer.</param>
internal sealed record SubgraphLink(
    ICheckpointer Store,
    string Thread,
    string ParentNamespace,
    string Segment,
    string Node,
    Durability Durability,
    int RecursionLimit,
    int Raised,
    object? Answer,
    bool Answered)
{
    /// <summary>The namespace of the subgraph's checkpoints: per task, or per node for a subgraph that keeps its state across runs.</summary>
    public string NamespaceFor(bool keepsState)
    {
        var segment = keepsState ? Node : Segment;
        return ParentNamespace.Length == 0 ? segment : ParentNamespace + "|" + segment;
    }
}
