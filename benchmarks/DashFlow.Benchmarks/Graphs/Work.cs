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

    /// <summary>S2, S5: checkpoints a run of the chain stores: the input step's and one per superstep.</summary>
    public const int CheckpointsPerRun = ChainLength + 1;

    /// <summary>S5: how many strings the field no node touches holds.</summary>
    public const int DocumentCount = 1_000;

    /// <summary>S5: the length of each of those strings.</summary>
    public const int DocumentLength = 100;

    /// <summary>
    /// S5: the 1,000 strings of 100 characters, about 100 KB, built once so that no variant pays for building them. Each
    /// string differs, so that no serializer or store can fold them into one.
    /// </summary>
    public static readonly ImmutableList<string> Documents = [.. Enumerable.Range(0, DocumentCount).Select(Document)];

    private static string Document(int index) =>
        string.Create(DocumentLength, index, static (chars, i) =>
        {
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = (char)('a' + ((i + c) % 26));
            }

            i.TryFormat(chars, out _, provider: System.Globalization.CultureInfo.InvariantCulture);
        });
}
