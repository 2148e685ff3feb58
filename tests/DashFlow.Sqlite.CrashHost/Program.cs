using System.Collections.Immutable;
using DashFlow;
using DashFlow.Sqlite;
using static DashFlow.Reduce;

namespace DashFlow.Sqlite.CrashHost;

/// <summary>
/// Runs a graph on SQLite for the crash test: <c>run DB THREAD JOURNAL</c> starts the thread and blocks forever inside
/// node "slow" (after printing "blocked"), so the test can kill the process there; <c>resume DB THREAD JOURNAL</c>
/// resumes the thread and finishes it. Every node appends its name to JOURNAL when it runs.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var (mode, db, thread, journal) = (args[0], args[1], args[2], args[3]);
        var block = mode == "run";
        void Ran(string node) => File.AppendAllText(journal, node + Environment.NewLine);

        var app = new StateGraph<CrashState>()
            .AddNode("one", s => { Ran("one"); return new CrashState.Update { Log = ["one"] }; })
            .AddNode("two", s => { Ran("two"); return new CrashState.Update { Log = ["two"] }; })
            .AddNode("side", s => { Ran("side"); return new CrashState.Update { Log = ["side"] }; })
            .AddNode("slow", async (s, ct) =>
            {
                Ran("slow");
                if (block)
                {
                    Console.WriteLine("blocked");
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }

                return new CrashState.Update { Log = ["slow"] };
            })
            .AddNode("last", s => { Ran("last"); return new CrashState.Update { Log = ["last"] }; })
            .AddEdge(Graph.Start, "one")
            .AddEdge("one", "two")
            .AddEdge("two", "side")
            .AddEdge("two", "slow")
            .AddEdge(["side", "slow"], "last")
            .Compile(new CompileOptions { Checkpointer = new SqliteCheckpointer(db) });

        var config = new RunConfig { ThreadId = thread };
        var final = block ? await app.InvokeAsync(new CrashState(), config) : await app.InvokeAsync((CrashState?)null, config);
        Console.WriteLine("done " + string.Join(",", final.Log));
        return 0;
    }
}

/// <summary>The crash test's state.</summary>
[GraphState]
public partial record CrashState
{
    [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
}
