using System.Diagnostics;
using System.Reflection;

namespace DashFlow.Samples.Tests;

/// <summary>What one run of a sample printed, and how it ended.</summary>
public sealed record SampleResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}--- stderr ---\n{Error}";
}

/// <summary>A built sample, run as its own process with <c>dotnet &lt;dll&gt;</c>, as a user runs it.</summary>
public sealed class SampleProgram
{
    // A guard against a hung child, not a measurement: a healthy run takes a fraction of it.
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(2);

    private SampleProgram(string dll) => Dll = dll;

    /// <summary>The sample's entry assembly.</summary>
    public string Dll { get; }

    /// <summary>Finds the build of the sample that this test project was built with (recorded by the project file).</summary>
    public static SampleProgram Find(string name)
    {
        var key = "Sample:" + name;
        var dll = typeof(SampleProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"The test assembly records no sample '{name}': add a ProjectReference to it with OutputItemType=\"SampleProgram\".");
        return File.Exists(dll)
            ? new SampleProgram(dll)
            : throw new FileNotFoundException($"Sample '{name}' is not built at '{dll}'. Build this test project (it builds the sample) and run the tests again.", dll);
    }

    /// <summary>Runs the sample with <paramref name="args"/> in <paramref name="workingDirectory"/> and waits for it to exit.</summary>
    public async Task<SampleResult> RunAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{info.FileName} {Dll}'.");

        // Both pipes are drained while the child runs, so a full pipe never blocks it.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var hang = new CancellationTokenSource(HangLimit);
        try
        {
            await process.WaitForExitAsync(hang.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not exit within {HangLimit}; it printed:\n{await output}\n{await error}");
        }

        return new SampleResult(process.ExitCode, await output, await error);
    }
}
