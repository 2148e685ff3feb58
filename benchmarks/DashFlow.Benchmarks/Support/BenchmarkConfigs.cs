using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DashFlow.Benchmarks.Support;

/// <summary>The two ways the suite runs: the full measurement a person runs, and the smoke run CI runs.</summary>
/// <remarks>
/// Both use the in-process toolchain: BenchmarkDotNet's default toolchain generates and builds a project that
/// references this one, which would build the repository's projects into their own bin/obj folders beside parallel
/// builds; in process, the build stays under <c>--artifacts-path</c>. Every benchmark keeps its own warm-up, pilot and
/// measured iterations, and the baseline and the peer run in the same process and the same run.
/// </remarks>
public static class BenchmarkConfigs
{
    /// <summary>Where BenchmarkDotNet writes its reports unless <c>--artifacts</c> says otherwise: outside the repository.</summary>
    public static readonly string ArtifactsPath = Path.Combine(Path.GetTempPath(), "df-bench", "BenchmarkDotNet.Artifacts");

    /// <summary>
    /// The full measurement: BenchmarkDotNet's default job, medians shown. The in-process toolchain gives up on a benchmark
    /// after 5 minutes by default; on a loaded machine the slowest ones (Agent Framework's file store) need longer.
    /// </summary>
    public static IConfig Full() => Base().AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(20), logOutput: true)).WithId("Full"));

    /// <summary>One short iteration of every benchmark: it proves that each one runs, not how fast.</summary>
    public static IConfig Smoke() => Base().AddJob(
        Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(1)
            .WithInvocationCount(4)
            .WithUnrollFactor(1)

            // Nothing here is a measurement, so the smoke run skips the overhead iterations and the full collections
            // around each iteration, which took most of its time per benchmark.
            .WithEvaluateOverhead(false)
            .WithGcForce(false)
            .WithId("Smoke"));

    private static ManualConfig Base()
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .WithArtifactsPath(ArtifactsPath)
            .AddColumn(StatisticColumn.Median);
        config.SummaryStyle = config.SummaryStyle.WithMaxParameterColumnWidth(40);
        return config;
    }
}
