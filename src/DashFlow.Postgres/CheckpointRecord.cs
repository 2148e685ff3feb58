using System.Buffers;
using System.Text;
using System.Text.Json;
using DashFlow.Persistence;
using MessagePack;

namespace DashFlow.Postgres;

/// <summary>
/// How a checkpoint maps onto its row: field versions and metadata as JSON objects (jsonb, so SQL can use them), the
/// next nodes, sends and join progress as one MessagePack array (<c>body</c>).
/// </summary>
internal static class CheckpointRecord
{
    /// <summary>A string map as a JSON object, written by hand so no reflection-based serializer is involved (AOT).</summary>
    public static string ToJson(IReadOnlyDictionary<string, string> map)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in map)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static byte[] EncodeBody(Checkpoint checkpoint)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        WriteList(ref writer, checkpoint.Next);
        writer.WriteArrayHeader(checkpoint.Sends.Count);
        foreach (var send in checkpoint.Sends)
        {
            writer.WriteArrayHeader(2);
            writer.Write(send.Node);
            writer.Write(send.Arg);
        }

        WriteList(ref writer, checkpoint.JoinProgress);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();

        static void WriteList(ref MessagePackWriter writer, IReadOnlyList<string> list)
        {
            writer.WriteArrayHeader(list.Count);
            foreach (var item in list)
            {
                writer.Write(item);
            }
        }
    }

    /// <summary>Rebuilds a checkpoint from its row; a row that cannot be decoded is a <see cref="CheckpointReadException"/>.</summary>
    public static Checkpoint Read(
        string table, string threadId, string ns, string id, string? parentId, int step, int source, long createdAtTicks, int schemaVersion, string versions, string metadata, byte[] body)
    {
        try
        {
            var (next, sends, joins) = DecodeBody(body);
            return new Checkpoint
            {
                ThreadId = threadId,
                Namespace = ns,
                Id = id,
                ParentId = parentId,
                Step = step,
                Source = Enum.IsDefined((CheckpointSource)source) ? (CheckpointSource)source : throw new InvalidDataException($"the source {source} is unknown."),
                CreatedAt = new DateTimeOffset(createdAtTicks, TimeSpan.Zero),
                SchemaVersion = schemaVersion,
                FieldVersions = ReadMap(versions, "versions"),
                Next = next,
                Sends = sends,
                JoinProgress = joins,
                Metadata = ReadMap(metadata, "metadata"),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException and not CheckpointReadException)
        {
            throw new CheckpointReadException(threadId, id, $"its row in the PostgreSQL table {table} is corrupt ({e.Message.TrimEnd('.')}).", e);
        }

    }

    private static (List<string> Next, List<PendingSend> Sends, List<string> Joins) DecodeBody(byte[] body)
    {
        try
        {
            var reader = new MessagePackReader(body);
            if (reader.ReadArrayHeader() != 3)
            {
                throw new InvalidDataException("it has an unknown layout");
            }

            var next = ReadList(ref reader);
            var sends = new List<PendingSend>();
            for (var n = reader.ReadArrayHeader(); n > 0; n--)
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new InvalidDataException("a pending send has an unknown layout");
                }

                var node = reader.ReadString() ?? throw new InvalidDataException("a pending send has no node");
                sends.Add(new PendingSend(node, reader.ReadBytes()?.ToArray() ?? []));
            }

            var joins = ReadList(ref reader);
            return reader.End ? (next, sends, joins) : throw new InvalidDataException("it has bytes after its end");
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"the body column cannot be decoded: {e.Message.TrimEnd('.')}.", e);
        }

        static List<string> ReadList(ref MessagePackReader reader)
        {
            var list = new List<string>();
            for (var n = reader.ReadArrayHeader(); n > 0; n--)
            {
                list.Add(reader.ReadString() ?? throw new InvalidDataException("a list holds a nil"));
            }

            return list;
        }
    }

    private static Dictionary<string, string> ReadMap(string json, string column)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException($"the {column} column is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                throw new InvalidDataException($"the {column} column's entry '{key}' is not a string.");
            }

            map[key] = reader.GetString()!;
        }

        return map;
    }
}
