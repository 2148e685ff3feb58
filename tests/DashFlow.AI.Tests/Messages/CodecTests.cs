using System.Buffers;
using System.Text.Json;
using DashFlow.AI;

namespace DashFlow.AI.Tests.Messages;

public sealed class CodecTests
{
    internal static ChatMessage RoundTrip(ChatMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ChatMessageCodec.Write(buffer, message);
        return ChatMessageCodec.Read(buffer.WrittenSpan);
    }

    [Fact]
    public void Text_role_id_and_author_round_trip()
    {
        var back = RoundTrip(new ChatMessage(ChatRole.Assistant, "Hello there") { MessageId = "m1", AuthorName = "writer" });
        Assert.Equal(ChatRole.Assistant, back.Role);
        Assert.Equal("Hello there", back.Text);
        Assert.Equal("m1", back.MessageId);
        Assert.Equal("writer", back.AuthorName);
    }

    [Fact]
    public void Function_calls_results_and_usage_round_trip()
    {
        var message = new ChatMessage(ChatRole.Assistant,
        [
            new FunctionCallContent("call_1", "add", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 }),
            new FunctionResultContent("call_1", 5),
            new UsageContent(new UsageDetails { InputTokenCount = 12, OutputTokenCount = 7, TotalTokenCount = 19 }),
        ]);

        var back = RoundTrip(message);

        var call = Assert.IsType<FunctionCallContent>(back.Contents[0]);
        Assert.Equal(("call_1", "add"), (call.CallId, call.Name));
        Assert.Equal(2, ((JsonElement)call.Arguments!["a"]!).GetInt32());
        var result = Assert.IsType<FunctionResultContent>(back.Contents[1]);
        Assert.Equal(5, ((JsonElement)result.Result!).GetInt32());
        var usage = Assert.IsType<UsageContent>(back.Contents[2]);
        Assert.Equal((12L, 7L, 19L), (usage.Details.InputTokenCount!.Value, usage.Details.OutputTokenCount!.Value, usage.Details.TotalTokenCount!.Value));
    }

    [Fact]
    public void Binary_data_round_trips()
    {
        var back = RoundTrip(new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new TextContent("what is this?")]));
        var data = Assert.IsType<DataContent>(back.Contents[0]);
        Assert.Equal([1, 2, 3], data.Data.ToArray());
        Assert.Equal("image/png", data.MediaType);
        Assert.Equal("what is this?", back.Text);
    }

    [Fact]
    public void Bytes_that_are_not_a_message_give_a_readable_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => ChatMessageCodec.Read("{not json"u8));
        Assert.Contains("chat message", e.Message);
    }
}
