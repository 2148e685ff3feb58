namespace DashFlow.Benchmarks.Support;

/// <summary>How the suite was started, for benchmarks whose size depends on it.</summary>
public static class SuiteMode
{
    /// <summary>Whether this is the smoke run (<c>--smoke</c>): benchmarks that take seconds per operation use a small size.</summary>
    public static bool Smoke { get; set; }
}
