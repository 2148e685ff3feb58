using BenchmarkDotNet.Configs;
using DashFlow.Benchmarks.Graphs;

namespace DashFlow.Benchmarks.Support;

/// <summary>Adds a <c>Per superstep</c> column to the chain scenarios with checkpoints: the time of a run over its ten supersteps.</summary>
public sealed class PerSuperstepConfig : ManualConfig
{
    public PerSuperstepConfig() => AddColumn(new PerUnitColumn("Per superstep", Work.ChainLength));
}
