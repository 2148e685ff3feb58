using System.Diagnostics;
using DashFlow.AI.ScriptedServer;
using ResearchAgent.Scripted;
using ResearchAgent.Tools;

namespace DashFlow.Samples.Tests;

/// <summary>
/// samples/ResearchAgent: the program run as its own process without an API key, so that it asks the scripted server
/// on loopback while its two tools run for real; and the calculator and the note search on their own.
/// </summary>
public sealed class ResearchAgentTests
{
    private const string DefaultQuestion = "How many seconds does sunlight take to reach the Earth?";

    private static readonly SampleProgram Sample = SampleProgram.Find("ResearchAgent");

    private static string BundledNotes => Path.Combine(Path.GetDirectoryName(Sample.Dll)!, "notes");

    [Fact]
    public async Task Without_a_key_the_default_question_runs_both_real_tools_against_the_scripted_server_and_says_so()
    {
        var run = await RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Error);
        Assert.Contains("No OPENAI_API_KEY: running against the local scripted OpenAI-compatible server (answers are scripted).", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"Model: gpt-4o-mini \(scripted server, http://127\.0\.0\.1:\d+/v1/\)", run.Output);
        Assert.Contains($"Question: {DefaultQuestion}", run.Output, StringComparison.Ordinal);

        // The search ran over the bundled notes: the passage and its file name come from the file, not from a script.
        Assert.Contains($"[agent] calls search_notes(query: \"{DefaultQuestion}\")", run.Output, StringComparison.Ordinal);
        Assert.Contains($"[tools] search_notes returned: Best passages for \"{DefaultQuestion}\":", run.Output, StringComparison.Ordinal);
        Assert.Contains("[sun-and-light.md] Sunlight takes time to reach the Earth: the Sun is on average 149,600,000 km away", run.Output, StringComparison.Ordinal);

        // The calculator computed the quotient of the two numbers the passage holds.
        Assert.Contains("[agent] calls calculate(expression: \"149600000 / 299792\")", run.Output, StringComparison.Ordinal);
        Assert.Contains("[tools] calculate returned: 499.0126487698", run.Output, StringComparison.Ordinal);

        // The answer quotes both results, and is streamed before it is printed whole.
        const string Answer = "From the notes (sun-and-light.md): \"Sunlight takes time to reach the Earth:";
        Assert.Contains("[agent] " + Answer, run.Output, StringComparison.Ordinal);
        var answer = Section(run.Output, "Answer (scripted):");
        Assert.StartsWith(Answer, answer, StringComparison.Ordinal);
        Assert.EndsWith("The calculator gives 149600000 / 299792 = 499.0126487698.", answer, StringComparison.Ordinal);

