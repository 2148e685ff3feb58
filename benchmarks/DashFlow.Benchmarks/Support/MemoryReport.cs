using System.Diagnostics;
using System.Globalization;
using DashFlow.Benchmarks.Graphs;

namespace DashFlow.Benchmarks.Support;

/// <summary>
/// S7's process figures: for each variant, a fresh process runs 10,000 sequential S1 invokes and reports the bytes it
/// allocated per invoke, the managed heap (after a full collection) at 1,000 and at 10,000 invokes, and the process's
/// peak working set. Memory is flat when the heap does not grow between 1,000 and 10,000 invokes.
/// </summary>
public static class MemoryReport
{
    /// <summary>Heap growth between 1,000 and 10,000 invokes above which memory is not flat.</summary>
    public const long FlatTolerance = 32 * 1024;

    private const int Invokes = 10_000;
    private const int Checkpoint = 1_000;
    private static readonly string[] Variants = ["Baseline", "DashFlow", "DashFlowBuilder"];

    /// <summary>Runs each variant in its own process and prints the table.</summary>
    /// <returns>0 when every variant ran and its memory was flat.</returns>
    public static async Task<int> RunAsync(TextWriter output)
    {
        output.WriteLine($"S7 memory: {Invokes:N0} sequential S1 invokes per variant, each variant in a fresh process");
        output.WriteLine();
        output.WriteLine("| Variant | Allocated per invoke | Heap after 1,000 | Heap after 10,000 | Growth | Peak working set | Flat |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        var failed = false;
        foreach (var variant in Variants)
        {
            var (exitCode, stdout, stderr) = await RunChildAsync(variant);
            var fields = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("PROBE ", StringComparison.Ordinal))?.Split(' ');
            if (exitCode != 0 || fields is not { Length: 6 })
            {
                output.WriteLine($"| {variant} | failed (exit code {exitCode}): {stderr.Trim()} {stdout.Trim()} | | | | | no |");
                failed = true;
                continue;
            }

            var allocated = double.Parse(fields[2], CultureInfo.InvariantCulture);
            var heap1 = long.Parse(fields[3], CultureInfo.InvariantCulture);
            var heap10 = long.Parse(fields[4], CultureInfo.InvariantCulture);
            var peak = long.Parse(fields[5], CultureInfo.InvariantCulture);
            var flat = heap10 - heap1 <= FlatTolerance;
            failed |= !flat;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {variant} | {allocated:N0} B | {heap1 / 1024.0:N0} KB | {heap10 / 1024.0:N0} KB | {(heap10 - heap1) / 1024.0:+0.0;-0.0;0} KB | {peak / (1024.0 * 1024.0):N1} MB | {(flat ? "yes" : "NO")} |"));
        }

        output.WriteLine();
        return failed ? 1 : 0;
    }

    /// <summary>The child's side: runs one variant and prints <c>PROBE variant allocated heap1k heap10k peak</c>.</summary>
    public static async Task<int> ProbeAsync(string variant)
    {
        var input = new ChainState();
        Func<ValueTask<ChainState>> invoke = variant switch
        {
            "Baseline" => () => new ValueTask<ChainState>(Baselines.Chain(input)),
            "DashFlow" => Invoker(new ChainGraph().Compile(), input),
            "DashFlowBuilder" => Invoker(BuilderGraphs.Chain(), input),
            _ => throw new ArgumentException($"Unknown S7 variant '{variant}'; use one of {string.Join(", ", Variants)}.", nameof(variant)),
        };

        for (var i = 0; i < 100; i++)
        {
            await invoke();
        }

        var heap1 = 0L;
        var allocated = 0L;
        for (var i = 1; i <= Invokes; i++)
        {
            var start = GC.GetAllocatedBytesForCurrentThread();
            var state = await invoke();
            allocated += GC.GetAllocatedBytesForCurrentThread() - start;
            if (state.Value != Work.ChainLength)
            {
                throw new InvalidOperationException($"S7 {variant}: invoke {i} ended with Value = {state.Value}, expected {Work.ChainLength}.");
            }

            if (i == Checkpoint)
            {
                heap1 = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        var heap10 = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PROBE {variant} {allocated / (double)Invokes:F1} {heap1} {heap10} {process.PeakWorkingSet64}"));
        return 0;
    }

    private static Func<ValueTask<ChainState>> Invoker(CompiledGraph<ChainState> graph, ChainState input) => () => graph.InvokeAsync(input);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunChildAsync(string variant)
    {
        // Under `dotnet run` or the apphost the process is this program; under `dotnet X.dll` it is the host.
        var self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryReport).Assembly.Location);
        }

        start.ArgumentList.Add("--memory-probe");
        start.ArgumentList.Add(variant);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self} for the S7 probe.");
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await child.WaitForExitAsync(timeout.Token);
        return (child.ExitCode, await stdout, await stderr);
    }
}
