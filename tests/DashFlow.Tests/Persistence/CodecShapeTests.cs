using System.Buffers;
using System.Text;
using DashFlow.Persistence;
using MessagePack;

namespace DashFlow.Tests.Persistence;

/// <summary>A codec that cannot be created: abstract, its members static. Stores text upper-cased.</summary>
public abstract class ShoutingCodec : IFieldCodec<string>
{
    public static void Write(IBufferWriter<byte> output, string value) => output.Write(Encoding.UTF8.GetBytes(value.ToUpperInvariant()));

    public static string Read(ReadOnlySpan<byte> data) => Encoding.UTF8.GetString(data);
}

/// <summary>A codec without a public constructor. Stores a number as its decimal text.</summary>
public sealed class NumberTextCodec : IFieldCodec<int>
{
    private NumberTextCodec()
    {
    }

    public static void Write(IBufferWriter<byte> output, int value) =>
        output.Write(Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public static int Read(ReadOnlySpan<byte> data) => int.Parse(Encoding.UTF8.GetString(data), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Fields stored by codecs that are never created.</summary>
[GraphState]
public partial record CodecShapesState
{
    [FieldCodec(typeof(ShoutingCodec))]
    public string Name { get; init; } = "";

    [FieldCodec(typeof(NumberTextCodec))]
    public int? Count { get; init; }
}

/// <summary>
/// A codec's members are static, so the generated formatter never creates it: an abstract codec and one without a public
/// constructor store their fields like any other.
/// </summary>
public sealed class CodecShapeTests
{
    [Fact]
    public void An_abstract_codec_stores_its_field()
    {
        var bytes = Serialize(CodecShapesState.Schema.IndexOf("Name"), "quiet");

        Assert.Equal("QUIET", Encoding.UTF8.GetString(new MessagePackReader(bytes).ReadBytes()!.Value.ToArray()));
        Assert.Equal("QUIET", Deserialize(CodecShapesState.Schema.IndexOf("Name"), bytes));
    }

    [Fact]
    public void A_codec_without_a_public_constructor_stores_its_field_and_nil_stores_null()
    {
        var index = CodecShapesState.Schema.IndexOf("Count");

        var bytes = Serialize(index, 1234);
        var nil = Serialize(index, null);

        Assert.Equal("1234", Encoding.UTF8.GetString(new MessagePackReader(bytes).ReadBytes()!.Value.ToArray()));
        Assert.Equal(1234, Deserialize(index, bytes));
        Assert.Equal([0xc0], nil);
        Assert.Null(Deserialize(index, nil));
    }

    [Fact]
    public async Task Both_survive_a_checkpoint_and_a_resume()
    {
        var checkpointer = new InMemoryCheckpointer();
        var config = new RunConfig { ThreadId = "codec-shapes" };
        var graph = new StateGraph<CodecShapesState>()
            .AddNode("fill", _ => new CodecShapesState.Update { Name = "hello", Count = 7 })
            .AddEdge(Graph.Start, "fill")
            .Compile(new CompileOptions { Checkpointer = checkpointer });

        await graph.InvokeAsync(new CodecShapesState(), config);
        var snapshot = await graph.GetStateAsync(config);

        Assert.Equal(("HELLO", 7), (snapshot.Values.Name, snapshot.Values.Count));
    }

    private static byte[] Serialize(int index, object? value) => GeneratedFields<CodecShapesState>.Serialize(index, value);

    private static object? Deserialize(int index, byte[] data) => GeneratedFields<CodecShapesState>.Deserialize(index, data);
}
