using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using MessagePack;
using MessagePack.Resolvers;

namespace DashFlow.Persistence;

/// <summary>
/// The frame around every value DashFlow stores (field values, updates, Send arguments, interrupt values, answers):
/// the magic bytes <c>DF</c>, the format version, flags (bit 0: the payload is LZ4-compressed), the state's schema
/// version (int32, little-endian), the payload's length (int32) and its CRC-32 (uint32), then the payload. A frame that
/// is truncated, of an unknown format version or fails its checksum is refused with a message that says which.
/// </summary>
public static class CheckpointPayload
{
    /// <summary>The format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>The frame header's size in bytes.</summary>
    public const int HeaderSize = 16;

    private const byte Lz4Flag = 1;
    private const int CompressAbove = 256;

    private static readonly MessagePackSerializerOptions s_lz4 = MessagePackSerializerOptions.Standard
        .WithResolver(BuiltinResolver.Instance)
        .WithCompression(MessagePackCompression.Lz4BlockArray);

    /// <summary>Frames a payload.</summary>
    /// <param name="payload">The serialized value.</param>
    /// <param name="schemaVersion">The state's schema version.</param>
    /// <param name="compress">Whether to LZ4-compress payloads larger than 256 bytes.</param>
    /// <returns>The frame.</returns>
    public static byte[] Wrap(byte[] payload, int schemaVersion, bool compress)
    {
        ArgumentNullException.ThrowIfNull(payload);
        byte flags = 0;
        if (compress && payload.Length > CompressAbove)
        {
            payload = MessagePackSerializer.Serialize(payload, s_lz4);
            flags |= Lz4Flag;
        }

        var frame = new byte[HeaderSize + payload.Length];
        payload.CopyTo(frame.AsSpan(HeaderSize));
        WriteHeader(frame, schemaVersion, flags);
        return frame;
    }

    /// <summary>
    /// Frames a payload written by <paramref name="write"/> after room for the header, in a per-thread buffer, so the
    /// only array made is the frame itself. Returns null when <paramref name="write"/> wrote nothing it could.
    /// </summary>
    internal static byte[]? WrapWritten<TArg>(TArg arg, Func<TArg, IBufferWriter<byte>, bool> write, int schemaVersion)
    {
        var buffer = ThreadBuffer.Rent();
        try
        {
            buffer.GetSpan(HeaderSize)[..HeaderSize].Clear();
            buffer.Advance(HeaderSize);
            if (!write(arg, buffer))
            {
                return null;
            }

            var frame = buffer.WrittenSpan.ToArray();
            WriteHeader(frame, schemaVersion, 0);
            return frame;
        }
        finally
        {
            ThreadBuffer.Return(buffer);
        }
    }

    /// <summary>Fills the header of <paramref name="frame"/>, whose payload follows it.</summary>
    private static void WriteHeader(Span<byte> frame, int schemaVersion, byte flags)
    {
        var payload = frame[HeaderSize..];
        frame[0] = (byte)'D';
        frame[1] = (byte)'F';
        frame[2] = FormatVersion;
        frame[3] = flags;
        BinaryPrimitives.WriteInt32LittleEndian(frame[4..], schemaVersion);
        BinaryPrimitives.WriteInt32LittleEndian(frame[8..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[12..], Crc32.HashToUInt32(payload));
    }

    /// <summary>Checks a frame and returns its payload.</summary>
    /// <param name="frame">The stored bytes.</param>
    /// <param name="schemaVersion">The schema version it was written with.</param>
    /// <returns>The payload, decompressed.</returns>
    /// <exception cref="InvalidDataException">The frame is not DashFlow's, is truncated, of an unknown version, or corrupt.</exception>
    public static byte[] Unwrap(ReadOnlySpan<byte> frame, out int schemaVersion)
    {
        schemaVersion = 0;
        if (frame.Length < 2 || frame[0] != 'D' || frame[1] != 'F')
        {
            throw new InvalidDataException("it is not a DashFlow checkpoint payload (the magic bytes are missing).");
        }

        if (frame.Length < 3 || frame[2] != FormatVersion)
        {
            throw new InvalidDataException(frame.Length < 3
                ? "it is truncated."
                : $"its format version is {frame[2]}, and this build reads version {FormatVersion}; read it with a DashFlow version that knows that format.");
        }

        if (frame.Length < HeaderSize)
        {
            throw new InvalidDataException("it is truncated (the header is incomplete).");
        }

        var flags = frame[3];
        schemaVersion = BinaryPrimitives.ReadInt32LittleEndian(frame[4..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(frame[8..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(frame[12..]);
        var payload = frame[HeaderSize..];
        if (length < 0 || payload.Length != length)
        {
            throw new InvalidDataException($"it is truncated or padded: the header says {length} bytes and {payload.Length} follow.");
        }

        if (Crc32.HashToUInt32(payload) != crc)
        {
            throw new InvalidDataException("its checksum does not match: the stored bytes are corrupt.");
        }

        return (flags & Lz4Flag) != 0 ? MessagePackSerializer.Deserialize<byte[]>(payload.ToArray(), s_lz4) : payload.ToArray();
    }
}
