using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DashFlow.Benchmarks.Support;

/// <summary>A column that turns the mean time of one operation into a rate: <paramref name="perOperation"/> units per second.</summary>
/// <param name="name">The column's header, for example <c>Invokes/s</c>.</param>
/// <param name="perOperation">How many units one benchmark operation performs.</param>
public sealed class RateColumn(string name, int perOperation) : IColumn
{
    public string Id => nameof(RateColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"{name}: {perOperation:N0} per operation divided by the mean time of one operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 ? (perOperation / (mean.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "NA";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
