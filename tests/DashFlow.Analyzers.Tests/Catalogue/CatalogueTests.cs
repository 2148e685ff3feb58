using System.Reflection;
using System.Runtime.CompilerServices;
using DashFlow.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.Tests.Catalogue;

/// <summary>
/// Every diagnostic id is reported by an analyzer, tracked in the release file, and has its page and its row in the
/// index under <c>docs/diagnostics/</c>, all with the same title, category and severity.
/// </summary>
public sealed class CatalogueTests
{
    public static TheoryData<string> Ids => [.. Descriptors().Select(d => d.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_id_is_reported_tracked_and_documented(string id)
    {
        var descriptor = Descriptors().Single(d => d.Id == id);
        var title = descriptor.Title.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var severity = descriptor.DefaultSeverity.ToString();

        Assert.Contains(AllAnalyzers.Analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == id));
        Assert.Equal($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri);

        var release = File.ReadAllLines(Path.Combine(RepositoryRoot(), "analyzers", "DashFlow.Analyzers", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains($"{id} | {descriptor.Category} | {severity} | {title}", release);

        var page = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md"));
        Assert.Equal($"# {id}: {title}", page[0]);
        Assert.Contains($"| Category | `{descriptor.Category}` |", page);
        Assert.Contains($"| Severity | {severity} |", page);
        Assert.Contains(page, line => line.StartsWith("## Bad code", StringComparison.Ordinal));
        Assert.Contains(page, line => line.StartsWith("## The fix", StringComparison.Ordinal));
        Assert.Contains(page, line => line.StartsWith("## How to suppress", StringComparison.Ordinal));

        var index = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "diagnostics", "README.md"));
        Assert.Contains(index, line => line.StartsWith($"| [{id}]({id}.md) | {severity} | {title} |", StringComparison.Ordinal));
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

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
}
