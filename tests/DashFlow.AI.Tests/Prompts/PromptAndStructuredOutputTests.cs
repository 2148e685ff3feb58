using DashFlow.AI;
using DashFlow.AI.ScriptedServer;

namespace DashFlow.AI.Tests.Prompts;

public sealed class PromptAndStructuredOutputTests
{
    public sealed record Verdict(string Category, int Urgency);

    [Fact]
    public void A_template_fills_variables_and_keeps_escaped_braces()
    {
        var prompt = new PromptTemplate("Classify {ticket} for {team}. Answer as {{\"category\": ...}}; {team} reads it.");
        Assert.Equal(["ticket", "team"], prompt.Variables);
        Assert.Equal("Classify 'printer broken' for ops. Answer as {\"category\": ...}; ops reads it.",
            prompt.Format(("ticket", "'printer broken'"), ("team", "ops")));
    }

    [Fact]
    public void A_missing_variable_is_named()
    {
        var prompt = new PromptTemplate("Summarize {document} for {audience}.");
        var e = Assert.Throws<KeyNotFoundException>(() => prompt.Format(("document", "d")));
        Assert.Contains("'audience'", e.Message);
        Assert.DoesNotContain("'document',", e.Message);
    }

    [Theory]
    [InlineData("Hello {name", "position 6")]
    [InlineData("Hello {} there", "'{}'")]
    [InlineData("Hello } there", "position 6")]
    public void A_malformed_template_says_where(string template, string expected)
    {
        var e = Assert.Throws<FormatException>(() => new PromptTemplate(template));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_node_gets_a_typed_result_through_the_json_schema_response_format()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Json("""{"Category": "billing", "Urgency": 3}"""));
        var llm = server.CreateChatClient();
        var prompt = new PromptTemplate("Classify this ticket: {ticket}");

        var (verdict, _) = await StructuredOutput<Verdict>.GetAsync(llm, [new(ChatRole.User, prompt.Format(("ticket", "I was charged twice")))]);

        Assert.Equal(new Verdict("billing", 3), verdict);
        var request = Assert.Single(server.Requests);
        Assert.Equal("json_schema", request.ResponseFormatType);
        Assert.Contains("urgency", request.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Classify this ticket: I was charged twice", request.Messages[^1].Content);
    }

    [Fact]
    public async Task An_answer_that_is_not_json_for_the_type_names_the_model_type_and_text()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.Enqueue(ScriptedReply.Text("I think it is about billing."));
        var llm = server.CreateChatClient("gpt-struct");

        var e = await Assert.ThrowsAsync<StructuredOutputException>(() => StructuredOutput<Verdict>.GetAsync(llm, [new(ChatRole.User, "Classify.")]));

        Assert.Contains("'gpt-struct'", e.Message);
        Assert.Contains(nameof(Verdict), e.Message);
        Assert.Contains("I think it is about billing.", e.Message);
        Assert.Equal("gpt-struct", e.Model);
    }
}
