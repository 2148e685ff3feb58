using DashFlow;
using QuickStart;

// Triage a folder of support messages (the bundled documents/ folder by default) and stream progress to the console.
var folder = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "documents");
if (!Directory.Exists(folder))
{
    Console.Error.WriteLine($"Folder '{folder}' does not exist. Usage: dotnet run --project samples/QuickStart -- [folder of .txt files]");
    return 1;
}

var app = new TriageGraph(new Rules()).Compile();
Console.WriteLine("The graph (Mermaid):");
Console.WriteLine(TriageGraph.Mermaid);

TriageState? final = null;
await foreach (var e in app.StreamAsync(new TriageState { Folder = folder }, StreamMode.Updates | StreamMode.Custom | StreamMode.Values))
{
    switch (e)
    {
        case CustomEvent custom:
            Console.WriteLine($"[step {custom.Step}] {custom.Node}: {custom.Value}");
            break;
        case UpdateEvent<TriageState> update:
            Console.WriteLine($"[step {update.Step}] {update.Node} finished: {Summarize(update.Update)}");
            break;
        case ValuesEvent<TriageState> values:
            final = values.State;
            break;
    }
}

Console.WriteLine();
Console.WriteLine(final!.Report);
return 0;

static string Summarize(StateUpdate<TriageState>? update) => update switch
{
    null => "no update",
    TriageState.Update { Documents.Count: > 0 } u => $"{u.Documents.Count} document(s)",
    TriageState.Update { Report.Length: > 0 } => "report written",
    TriageState.Update { Findings.Count: > 0 } u => $"{u.Findings.Count} finding(s)",
    TriageState.Update { Queues.Count: > 0 } u => $"queues for {u.Queues.Count} document(s)",
    _ => update.ToString(),
};
