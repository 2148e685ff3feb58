using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace DashFlow.Analyzers.Tests.EndToEnd;

/// <summary>
/// Packs the DashFlow package from this repository, builds a user's project that references it from a local folder
/// (as a user's machine would, with the normal package source for everything else), and checks that the build
/// reports the expected DashFlow ids at the expected lines: the analyzers ship inside the package and work outside the
/// repository. Everything happens in a temporary folder of its own, removed afterwards.
/// </summary>
public sealed partial class PackageEndToEndTests
{
    /// <summary>A safety net against a hung build, not a measure of speed.</summary>
    private static readonly TimeSpan s_processLimit = TimeSpan.FromMinutes(20);

    [Fact]
    public async Task The_packed_analyzers_report_in_a_user_build()
    {
        var work = Directory.CreateTempSubdirectory("dashflow-e2e-");
        try
        {
            // A version no cache has seen, so that restore takes this package and no other.
            var version = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var project = Path.Combine(RepositoryRoot(), "src", "DashFlow", "DashFlow.csproj");

            var pack = await RunDotnetAsync(work.FullName, isolated: false,
                "pack", project, "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(work.FullName, "artifacts"),
                $"-p:PackageVersion={version}", "--disable-build-servers", "-nodeReuse:false");
            Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Output);
            var package = Path.Combine(feed, $"DashFlow.{version}.nupkg");
            Assert.True(File.Exists(package), $"No package at {package}:\n{pack.Output}");
            using (var archive = System.IO.Compression.ZipFile.OpenRead(package))
            {
                var compileTime = archive.Entries.Where(e => e.FullName.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal)).Select(e => e.Name).ToHashSet();
                Assert.Superset(new HashSet<string> { "DashFlow.Generators.dll", "DashFlow.Analyzers.dll", "DashFlow.CodeFixes.dll" }, compileTime);
            }

            var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
            File.WriteAllText(Path.Combine(work.FullName, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(work.FullName, "Directory.Build.targets"), "<Project />");
            File.WriteAllText(Path.Combine(work.FullName, "Directory.Packages.props"), "<Project />");
            File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig(feed, Path.Combine(work.FullName, "packages")));
            File.WriteAllText(Path.Combine(app, "Tickets.csproj"), UserProject.ProjectFile(version));
            File.WriteAllText(Path.Combine(app, "Tickets.cs"), UserProject.Source);

            var build = await RunDotnetAsync(app, isolated: true, "build", Path.Combine(app, "Tickets.csproj"), "--disable-build-servers", "-nodeReuse:false");

            var reported = DiagnosticLine().Matches(build.Output)
                .Where(m => Path.GetFileName(m.Groups["file"].Value) == "Tickets.cs")
                .Select(m => (Line: int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), Id: m.Groups["id"].Value))
                .ToHashSet();
            var expected = UserProject.Expected();
            Assert.True(expected.SetEquals(reported.Where(r => r.Id.StartsWith("DFLOW", StringComparison.Ordinal))),
                $"Expected {Describe(expected)}, the build reported {Describe(reported)}.\n{build.Output}");

            // Nothing else went wrong: no compiler error (so the generators ran), no analyzer that failed to load or threw.
            Assert.DoesNotContain(reported, r => r.Id.StartsWith("CS", StringComparison.Ordinal) && r.Id != "CS1591");
            foreach (var failure in new[] { "AD0001", "CS8032", "CS8784", "CS8785", "CS9057" })
            {
                Assert.DoesNotContain(failure, build.Output, StringComparison.Ordinal);
            }

            Assert.NotEqual(0, build.ExitCode);
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left for the system's temporary-file cleanup.
            }
        }
    }

    /// <summary>The local folder first, then the package sources the machine is configured with (no clear); packages already on the machine are used as they are.</summary>
    private static string NuGetConfig(string feed, string packages)
    {
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(machinePackages)
            ? $"""
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            """
            : "";
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <add key="dashflow-local" value="{feed}" />
              </packageSources>
            {fallback}
            </configuration>
            """;
    }

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(string directory, bool isolated, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs inside MSBuild's and the test platform's environment; a child build must not inherit it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        if (isolated)
        {
            // The user's build restores into its own folder (nuget.config), which this variable would override.
            start.Environment.Remove("NUGET_PACKAGES");
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = new StringBuilder();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(s_processLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {s_processLimit}.");
        }

        output.Append(await standardOutput).Append(await standardError);
        return (process.ExitCode, output.ToString());
    }

    private static string Describe(IEnumerable<(int Line, string Id)> diagnostics) =>
        "[" + string.Join(", ", diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => $"{d.Id}@{d.Line}")) + "]";

    private static string RepositoryRoot([CallerFilePath] string path = "")
    {
        for (var folder = Path.GetDirectoryName(path); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "DashFlow.sln")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException($"The repository was not found above '{path}'.");
    }

    [GeneratedRegex(@"^\s*(?<file>[^\s(][^(]*)\((?<line>\d+),(?<column>\d+)\): (?:error|warning) (?<id>[A-Z]+\d+):", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}
