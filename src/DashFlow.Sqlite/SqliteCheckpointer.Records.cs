using System.Buffers;
using DashFlow.Persistence;
using MessagePack;
using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>How a checkpoint row is encoded: its columns and its body (lists and maps as one MessagePack array).</summary>
public sealed partial class SqliteCheckpointer
{
    /// <summary>
    /// The blobs a checkpoint introduces under its own id, for its row: a MessagePack map of field name to bytes; null
    /// when there are none. The others (under other versions) are returned for the blobs table.
    /// </summary>
    private static byte[]? EncodeOwnBlobs(Checkpoint checkpoint, IReadOnlyList<FieldBlob> blobs, out List<FieldBlob>? others)
    {
        others = null;
        var own = 0;
        foreach (var blob in blobs)
        {
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

        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(own);
        foreach (var blob in blobs)
        {
            if (blob.Version == checkpoint.Id)
            {
                writer.Write(blob.Field);
                writer.Write(blob.Data);
            }
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
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
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        WriteMap(ref writer, checkpoint.FieldVersions);
        WriteList(ref writer, checkpoint.Next);
        writer.WriteArrayHeader(checkpoint.Sends.Count);
        foreach (var send in checkpoint.Sends)
        {
            writer.WriteArrayHeader(2);
            writer.Write(send.Node);
            writer.Write(send.Arg);
        }

        WriteList(ref writer, checkpoint.JoinProgress);
        WriteMap(ref writer, checkpoint.Metadata);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();

        static void WriteMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map)
        {
            writer.WriteMapHeader(map.Count);
            foreach (var (k, v) in map)
            {
                writer.Write(k);
                writer.Write(v);
            }
        }

        static void WriteList(ref MessagePackWriter writer, IReadOnlyList<string> list)
        {
            writer.WriteArrayHeader(list.Count);
            foreach (var item in list)
            {
                writer.Write(item);
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
