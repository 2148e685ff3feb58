using System.Globalization;

namespace DashFlow.Persistence;

/// <summary>
/// Makes time-ordered checkpoint ids: the clock's UTC ticks and a process-wide counter, in fixed-width hex, so that
/// ordinal order is creation order (and stays so when the clock stands still or steps back).
/// </summary>
public static class CheckpointIds
{
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
        var (ticks, counter) = Next(now);
        return Format(ticks, counter);
    }

    /// <summary>
    /// The two numbers of a new id, unformatted: the in-memory store keeps them as they are, and formats an id only when
    /// someone reads it (<see cref="Format"/>).
    /// </summary>
    internal static (long Ticks, long Counter) Next(DateTimeOffset now)
    {
        // Without a lock: the clock part only grows (a compare-and-swap maximum), and the counter is taken after it, so
        // an id made after another returned is greater: its clock part is at least as great, and so is its counter.
        var ticks = now.UtcTicks;
        var last = Volatile.Read(ref s_lastTicks);
        while (ticks > last)
        {
            var seen = Interlocked.CompareExchange(ref s_lastTicks, ticks, last);
            if (seen == last)
            {
                break;
            }

            last = seen;
        }

        return (Math.Max(ticks, last), Interlocked.Increment(ref s_counter));
    }

    /// <summary>The id of <paramref name="ticks"/> and <paramref name="counter"/>: ordinal order of ids is their numeric order.</summary>
    internal static string Format(long ticks, long counter) =>
        string.Create(33, (ticks, counter), static (span, parts) =>
        {
            Hex(span[..16], parts.ticks);
            span[16] = '-';
            Hex(span[17..], parts.counter);
        });

    /// <summary>Reads an id this class made back into its numbers; false for any other string.</summary>
    internal static bool TryParse(string id, out long ticks, out long counter)
    {
        ticks = counter = 0;
        return id.Length == 33 && id[16] == '-' && TryHex(id.AsSpan(0, 16), out ticks) && TryHex(id.AsSpan(17), out counter);

        // Lower-case digits only (ordinal order must be numeric order), and no sign bit: ids are made from non-negative numbers.
        static bool TryHex(ReadOnlySpan<char> digits, out long value)
        {
            if (digits.ContainsAnyInRange('A', 'F') || !long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) || value < 0)
            {
                value = 0;
                return false;
            }

            return true;
        }
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
