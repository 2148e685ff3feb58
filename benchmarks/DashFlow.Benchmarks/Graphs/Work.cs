namespace DashFlow.Benchmarks.Graphs;

/// <summary>The sizes of the scenarios, shared by every variant so that they do the same work.</summary>
public static class Work
{
    /// <summary>S1: nodes in the chain.</summary>
    public const int ChainLength = 10;

    /// <summary>S3: parallel branches between Start and the join.</summary>
    public const int Branches = 8;

    /// <summary>S4: the counter value at which the router sends the run to End (one superstep per increment).</summary>
    public const int LoopLimit = 100;

    /// <summary>S3: the string branch <c>i</c> appends; constants, so that no variant pays for building them.</summary>
    public static readonly string[] BranchItems = ["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"];

    /// <summary>S4 needs 100 supersteps; the default recursion limit is 25.</summary>
    public static readonly RunConfig LoopConfig = new() { RecursionLimit = LoopLimit + 10 };
}
