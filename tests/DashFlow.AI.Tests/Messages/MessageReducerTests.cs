using DashFlow.AI;

namespace DashFlow.AI.Tests.Messages;

public sealed class MessageReducerTests
{
    private static ChatMessage Msg(string id, ChatRole role, string text) => new(role, text) { MessageId = id };

    [Fact]
    public void Appends_in_write_order()
    {
        ImmutableList<ChatMessage> current = [Msg("a", ChatRole.User, "hi")];
        var result = MessageReducers.AddMessages(current, [Msg("b", ChatRole.Assistant, "hello"), Msg("c", ChatRole.User, "bye")]);
        Assert.Equal(["a", "b", "c"], result.Select(m => m.MessageId));
        Assert.Equal(["hi", "hello", "bye"], result.Select(m => m.Text));
    }

    [Fact]
    public void A_message_with_a_present_id_replaces_it_in_place()
    {
        ImmutableList<ChatMessage> current = [Msg("a", ChatRole.User, "q"), Msg("b", ChatRole.Assistant, "draft"), Msg("c", ChatRole.User, "more")];
        var result = MessageReducers.AddMessages(current, [Msg("b", ChatRole.Assistant, "final")]);
        Assert.Equal(["a", "b", "c"], result.Select(m => m.MessageId));
        Assert.Equal("final", result[1].Text);
    }

    [Fact]
    public void The_same_id_twice_in_one_write_keeps_the_later_one_at_the_first_position()
    {
        var result = MessageReducers.AddMessages([], [Msg("x", ChatRole.Assistant, "one"), Msg("y", ChatRole.User, "two"), Msg("x", ChatRole.Assistant, "three")]);
        Assert.Equal(["three", "two"], result.Select(m => m.Text));
    }

    [Fact]
    public void A_removal_marker_deletes_by_id_and_never_enters_the_history()
    {
        ImmutableList<ChatMessage> current = [Msg("a", ChatRole.User, "q"), Msg("b", ChatRole.Assistant, "a1"), Msg("c", ChatRole.User, "q2")];
        var result = MessageReducers.AddMessages(current, [MessageReducers.Remove("b"), Msg("d", ChatRole.Assistant, "a2")]);
        Assert.Equal(["a", "c", "d"], result.Select(m => m.MessageId));
        Assert.DoesNotContain(result, MessageReducers.IsRemoval);
    }

    [Fact]
    public void Removing_an_unknown_id_names_it()
    {
        var e = Assert.Throws<ArgumentException>(() => MessageReducers.AddMessages([Msg("a", ChatRole.User, "q")], [MessageReducers.Remove("zzz")]));
        Assert.Contains("'zzz'", e.Message);
    }

    [Fact]
    public void RemoveAll_clears_what_came_before_it()
    {
        ImmutableList<ChatMessage> current = [Msg("a", ChatRole.User, "q"), Msg("b", ChatRole.Assistant, "a1")];
        var result = MessageReducers.AddMessages(current, [MessageReducers.RemoveAll(), Msg("s", ChatRole.System, "summary")]);
        Assert.Equal(["s"], result.Select(m => m.MessageId));
    }

    [Fact]
    public void Messages_without_an_id_get_a_unique_one_and_the_written_object_is_left_alone()
    {
        var written = new ChatMessage(ChatRole.User, "no id");
        var result = MessageReducers.AddMessages([], [written, new ChatMessage(ChatRole.User, "also none")]);
        Assert.Null(written.MessageId);
        Assert.All(result, m => Assert.False(string.IsNullOrEmpty(m.MessageId)));
        Assert.NotEqual(result[0].MessageId, result[1].MessageId);
        Assert.Equal("no id", result[0].Text);
    }

    [Fact]
    public void The_read_only_list_overload_folds_the_same_way()
    {
        IReadOnlyList<ChatMessage> current = new List<ChatMessage> { Msg("a", ChatRole.User, "q"), Msg("b", ChatRole.Assistant, "draft") };
        var result = MessageReducers.AddMessages(current, new List<ChatMessage> { Msg("b", ChatRole.Assistant, "final"), MessageReducers.Remove("a") });
        Assert.Equal(["final"], result.Select(m => m.Text));
    }

    [Fact]
    public void A_removal_marker_survives_the_checkpoint_codec()
    {
        var marker = CodecTests.RoundTrip(MessageReducers.Remove("b"));
        Assert.True(MessageReducers.IsRemoval(marker));
        var result = MessageReducers.AddMessages([Msg("a", ChatRole.User, "q"), Msg("b", ChatRole.User, "r")], [marker]);
        Assert.Equal(["a"], result.Select(m => m.MessageId));
    }
}
