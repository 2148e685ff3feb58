using System.Buffers;
using DashFlow.Persistence;
using MessagePack;
using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>How a checkpoint row is encoded: its columns and its body (lists and maps as one MessagePack array).</summary>
public sealed partial class SqliteCheckpointer
{
    /// <summary>A buffer that outgrew this is not kept for the thread's next checkpoint.</summary>
    private const int MaxKeptBuffer = 64 * 1024;

    /// <summary>
    /// The encoding buffer of the calling thread, reused by every checkpoint it encodes (the bytes are copied out before
    /// the call returns, and nothing awaits in between), so a checkpoint allocates its two byte arrays and nothing else.
    /// </summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// The blobs a checkpoint introduces under its own id, for its row: a MessagePack map of field name to bytes; null
    /// when there are none. The others (under other versions) are returned for the blobs table.
    /// </summary>
    private static byte[]? EncodeOwnBlobs(Checkpoint checkpoint, IReadOnlyList<FieldBlob> blobs, out List<FieldBlob>? others)
    {
        others = null;
        var own = 0;
        for (var i = 0; i < blobs.Count; i++)
        {
            var blob = blobs[i];
            if (blob.Version == checkpoint.Id)
            {
                own++;
            }
            else
            {
                (others ??= []).Add(blob);
            }
        }

        if (own == 0)
        {
            return null;
        }

        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(own);
        for (var i = 0; i < blobs.Count; i++)
        {
            var blob = blobs[i];
            if (blob.Version == checkpoint.Id)
            {
                writer.Write(blob.Field);
                writer.Write(blob.Data);
            }
        }

        writer.Flush();
        return CopyAndKeep(buffer);
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>The written bytes; the buffer is kept for the thread's next encoding unless it grew large.</summary>
    private static byte[] CopyAndKeep(ArrayBufferWriter<byte> buffer)
    {
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= MaxKeptBuffer)
        {
            t_buffer = buffer;
        }

        return bytes;
    }

    private static Dictionary<string, byte[]> DecodeOwnBlobs(string threadId, string checkpointId, byte[] data)
    {
        try
        {
            var reader = new MessagePackReader(data);
            var map = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (var n = reader.ReadMapHeader(); n > 0; n--)
            {
                var field = reader.ReadString()!;
                map[field] = reader.ReadBytes()?.ToArray() ?? [];
            }

            return map;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CheckpointReadException(threadId, checkpointId, $"the field values stored in its row of the SQLite file are corrupt ({e.Message}).", e);
        }
    }

    private static byte[]? OwnBlobsColumn(SqliteDataReader reader) => reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7);

    private static Checkpoint ReadCheckpoint(SqliteDataReader reader, string threadId, string ns)
    {
        var body = (byte[])reader.GetValue(6);
        var checkpoint = new Checkpoint
        {
            ThreadId = threadId,
            Namespace = ns,
            Id = reader.GetString(0),
            ParentId = reader.IsDBNull(1) ? null : reader.GetString(1),
            Step = reader.GetInt32(2),
            Source = (CheckpointSource)reader.GetInt32(3),
            CreatedAt = new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
            SchemaVersion = reader.GetInt32(5),
        };
        return DecodeBody(checkpoint, body);
    }

    /// <summary>The checkpoint's lists and maps, as one MessagePack array.</summary>
    private static byte[] EncodeBody(Checkpoint checkpoint)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        WriteMap(ref writer, checkpoint.FieldVersions);
        WriteList(ref writer, checkpoint.Next);
        var sends = checkpoint.Sends;
        writer.WriteArrayHeader(sends.Count);
        for (var i = 0; i < sends.Count; i++)
        {
            writer.WriteArrayHeader(2);
            writer.Write(sends[i].Node);
            writer.Write(sends[i].Arg);
        }

        WriteList(ref writer, checkpoint.JoinProgress);
        WriteMap(ref writer, checkpoint.Metadata);
        writer.Flush();
        return CopyAndKeep(buffer);

        // Loops by index, and over a Dictionary (what the engine passes) with its struct enumerator: an enumerator
        // through the interface would be one allocation per list and map.
        static void WriteMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map)
        {
            writer.WriteMapHeader(map.Count);
            if (map is Dictionary<string, string> dictionary)
            {
                foreach (var (k, v) in dictionary)
                {
                    writer.Write(k);
                    writer.Write(v);
                }

                return;
            }

            foreach (var (k, v) in map)
            {
                writer.Write(k);
                writer.Write(v);
            }
        }

        static void WriteList(ref MessagePackWriter writer, IReadOnlyList<string> list)
        {
            writer.WriteArrayHeader(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                writer.Write(list[i]);
            }
        }
    }

    private static Checkpoint DecodeBody(Checkpoint checkpoint, byte[] body)
    {
        try
        {
            var reader = new MessagePackReader(body);
            if (reader.ReadArrayHeader() != 5)
            {
                throw new InvalidDataException("the checkpoint record has an unknown layout.");
            }

            var versions = ReadMap(ref reader);
            var next = ReadList(ref reader);
            var sends = new List<PendingSend>();
            for (var n = reader.ReadArrayHeader(); n > 0; n--)
            {
                reader.ReadArrayHeader();
                var node = reader.ReadString()!;
                sends.Add(new PendingSend(node, reader.ReadBytes()?.ToArray() ?? []));
            }

            var joins = ReadList(ref reader);
            var metadata = ReadMap(ref reader);
            return checkpoint with { FieldVersions = versions, Next = next, Sends = sends, JoinProgress = joins, Metadata = metadata };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CheckpointReadException(checkpoint.ThreadId, checkpoint.Id, $"its record in the SQLite file is corrupt ({e.Message}).", e);
        }

        static Dictionary<string, string> ReadMap(ref MessagePackReader reader)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var n = reader.ReadMapHeader(); n > 0; n--)
            {
                var key = reader.ReadString()!;
                map[key] = reader.ReadString()!;
            }

            return map;
        }

        static List<string> ReadList(ref MessagePackReader reader)
        {
            var list = new List<string>();
            for (var n = reader.ReadArrayHeader(); n > 0; n--)
            {
                list.Add(reader.ReadString()!);
            }

            return list;
        }
    }
}
