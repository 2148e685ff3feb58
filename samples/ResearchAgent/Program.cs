using System.CommandLine;
using DashFlow;
using DashFlow.AI;
using Microsoft.Extensions.Configuration;
using ResearchAgent;
using ResearchAgent.Tools;

// A ReAct agent that answers a question from the bundled notes with two tools, a note search and a calculator. It asks
// the model configured in appsettings.json when that model's API key is set, and the scripted local server otherwise.
const string DefaultQuestion = "How many seconds does sunlight take to reach the Earth?";
const int MaxSteps = 100;

var question = new Argument<string>("question")
{
    Description = "What to ask.",
    Arity = ArgumentArity.ZeroOrOne,
    DefaultValueFactory = _ => DefaultQuestion,
};
question.Validators.Add(result =>
{
    if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
    {
        result.AddError("The question is empty: ask something, such as \"" + DefaultQuestion + "\"");
    }
});

var model = new Option<string?>("--model")
{
    Description = "The model to ask (for Azure OpenAI, the deployment); appsettings.json's Model:Model when omitted.",
};

var maxSteps = new Option<int>("--max-steps")
{
    Description = "The most model calls the agent may make for the question.",
    DefaultValueFactory = _ => 6,
};
maxSteps.Validators.Add(result =>
{
    var value = result.GetValueOrDefault<int>();
    if (value < 1)
    {
        result.AddError($"--max-steps {value} leaves the agent no model call: give 1 or more.");
    }
    else if (value > MaxSteps)
    {
        result.AddError($"--max-steps {value} is more than {MaxSteps}; an agent that needs that many model calls is stuck in a loop.");
    }
});

var notesFolder = new Option<string?>("--notes")
{
    Description = "The folder of .md and .txt notes to search; the notes bundled with the program when omitted.",
};

var root = new RootCommand("Answers a question from local notes with a ReAct agent, a note search and a calculator.") { question, model, maxSteps, notesFolder };
root.SetAction(async (parse, cancellationToken) =>
{
    // Settings next to the program, overridable by RESEARCHAGENT_-prefixed variables (RESEARCHAGENT_Model__Provider=...).
    var configuration = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables("RESEARCHAGENT_")
        .Build();
    try
    {
        var notes = NoteSearch.Load(parse.GetValue(notesFolder) ?? Path.Combine(AppContext.BaseDirectory, "notes"));
        var prices = ModelPriceTable.FromConfiguration(configuration.GetSection("Prices"));
        await using var llm = await ResearchModel.SelectAsync(configuration, parse.GetValue(model), Console.Out, cancellationToken);
        return await new ResearchRun(llm, notes, prices, Console.Out).AskAsync(parse.GetValue(question)!, parse.GetValue(maxSteps), cancellationToken);
    }
    catch (Exception e) when (e is ModelConfigurationException or DirectoryNotFoundException or InvalidOperationException)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 1;
    }
    catch (NodeFailedException e) when (e.InnerException is ModelCallException call)
    {
        // The model could not be reached or refused the call: say which model and why, without a stack trace.
        await Console.Error.WriteLineAsync(call.Message);
        return 1;
    }
});

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line per mistake, naming what was typed; System.CommandLine's default adds the whole help text after it.
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync(error.Message);
    }

    return 1;
}

return await parsed.InvokeAsync();
