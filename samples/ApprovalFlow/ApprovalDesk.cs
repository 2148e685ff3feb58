using DashFlow;
using DashFlow.Sqlite;

namespace ApprovalFlow;

/// <summary>A mistake in what the user asked for; the message names what they typed and says what to do.</summary>
public sealed class RequestException(string message) : Exception(message);

/// <summary>
/// The commands of the sample. Each command is a separate process: all a later command knows about a request is what
/// the earlier ones stored in the SQLite file, under the request's thread id.
/// </summary>
public sealed class ApprovalDesk : IAsyncDisposable
{
    /// <summary>The database file used when <c>--db</c> is not given (in the current directory).</summary>
    public const string DefaultDatabase = "approvals.db";

    private const string RunCommand = "dotnet run --project samples/ApprovalFlow --";

    private readonly string _database;
    private readonly TextWriter _out;
    private readonly SqliteCheckpointer _store;
    private readonly CompiledGraph<ExpenseState> _app;

    /// <summary>Opens (or, on the first <c>start</c>, creates) <paramref name="database"/> and compiles the graph over it.</summary>
    public ApprovalDesk(string database, TextWriter output)
    {
        _database = database;
        _out = output;
        _store = new SqliteCheckpointer(database);
        _app = new ApprovalGraph(new ExpensePolicy()).Compile(new CompileOptions { Checkpointer = _store });
    }

    /// <summary>Closes the database.</summary>
    /// <returns>A task that completes when it is closed.</returns>
    public ValueTask DisposeAsync() => _store.DisposeAsync();

    /// <summary>Starts a new request on a new thread and runs it until it finishes or waits for a manager.</summary>
    public async Task<int> StartAsync(decimal amount, string reason, CancellationToken cancellationToken)
    {
        var requestId = $"expense-{Guid.NewGuid():N}"[..16];
        _out.WriteLine($"Started {requestId} in {_database}.");
        await _app.InvokeAsync(new ExpenseState { Amount = amount, Reason = reason }, Thread(requestId), cancellationToken);
        await ReportAsync(requestId, cancellationToken);
        return 0;
    }

    /// <summary>Answers the question a request waits on, in a process that did not ask it, and runs the request to its end.</summary>
    public async Task<int> ResumeAsync(string requestId, bool approve, string comment, CancellationToken cancellationToken)
    {
        var waiting = await ReadAsync(requestId, cancellationToken);
        if (waiting.Interrupts.Count == 0)
        {
            throw new RequestException(
                $"Request '{requestId}' is not waiting for a decision: it is {Describe(waiting.Values)}. 'status {requestId}' shows it.");
        }

        await _app.InvokeAsync(new Command<ExpenseState> { Resume = new Decision(approve, comment.Trim()) }, Thread(requestId), cancellationToken);
        await ReportAsync(requestId, cancellationToken);
        return 0;
    }

    /// <summary>Prints where a request stands: its fields, the nodes that run next and the question it waits on.</summary>
    public async Task<int> StatusAsync(string requestId, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(requestId, cancellationToken);
        PrintRequest(requestId, snapshot.Values);
        _out.WriteLine($"  next:       {(snapshot.Next.Count == 0 ? "nothing, the request is finished" : string.Join(", ", snapshot.Next))}");
        foreach (var interrupt in snapshot.Interrupts)
        {
            _out.WriteLine($"  waiting:    {interrupt.Value} (asked by {interrupt.Node})");
        }

        return 0;
    }

    /// <summary>Prints one line per request in the file.</summary>
    public async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        if (File.Exists(_database))
        {
            await foreach (var requestId in _store.ListThreadsAsync(cancellationToken))
            {
                var request = (await _app.GetStateAsync(Thread(requestId), cancellationToken)).Values;
                _out.WriteLine($"{requestId}  {Describe(request),-24} {ExpensePolicy.Money(request.Amount),12}  {request.Reason}");
                count++;
            }
        }

        if (count == 0)
        {
            _out.WriteLine($"No requests in {_database}. Start one with: {RunCommand} start{DatabaseOption()}");
        }

        return 0;
    }

    private async Task ReportAsync(string requestId, CancellationToken cancellationToken)
    {
        var snapshot = await _app.GetStateAsync(Thread(requestId), cancellationToken);
        if (snapshot.Interrupts.Count == 0)
        {
            PrintRequest(requestId, snapshot.Values);
            return;
        }

        _out.WriteLine($"Waiting for a manager: {snapshot.Interrupts[0].Value}");
        _out.WriteLine("Decide in a later process with one of (add --comment \"...\" to say why):");
        _out.WriteLine($"  {RunCommand} resume {requestId} approve{DatabaseOption()}");
        _out.WriteLine($"  {RunCommand} resume {requestId} reject{DatabaseOption()}");
    }

    private void PrintRequest(string requestId, ExpenseState request)
    {
        _out.WriteLine($"Request {requestId}");
        _out.WriteLine($"  amount:     {ExpensePolicy.Money(request.Amount)}");
        _out.WriteLine($"  reason:     {request.Reason}");
        _out.WriteLine($"  category:   {request.Category}");
        _out.WriteLine($"  status:     {Describe(request)}");
        if (request.Comment.Length > 0)
        {
            _out.WriteLine($"  comment:    {request.Comment}");
        }

        if (request.Result.Length > 0)
        {
            _out.WriteLine($"  result:     {request.Result}");
        }

        _out.WriteLine("  history:");
        foreach (var line in request.History)
        {
            _out.WriteLine($"    - {line}");
        }
    }

    private async Task<StateSnapshot<ExpenseState>> ReadAsync(string requestId, CancellationToken cancellationToken)
    {
        // Opening a missing file would create an empty database; a typo in --db should be reported, not hidden.
        if (!File.Exists(_database))
        {
            throw new RequestException($"No request '{requestId}': the file '{_database}' does not exist. Check --db, or start a request first.");
        }

        try
        {
            return await _app.GetStateAsync(Thread(requestId), cancellationToken);
        }
        catch (CheckpointNotFoundException)
        {
            throw new RequestException($"No request '{requestId}' in {_database}. 'list' shows the requests there.");
        }
    }

    private static string Describe(ExpenseState request) => request.Status switch
    {
        ExpenseStatus.Approved or ExpenseStatus.Rejected => $"{request.Status.ToString().ToLowerInvariant()} by {request.DecidedBy}",
        ExpenseStatus.WaitingForManager => "waiting for a manager",
        _ => "drafted",
    };

    private string DatabaseOption() => _database == DefaultDatabase ? "" : $" --db {Quote(_database)}";

    private static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '&' or ';') ? $"\"{value.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : value;

    private static RunConfig Thread(string requestId) => new() { ThreadId = requestId };
}
