namespace DashFlow.Persistence;

/// <summary>
/// Makes time-ordered checkpoint ids: the clock's UTC ticks and a process-wide counter, in fixed-width hex, so that
/// ordinal order is creation order (and stays so when the clock stands still or steps back).
/// </summary>
public static class CheckpointIds
{
    private static readonly Lock s_lock = new();
    private static long s_lastTicks;
    private static long s_counter;

    /// <summary>A new id, later in ordinal order than every id this process made before.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>For example <c>08de2b8f1c3a4e10-0000000000000001</c>.</returns>
    public static string New(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return New(timeProvider.GetUtcNow());
    }

    /// <summary>A new id for a checkpoint created at <paramref name="now"/> (the engine reads the clock once per checkpoint).</summary>
    internal static string New(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        long counter;
        lock (s_lock)
        {
            s_lastTicks = Math.Max(s_lastTicks, ticks);
            ticks = s_lastTicks;
            counter = ++s_counter;
        }

        return string.Create(33, (ticks, counter), static (span, parts) =>
        {
            Hex(span[..16], parts.ticks);
            span[16] = '-';
            Hex(span[17..], parts.counter);
        });
    }

    private static void Hex(Span<char> digits, long value)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = "0123456789abcdef"[(int)(value & 0xf)];
            value >>>= 4;
        }
    }
}
