using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DashFlow.Benchmarks.Support;

/// <summary>A column that divides the mean time of one operation by the <paramref name="units"/> it performs.</summary>
/// <param name="name">The column's header, for example <c>Per superstep</c>.</param>
/// <param name="units">How many units one benchmark operation performs (10 supersteps for the S1 chain).</param>
public sealed class PerUnitColumn(string name, int units) : IColumn
{
    public string Id => nameof(PerUnitColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Time;

    public string Legend => $"{name}: the mean time of one operation divided by {units:N0}";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is not > 0)
        {
            return "NA";
        }

        // The same units as BenchmarkDotNet's own columns print.
        var nanoseconds = mean.Value / units;
        return nanoseconds < 1_000
            ? nanoseconds.ToString("N1", CultureInfo.InvariantCulture) + " ns"
            : (nanoseconds / 1_000).ToString("N2", CultureInfo.InvariantCulture) + " us";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
