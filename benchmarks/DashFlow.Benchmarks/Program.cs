using System.Diagnostics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using DashFlow.Benchmarks.Generator;
using DashFlow.Benchmarks.Scenarios;
using DashFlow.Benchmarks.Support;

namespace DashFlow.Benchmarks;

/// <summary>
/// The benchmark suite's entry point.
/// <list type="bullet">
/// <item><c>--smoke</c>: the checks below, then one short iteration of every benchmark; non-zero on any failure (CI).</item>
/// <item><c>--validate</c>: checks that every variant of every scenario produces the same result.</item>
/// <item><c>--memory</c>: S7's peak working set and flat-heap check, each variant in a fresh process.</item>
/// <item><c>--allocations</c>: which types the engine allocates per invoke of S1, S3, S4, and of S2 and S5 with checkpoints (sampled).</item>
/// <item>anything else goes to BenchmarkDotNet (for example <c>--filter '*'</c>, <c>--filter '*S1*'</c>) in the full job.</item>
/// </list>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--memory-probe", var variant])
        {
            return await MemoryReport.ProbeAsync(variant);
        }

        if (args is ["--validate"])
        {
            return await ValidateAsync(Console.Out);
        }

        if (args is ["--allocations"])
        {
            return await AllocationProfile.RunAsync(Console.Out);
        }

        if (args is ["--memory"])
        {
            return await MemoryReport.RunAsync(Console.Out);
        }

        var smoke = args.Contains("--smoke");
        SuiteMode.Smoke = smoke;
        var rest = args.Where(a => a != "--smoke").ToArray();
        var clock = Stopwatch.StartNew();
        if (smoke)
        {
            if (await ValidateAsync(Console.Out) != 0 || await MemoryReport.RunAsync(Console.Out) != 0)
            {
                return 1;
            }

            if (!rest.Contains("--filter"))
            {
                rest = [.. rest, "--filter", "*"];
            }
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
            .Run(rest, smoke ? BenchmarkConfigs.Smoke() : BenchmarkConfigs.Full())
            .ToList();
        var failures = Failures(summaries);
        foreach (var failure in failures)
        {
            Console.Error.WriteLine("FAILED: " + failure);
        }

        Console.WriteLine($"{(smoke ? "Smoke" : "Benchmark")} run: {summaries.Sum(s => s.BenchmarksCases.Length)} benchmarks, {failures.Count} failed, in {clock.Elapsed.TotalSeconds:F0} s.");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs every scenario's setup, which checks that all its variants produce the baseline's result.</summary>
    private static async Task<int> ValidateAsync(TextWriter output)
    {
        const string same = "every variant produces the baseline's result";
        const string stored = "; each stored every checkpoint";
        var checks = new (string Name, string What, Action Setup)[]
        {
            ("S1 chain", same, new S1Chain().Setup),
            ("S2 in memory", same + stored, SetupAndCleanup(new S2Checkpoints { Store = CheckpointStore.Memory }, static b => b.Setup(), static b => b.Cleanup())),
            ("S2 on SQLite", same + stored, SetupAndCleanup(new S2Checkpoints { Store = CheckpointStore.Sqlite }, static b => b.Setup(), static b => b.Cleanup())),
            ("S2 on SQLite, exclusive", same + stored, SetupAndCleanup(new S2Checkpoints { Store = CheckpointStore.SqliteExclusive }, static b => b.Setup(), static b => b.Cleanup())),
            ("S2 durability", "Sync and Async store all eleven checkpoints, Exit the last", SetupAndCleanup(new S2Durability(), static b => b.Setup(), static b => b.Cleanup())),
            ("S3 fan-out", same, new S3FanOut().Setup),
            ("S4 loop", same, new S4Loop().Setup),
            ("S5 in memory", same + "; the documents are stored once per run", SetupAndCleanup(new S5BigState { Store = CheckpointStore.Memory }, static b => b.Setup(), static b => b.Cleanup())),
            ("S5 on SQLite", same + "; the documents are stored once per run", SetupAndCleanup(new S5BigState { Store = CheckpointStore.Sqlite }, static b => b.Setup(), static b => b.Cleanup())),
            ("S6 throughput", same, new S6Throughput().Setup),
            ("S7 memory", same, new S7Memory().Setup),
            ("Generator", "the 200-node graph generates code that compiles, and an unrelated edit is served from the cache", new GeneratorBenchmarks().Setup),
            ("Analyzer cost", "every DashFlow analyzer runs, finds nothing in the valid project and reports an unknown node in the broken one",
                new AnalyzerCostBenchmarks { Nodes = AnalyzerCostBenchmarks.SmokeNodes }.Setup),
        };
        var failed = 0;
        foreach (var (name, what, setup) in checks)
        {
            try
            {
                await Task.Run(setup);
                output.WriteLine($"validated {name}: {what}");
            }
            catch (Exception e)
            {
                failed++;
                output.WriteLine($"FAILED {name}: {e.Message}");
            }
        }

        output.WriteLine();
        return failed == 0 ? 0 : 1;
    }

    /// <summary>A benchmark's setup (which runs its checks) followed by its cleanup (which deletes its files), even when a check fails.</summary>
    private static Action SetupAndCleanup<T>(T benchmark, Action<T> setup, Action<T> cleanup) => () =>
    {
        try
        {
            setup(benchmark);
        }
        finally
        {
            cleanup(benchmark);
        }
    };

    /// <summary>The benchmarks that did not run to a result, and why.</summary>
    private static List<string> Failures(IReadOnlyCollection<Summary> summaries)
    {
        var failures = new List<string>();
        if (summaries.Count == 0 || summaries.All(s => s.BenchmarksCases.Length == 0))
        {
            failures.Add("no benchmark matched the filter");
        }

        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures.Add($"{summary.Title}: " + string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
            }

            foreach (var benchmark in summary.BenchmarksCases)
            {
                var report = summary[benchmark];
                if (report is null || !report.Success || report.ResultStatistics is null)
                {
                    failures.Add($"{benchmark.DisplayInfo}: it threw or produced no measurement (see its log above)");
                }
            }
        }

        return failures;
    }
}
