using System.Diagnostics;
using DashFlow.Tests.Conformance;
using Microsoft.Data.Sqlite;

namespace DashFlow.Tests.Persistence;

/// <summary>
/// A child process running a graph on SQLite is killed (SIGKILL) in the middle of a superstep; a new process resumes the
/// thread and finishes it. Every node that had finished before the kill ran exactly once.
/// </summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dashflow-crash-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private Process Start(string mode, string db, string journal)
    {
        var host = typeof(DashFlow.Sqlite.CrashHost.Program).Assembly.Location;
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "exec",
            "--runtimeconfig", Path.Combine(AppContext.BaseDirectory, "DashFlow.Tests.runtimeconfig.json"),
            "--depsfile", Path.Combine(AppContext.BaseDirectory, "DashFlow.Tests.deps.json"),
            host, mode, db, "crash-thread", journal,
        })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    [Fact]
    public async Task A_killed_run_resumes_in_a_new_process_and_finished_nodes_ran_exactly_once()
    {
        var db = Path.Combine(_dir, "runs.db");
        var journal = Path.Combine(_dir, "journal.txt");

        using (var first = Start("run", db, journal))
        {
            var line = await first.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120));
            if (line != "blocked")
            {
                first.Kill();
                Assert.Fail($"The child said '{line}': {await first.StandardError.ReadToEndAsync()}");
            }

            first.Kill(); // SIGKILL on Unix: no finally block, no flush, no disposal runs in the child.
            await first.WaitForExitAsync().Within();
        }

        using var second = Start("resume", db, journal);
        var output = await second.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await second.WaitForExitAsync().Within();

        Assert.True(second.ExitCode == 0, output + await second.StandardError.ReadToEndAsync());
        Assert.Contains("done one,two,side,slow,last", output, StringComparison.Ordinal);
        var ran = File.ReadAllLines(journal);
        Assert.Equal(1, ran.Count(n => n == "one"));
        Assert.Equal(1, ran.Count(n => n == "two"));
        Assert.Equal(1, ran.Count(n => n == "side"));
        Assert.Equal(1, ran.Count(n => n == "last"));

        // "slow" was in flight when the process died, so it runs again: at least once, never lost.
        Assert.Equal(2, ran.Count(n => n == "slow"));
    }
}