        Assert.Matches(@"Usage: 3 model calls, \d+ input \+ \d+ output tokens, cost \d+\.\d{6} USD \(token counts made up by the scripted server\)\.", run.Output);
        Assert.True(
            Order(run.Output, "calls search_notes", "search_notes returned", "calls calculate", "calculate returned", "Answer (scripted):", "Usage:"),
            run.ToString());
    }

    [Fact]
    public async Task A_question_with_a_number_uses_it_and_the_best_note_for_that_question()
    {
        const string Question = "How long would it take to walk the distance of a marathon at 5 km per hour?";

        var run = await RunAsync(Question);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("[marathon.txt] A marathon is 42.195 km long", run.Output, StringComparison.Ordinal);
        Assert.Contains("[agent] calls calculate(expression: \"42.195 / 5\")", run.Output, StringComparison.Ordinal);
        Assert.Contains("[tools] calculate returned: 8.439", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("The calculator gives 42.195 / 5 = 8.439.", Section(run.Output, "Answer (scripted):"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_calculation_that_fails_reaches_the_model_as_a_readable_tool_error_and_the_run_still_answers()
    {
        var run = await RunAsync("How long would it take to walk the distance of a marathon at 0 km per hour?");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("[agent] calls calculate(expression: \"42.195 / 0\")", run.Output, StringComparison.Ordinal);
        const string Error = "Error: the tool 'calculate' failed: CalculationException: Division by zero: the '/' at position 8 of '42.195 / 0' divides by a value that is 0.";
        Assert.Contains("[tools] calculate returned: " + Error, run.Output, StringComparison.Ordinal);
        Assert.EndsWith("The calculator could not compute 42.195 / 0: " + Error, Section(run.Output, "Answer (scripted):"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_step_limit_stops_the_agent_before_it_runs_a_tool_and_the_exit_code_says_there_is_no_answer()
    {
        var run = await RunAsync(DefaultQuestion, "--max-steps", "1");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.DoesNotContain("[agent] calls", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[tools]", run.Output, StringComparison.Ordinal);
        Assert.Contains("No answer (scripted): Stopped after 1 model calls without a final answer", run.Output, StringComparison.Ordinal);
        Assert.Contains($"the model still asked for: search_notes(query: {DefaultQuestion}). Allow more with --max-steps.", run.Output, StringComparison.Ordinal);
        Assert.Contains("Usage: 1 model calls", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_model_option_names_the_model_sent_to_the_server()
    {
        var run = await RunAsync(DefaultQuestion, "--model", "gpt-research-test");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Model: gpt-research-test (scripted server,", run.Output, StringComparison.Ordinal);
        Assert.Contains("Set OPENAI_API_KEY to ask gpt-research-test instead.", run.Output, StringComparison.Ordinal);
        Assert.Contains("; no price for this model in appsettings.json (Prices)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_configured_model_and_its_key_the_program_asks_that_model_and_does_not_say_scripted()
    {
        // The configured model is an OpenAI-compatible server that this test scripts; the program sees only settings.
        await using var server = await ScriptedOpenAIServer.StartAsync();
        server.RequiredApiKey = "sk-from-the-named-variable";
        server.Enqueue(ScriptedReply.ToolCalls(("calculate", """{"expression": "6 * (3 + 4)"}""")), ScriptedReply.Text("Six times seven is 42."));

        var run = await RunAsync(
            ["What is 6 * 7?"],
            ("RESEARCHAGENT_Model__Provider", "openai-compatible"),
            ("RESEARCHAGENT_Model__Endpoint", server.Endpoint.ToString()),
            ("RESEARCHAGENT_Model__Model", "local-model"),
            ("RESEARCHAGENT_Model__ApiKeyEnvironmentVariable", "RESEARCH_TEST_KEY"),
            ("RESEARCH_TEST_KEY", "sk-from-the-named-variable"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("scripted", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Model: local-model (openai-compatible, {server.Endpoint})", run.Output, StringComparison.Ordinal);
        Assert.Contains("[tools] calculate returned: 42", run.Output, StringComparison.Ordinal);
        Assert.Equal("Six times seven is 42.", Section(run.Output, "Answer:"));
        Assert.Contains("Usage: 2 model calls, 20 input + 10 output tokens; no price for this model", run.Output, StringComparison.Ordinal);

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("local-model", r.Model));
        Assert.Equal(["search_notes", "calculate"], server.Requests[0].ToolNames);
        Assert.StartsWith("You are a careful research assistant.", server.Requests[0].Messages[0].Content, StringComparison.Ordinal);
        Assert.Equal("42", Assert.Single(server.Requests[1].Messages, m => m.Role == "tool").Content);
    }

    [Theory]
    [InlineData("--max-steps", "0", "--max-steps 0 leaves the agent no model call: give 1 or more.")]
    [InlineData("--max-steps", "2147483647", "--max-steps 2147483647 is more than 100;")]
    [InlineData("--notes", "no-such-folder", "The notes folder 'no-such-folder' does not exist.")]
    public async Task Bad_options_fail_with_a_message_that_names_them(string option, string value, string message)
    {
        var run = await RunAsync(DefaultQuestion, option, value);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_provider_is_an_error_not_a_quiet_scripted_run()
    {
        var run = await RunAsync([DefaultQuestion], ("RESEARCHAGENT_Model__Provider", "open-ai"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("The setting 'Model:Provider' is 'open-ai'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("scripted", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("1 - 2 - 3", "-4")]
    [InlineData("2 / 4 / 2", "0.25")]
    [InlineData("-3 - -2", "-1")]
    [InlineData("-(2 + 3) * 2", "-10")]
    [InlineData("2 * -3", "-6")]
    [InlineData("+4", "4")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData(".5 * 4", "2")]
    [InlineData("  10/4  ", "2.5")]
    [InlineData("1 / 3", "0.3333333333")]
    [InlineData("((((7))))", "7")]
    [InlineData("149600000 / 299792 / 60", "8.3168774795")]
    public void The_calculator_follows_precedence_signs_and_decimals(string expression, string expected) =>
        Assert.Equal(expected, Calculator.EvaluateToText(expression));

    [Theory]
    [InlineData("", "The expression is empty")]
    [InlineData("2 +", "'2 +' ends too early: expected a number, '(' or a sign after it.")]
    [InlineData("(2 + 3", "The '(' at position 1 of '(2 + 3' is never closed: add a ')'.")]
    [InlineData("2 + 3)", "Unexpected ')' at position 6 of '2 + 3)': expected an operator (+ - * /) or the end.")]
    [InlineData("2 x 3", "Unexpected 'x' at position 3 of '2 x 3'")]
    [InlineData("(1 2)", "Unexpected '2' at position 4 of '(1 2)': expected ')' to close the '(' at position 1.")]
    [InlineData("1 / (2 - 2)", "Division by zero: the '/' at position 3 of '1 / (2 - 2)'")]
    [InlineData("1,000 + 1", "'1,000 + 1' has a ',' at position 2: write numbers without thousands separators")]
    [InlineData("1.2.3", "'1.2.3' at position 1 of '1.2.3' is not a number")]
    [InlineData("79228162514264337593543950335 * 2", "The result of the '*' at position 31")]
    [InlineData("123456789012345678901234567890123", "is too large to compute")]
    public void The_calculator_names_what_is_wrong_and_where(string expression, string message)
    {
        var error = Assert.Throws<CalculationException>(() => Calculator.Evaluate(expression));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_calculator_refuses_nesting_too_deep_to_evaluate_safely()
    {
        var error = Assert.Throws<CalculationException>(() => Calculator.Evaluate(new string('(', 500) + "1" + new string(')', 500)));
        Assert.Contains("more than 100 levels deep", error.Message, StringComparison.Ordinal);
        Assert.Equal(1m, Calculator.Evaluate(new string('(', 50) + "1" + new string(')', 50)));
    }

    [Theory]
    [InlineData("What is the distance to the Moon?", "moon.md", "The Moon orbits the Earth at an average distance of 384,400 km")]
    [InlineData(DefaultQuestion, "sun-and-light.md", "Sunlight takes time to reach the Earth")]
    [InlineData("At what temperature does water boil on top of Everest?", "everest.md", "At the summit the air pressure")]
    [InlineData("why does ice float", "water.txt", "Water expands by about 9 percent when it freezes")]
    public void The_bundled_notes_rank_the_passage_that_answers_first(string query, string file, string passage)
    {
        var best = NoteSearch.Load(BundledNotes).Search(query)[0];

        Assert.Equal(file, best.File);
        Assert.StartsWith(passage, best.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_ranks_rare_shared_words_above_common_ones_and_returns_at_most_three_passages()
    {
        using var folder = new NotesFolder(
            ("common.md", "# Cats\n\nThe cat sat on the mat.\n\nA cat and a dog.\n\nThe cat again."),
            ("rare.txt", "The ocelot is a wild cat\nof the Americas."),
            ("other.md", "Dogs bark."),
            ("ignored.json", "{\"ocelot\": \"ocelot ocelot\"}"));
        var search = NoteSearch.Load(folder.Path);

        var hits = search.Search("Where does the ocelot cat live?");

        Assert.Equal(3, hits.Count);
        Assert.Equal(("rare.txt", "The ocelot is a wild cat of the Americas."), (hits[0].File, hits[0].Text));
        Assert.All(hits.Skip(1), h => Assert.Equal("common.md", h.File));
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Equal(["common.md", "other.md", "rare.txt"], search.Files);
    }

    [Fact]
    public void A_search_without_a_match_says_so_and_lists_the_notes()
    {
        using var folder = new NotesFolder(("a.md", "Alpha beta."), ("b.txt", "Gamma."));
        var search = NoteSearch.Load(folder.Path);

        Assert.Empty(search.Search("delta"));
        Assert.Equal("No note matches \"delta\". The notes are a.md, b.txt; try words they would use.", search.SearchAsText("delta"));
        Assert.Equal("Best passages for \"GAMMA\":\n[b.txt] Gamma.", search.SearchAsText("GAMMA"));
        Assert.StartsWith("The query is empty", search.SearchAsText(" "), StringComparison.Ordinal);
    }

    [Fact]
    public void Plurals_and_possessives_match_their_plain_words_and_stop_words_match_nothing()
    {
        using var folder = new NotesFolder(("moon.md", "# The Moon\n\nIt takes 27.3 days."), ("sun.md", "The Sun's light."));
        var search = NoteSearch.Load(folder.Path);

        Assert.Equal("moon.md", Assert.Single(search.Search("how long does the moon take")).File);   // heading and "takes"
        Assert.Equal("sun.md", Assert.Single(search.Search("lights of the sun")).File);
        Assert.Empty(search.Search("what is the"));
    }

    [Fact]
    public void A_notes_folder_that_is_missing_or_empty_is_refused_with_its_path()
    {
        using var empty = new NotesFolder(("readme.json", "{}"));

        Assert.Contains($"'{empty.Path}' holds no .md or .txt file", Assert.Throws<InvalidOperationException>(() => NoteSearch.Load(empty.Path)).Message, StringComparison.Ordinal);
        var missing = System.IO.Path.Combine(empty.Path, "nowhere");
        Assert.Contains($"'{missing}' does not exist", Assert.Throws<DirectoryNotFoundException>(() => NoteSearch.Load(missing)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("How far is it?", "The Sun is 149,600,000 km away; light does 299,792 km per second.", "149600000 / 299792")]
    [InlineData("Walk it at 5 km per hour?", "A marathon is 42.195 km long.", "42.195 / 5")]
    [InlineData("How high is it?", "It rises 8,849 metres.", null)]
    [InlineData("Where is it?", "No numbers here.", null)]
    public void The_scripted_model_divides_the_first_number_of_the_passage_as_documented(string question, string passage, string? expression) =>
        Assert.Equal(expression, ScriptedResearcher.Expression(question, passage));

    private static Task<SampleResult> RunAsync(params string[] args) => RunAsync(args, []);

    /// <summary>
    /// Runs the sample with no API key and no model settings of the machine in its environment, so that it takes the
    /// scripted path wherever the tests run.
    /// </summary>
    private static async Task<SampleResult> RunAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Sample.Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(IsModelSetting).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{info.FileName} {Sample.Dll}'.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();

        // A guard against a hung child, not a measurement.
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(hang.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ResearchAgent {string.Join(' ', args)} did not exit; it printed:\n{await output}\n{await error}");
        }

        return new SampleResult(process.ExitCode, await output, await error);
    }

    private static bool IsModelSetting(string name) =>
        name is "OPENAI_API_KEY" or "AZURE_OPENAI_API_KEY" || name.StartsWith("RESEARCHAGENT_", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text after the line <paramref name="heading"/>, up to the next blank line.</summary>
    private static string Section(string output, string heading)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"'{heading}' is not a line of:\n{output}");
        return string.Join('\n', lines.Skip(start + 1).TakeWhile(l => l.Length > 0));
    }

    private static bool Order(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            at = text.IndexOf(part, at, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A temporary folder of notes, deleted at the end of the test.</summary>
    private sealed class NotesFolder : IDisposable
    {
        public NotesFolder(params (string Name, string Text)[] files)
        {
            Path = Directory.CreateTempSubdirectory("dashflow-notes-").FullName;
            foreach (var (name, text) in files)
            {
                File.WriteAllText(System.IO.Path.Combine(Path, name), text);
            }
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
