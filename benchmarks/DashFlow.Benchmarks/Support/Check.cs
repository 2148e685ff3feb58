namespace DashFlow.Benchmarks.Support;

/// <summary>
/// Checks that every variant of a scenario produced the same result as the hand-written baseline, so that the figures
/// compare the same work. A mismatch throws, which fails the benchmark (and the smoke run).
/// </summary>
public static class Check
{
    /// <summary>Throws when <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
    public static void Same<T>(string scenario, string variant, T expected, T actual, Func<T, T, bool>? equal = null, Func<T, string>? show = null)
    {
        equal ??= EqualityComparer<T>.Default.Equals;
        if (!equal(expected, actual))
        {
            show ??= value => value?.ToString() ?? "null";
            throw new InvalidOperationException(
                $"{scenario}: variant {variant} produced {show(actual)}, but the baseline produced {show(expected)}; the variants do not do the same work.");
        }
    }
}
