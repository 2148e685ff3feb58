using System.Buffers;
using System.Globalization;
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

    /// <summary>
    /// The checkpoint's lists and maps, as one MessagePack array of six: field versions, next nodes, sends, join
    /// progress, metadata, and which engine metadata the row's columns imply (<see cref="ImpliedMetadata"/>).
    /// </summary>
    /// <remarks>
    /// Schema version 3 leaves out of the body what the row already says: a field version equal to the checkpoint's own
    /// id (every field a step changed) is written as nil, and the engine's <c>source</c> and <c>step</c> metadata are
    /// left out when they spell the row's source and step columns. A checkpoint row is so about a quarter smaller. Rows
    /// are appended to the right edge of the table's B-tree, which SQLite splits by rewriting three pages with their
    /// parent, so a smaller row means fewer splits and fewer WAL pages per commit (about 1.8 for a row of a chain step
    /// before, 1.6 after), and each page is written, checksummed and later flushed to disk. Version 2 rows (an array of
    /// five, everything spelled out) still read.
    /// </remarks>
    private static byte[] EncodeBody(Checkpoint checkpoint)
    {
        var buffer = RentBuffer();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        WriteVersions(ref writer, checkpoint.FieldVersions, checkpoint.Id);
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
        var implied = Implied(checkpoint);
        WriteMetadata(ref writer, checkpoint.Metadata, implied);
        writer.Write((int)implied);
        writer.Flush();
        return CopyAndKeep(buffer);

        // Loops by index, and over a Dictionary (what the engine passes) with its struct enumerator: an enumerator
        // through the interface would be one allocation per list and map.
        static void WriteVersions(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> versions, string id)
        {
            writer.WriteMapHeader(versions.Count);
            if (versions is Dictionary<string, string> dictionary)
            {
                foreach (var (field, version) in dictionary)
                {
                    WriteVersion(ref writer, field, version, id);
                }

                return;
            }

            foreach (var (field, version) in versions)
            {
                WriteVersion(ref writer, field, version, id);
            }
        }

        static void WriteVersion(ref MessagePackWriter writer, string field, string version, string id)
        {
            writer.Write(field);
            if (version == id)
            {
                writer.WriteNil();
            }
            else
            {
                writer.Write(version);
            }
        }

        static void WriteMetadata(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> metadata, ImpliedMetadata implied)
        {
            var count = metadata.Count - ((implied & ImpliedMetadata.Source) != 0 ? 1 : 0) - ((implied & ImpliedMetadata.Step) != 0 ? 1 : 0);
            writer.WriteMapHeader(count);
            if (count == 0)
            {
                return;
            }

            foreach (var (k, v) in metadata)
            {
                if (!IsImplied(k, implied))
                {
                    writer.Write(k);
                    writer.Write(v);
                }
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

    /// <summary>The engine's metadata keys that a body of schema version 3 leaves to the row's columns.</summary>
    [Flags]
    private enum ImpliedMetadata
    {
        None = 0,

        /// <summary><c>source</c>: the source column's name, in lower case (<c>input</c>, <c>loop</c>, ...).</summary>
        Source = 1,

        /// <summary><c>step</c>: the step column, in invariant digits.</summary>
        Step = 2,
    }

    private const string SourceKey = "source";
    private const string StepKey = "step";

    /// <summary>The engine's names of the checkpoint sources, as it writes them into the <c>source</c> metadata.</summary>
    private static readonly string[] s_sourceNames = ["input", "loop", "update", "fork"];

    private static bool IsImplied(string key, ImpliedMetadata implied) =>
        ((implied & ImpliedMetadata.Source) != 0 && key == SourceKey) || ((implied & ImpliedMetadata.Step) != 0 && key == StepKey);

    /// <summary>Which of the engine's metadata the columns spell exactly; anything else is written out, as it is.</summary>
    private static ImpliedMetadata Implied(Checkpoint checkpoint)
    {
        var implied = ImpliedMetadata.None;
        var metadata = checkpoint.Metadata;
        if (SourceName(checkpoint.Source) is { } name && metadata.TryGetValue(SourceKey, out var source) && source == name)
        {
            implied |= ImpliedMetadata.Source;
        }

        if (metadata.TryGetValue(StepKey, out var step) && IsStep(step, checkpoint.Step))
        {
            implied |= ImpliedMetadata.Step;
        }

        return implied;

        // The digits of a non-negative step, with no sign, padding or leading zero: what int.ToString writes.
        static bool IsStep(string text, int step)
        {
            if (step < 0 || text.Length == 0 || text.Length > 10 || (text[0] == '0' && text.Length > 1))
            {
                return false;
            }

            long value = 0;
            foreach (var c in text)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            return value == step;
        }
    }

    private static string? SourceName(CheckpointSource source) => (uint)source < (uint)s_sourceNames.Length ? s_sourceNames[(int)source] : null;

    private static Checkpoint DecodeBody(Checkpoint checkpoint, byte[] body)
    {
        try
        {
            var reader = new MessagePackReader(body);

            // Five: a row of schema version 2, everything spelled out; six: version 3 (see EncodeBody).
            var length = reader.ReadArrayHeader();
            if (length is not (5 or 6))
            {
                throw new InvalidDataException("the checkpoint record has an unknown layout.");
            }

            var compact = length == 6;
            var versions = compact ? ReadVersions(ref reader, checkpoint.Id) : ReadMap(ref reader);
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
            if (compact)
            {
                metadata = WithImplied(checkpoint, metadata, (ImpliedMetadata)reader.ReadInt32());
            }

            return checkpoint with { FieldVersions = versions, Next = next, Sends = sends, JoinProgress = joins, Metadata = metadata };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CheckpointReadException(checkpoint.ThreadId, checkpoint.Id, $"its record in the SQLite file is corrupt ({e.Message}).", e);
        }

        static Dictionary<string, string> ReadVersions(ref MessagePackReader reader, string id)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var n = reader.ReadMapHeader(); n > 0; n--)
            {
                var field = reader.ReadString()!;
                map[field] = reader.TryReadNil() ? id : reader.ReadString()!;
            }

            return map;
        }

        // The engine's keys first, in the order it writes them, then the rest as stored.
        static Dictionary<string, string> WithImplied(Checkpoint checkpoint, Dictionary<string, string> rest, ImpliedMetadata implied)
        {
            if (implied == ImpliedMetadata.None)
            {
                return rest;
            }

            var metadata = new Dictionary<string, string>(rest.Count + 2, StringComparer.Ordinal);
            if ((implied & ImpliedMetadata.Source) != 0)
            {
                metadata[SourceKey] = SourceName(checkpoint.Source) ?? throw new InvalidDataException($"the checkpoint source {(int)checkpoint.Source} is unknown.");
            }

            if ((implied & ImpliedMetadata.Step) != 0)
            {
                metadata[StepKey] = checkpoint.Step.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var (k, v) in rest)
            {
                metadata[k] = v;
            }

            return metadata;
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
