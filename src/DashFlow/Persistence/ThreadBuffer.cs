using System.Buffers;

namespace DashFlow.Persistence;

/// <summary>
/// One growable byte buffer per thread, reused by every value a checkpoint serializes, so a value costs only the array
/// its bytes end in. It is taken while in use (a value's writer may serialize another value on the same thread, which
/// then gets a buffer of its own) and not kept once a huge value made it huge.
/// </summary>
internal static class ThreadBuffer
{
    private const int MaxKept = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The thread's buffer, empty; give it back with <see cref="Return"/> when done.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(256);
        t_buffer = null;
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Keeps <paramref name="buffer"/> for the thread's next value, unless it grew too large.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= MaxKept)
        {
            t_buffer = buffer;
        }
    }
}
