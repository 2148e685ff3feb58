using System.CommandLine;
using System.Globalization;
using ApprovalFlow;
using DashFlow;
using Microsoft.Data.Sqlite;

// An expense approval workflow whose runs outlive the process: `start` runs a request until a manager must decide,
// `resume` (later, in another process) answers, `status` and `list` read what the SQLite file holds.
var database = new Option<string>("--db")
{
    Description = "The SQLite file that holds the requests.",
    DefaultValueFactory = _ => ApprovalDesk.DefaultDatabase,
    Recursive = true,
};
database.Validators.Add(result =>
{
    if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
    {
        result.AddError("--db needs a file path, for example --db approvals.db.");
    }
});

var amount = new Option<decimal>("--amount")
{
    Description = "The amount to reimburse, such as 1200 or 89.90.",
    DefaultValueFactory = _ => 1200m,
    // Invariant and without grouping: "89,90" is refused rather than read as 8990 on an English machine.
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        result.AddError($"--amount '{text}' is not an amount: give a positive number such as 1200 or 89.90.");
        return 0;
    },
};

var reason = new Option<string>("--reason")
{
    Description = "What the money was spent on.",
    DefaultValueFactory = _ => "Train tickets and hotel for the Berlin customer workshop",
};

var requestId = new Argument<string>("request") { Description = "The request's id, as 'start' printed it." };

var answer = new Argument<string>("decision") { Description = "approve or reject." };
answer.Validators.Add(result =>
{
    var value = result.GetValueOrDefault<string>();
    if (ParseDecision(value) is null)
    {
        result.AddError($"'{value}' is not a decision: answer approve or reject.");
    }
});

var comment = new Option<string>("--comment")
{
    Description = "Why, in the manager's words.",
    DefaultValueFactory = _ => "",
};

var start = new Command("start", "Start a new expense request and run it until it finishes or a manager must decide.") { amount, reason };
start.SetAction((parse, cancellationToken) => Run(parse, desk => desk.StartAsync(parse.GetValue(amount), parse.GetValue(reason)!, cancellationToken)));

var resume = new Command("resume", "Answer the question a request waits on and run it to its end.") { requestId, answer, comment };
resume.SetAction((parse, cancellationToken) => Run(parse, desk =>
    desk.ResumeAsync(parse.GetValue(requestId)!, ParseDecision(parse.GetValue(answer))!.Value, parse.GetValue(comment)!, cancellationToken)));

var status = new Command("status", "Show where a request stands: its state, what runs next, the question it waits on.") { requestId };
status.SetAction((parse, cancellationToken) => Run(parse, desk => desk.StatusAsync(parse.GetValue(requestId)!, cancellationToken)));

var list = new Command("list", "List the requests in the file.");
list.SetAction((parse, cancellationToken) => Run(parse, desk => desk.ListAsync(cancellationToken)));

var graph = new Command("graph", "Print the workflow as a Mermaid diagram.");
graph.SetAction(_ => Console.WriteLine(ApprovalGraph.Mermaid));

var root = new RootCommand("Expense approvals with a manager in the loop, stored in SQLite.") { database, start, resume, status, list, graph };

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

async Task<int> Run(ParseResult parse, Func<ApprovalDesk, Task<int>> command)
{
    try
    {
        await using var desk = new ApprovalDesk(parse.GetValue(database)!, Console.Out);
        return await command(desk);
    }
    catch (Exception e) when (e is RequestException or InvalidResumeException)
    {
        // InvalidResumeException: another process answered between this one's check and its resume.
        await Console.Error.WriteLineAsync(e.Message);
        return 1;
    }
    finally
    {
        // Closes the pooled connections, which folds the write-ahead log back into the database file.
        SqliteConnection.ClearAllPools();
    }
}

static bool? ParseDecision(string? value) => value?.Trim().ToLowerInvariant() switch
{
    "approve" => true,
    "reject" => false,
    _ => null,
};
