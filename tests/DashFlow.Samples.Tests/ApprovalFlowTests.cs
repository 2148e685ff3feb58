using System.Text.RegularExpressions;

namespace DashFlow.Samples.Tests;

/// <summary>
/// samples/ApprovalFlow end to end: every command is a separate process on a real SQLite file, so a resume sees only what
/// the starting process stored.
/// </summary>
public sealed partial class ApprovalFlowTests : IDisposable
{
    private const string OverLimitReason = "Train tickets and hotel for the Berlin customer workshop";

    private static readonly SampleProgram Sample = SampleProgram.Find("ApprovalFlow");

    private readonly string _dir = Directory.CreateTempSubdirectory("dashflow-approvals-").FullName;

    private string Db => Path.Combine(_dir, "requests.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_request_over_the_limit_waits_for_a_manager_and_a_second_process_approves_it()
    {
        var started = await RunAsync("start", "--amount", "1200", "--reason", OverLimitReason, "--db", Db);

        Assert.True(started.ExitCode == 0, started.ToString());
        var id = RequestId(started);
        Assert.Contains($"Waiting for a manager: Request {id}: approve 1,200.00 for \"{OverLimitReason}\" (travel)? It is over the 500.00 approved without review.", started.Output, StringComparison.Ordinal);
        Assert.Contains($"dotnet run --project samples/ApprovalFlow -- resume {id} approve --db {Db}", started.Output, StringComparison.Ordinal);
        Assert.Contains($"dotnet run --project samples/ApprovalFlow -- resume {id} reject --db {Db}", started.Output, StringComparison.Ordinal);

        var waiting = await RunAsync("status", id, "--db", Db);
        Assert.True(waiting.ExitCode == 0, waiting.ToString());
        Assert.Contains("status:     waiting for a manager", waiting.Output, StringComparison.Ordinal);
        Assert.Contains("next:       AskManager", waiting.Output, StringComparison.Ordinal);
        Assert.Contains($"waiting:    Request {id}: approve 1,200.00", waiting.Output, StringComparison.Ordinal);

        var resumed = await RunAsync("resume", id, "approve", "--comment", "Booked early, fine", "--db", Db);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal("", resumed.Error);
        Assert.Contains("status:     approved by manager", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("comment:    Booked early, fine", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("result:     Approved by manager: 1,200.00 will be reimbursed with the next payroll.", resumed.Output, StringComparison.Ordinal);

        // The stored state, read by a third process: the steps before the question ran once, in the first process.
        var final = await RunAsync("status", id, "--db", Db);
        Assert.True(final.ExitCode == 0, final.ToString());
        Assert.Contains("next:       nothing, the request is finished", final.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("waiting:", final.Output, StringComparison.Ordinal);
        Assert.Equal(
            [
                $"drafted: 1,200.00 for \"{OverLimitReason}\" (travel)",
                "policy: 1,200.00 is over the 500.00 approved without review for travel, a manager decides",
                "manager: approved, \"Booked early, fine\"",
                "payout scheduled",
            ],
            History(final));
    }

    [Fact]
    public async Task A_manager_rejects_with_a_comment_and_the_requester_is_notified()
    {
        var id = RequestId(await RunAsync("start", "--amount", "2400.50", "--reason", "New laptop for the design team", "--db", Db));

        var resumed = await RunAsync("resume", id, "reject", "--comment", "Use the pool laptop", "--db", Db);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("category:   equipment", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("status:     rejected by manager", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("result:     Rejected by manager: 2,400.50 will not be reimbursed.", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(["manager: rejected, \"Use the pool laptop\"", "requester notified"], History(resumed)[^2..]);
    }

    [Fact]
    public async Task A_request_within_the_limit_is_approved_by_the_policy_and_is_not_waiting_for_a_decision()
    {
        var started = await RunAsync("start", "--amount", "40", "--reason", "Coffee with a candidate", "--db", Db);

        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Contains("status:     approved by policy", started.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("resume", started.Output, StringComparison.Ordinal);
        var id = RequestId(started);

        var resumed = await RunAsync("resume", id, "approve", "--db", Db);

        AssertOneLineError(resumed, $"'{id}'", "not waiting for a decision", "approved by policy");
    }

    [Fact]
    public async Task A_request_over_what_a_manager_may_approve_is_rejected_without_asking()
    {
        var started = await RunAsync("start", "--amount", "25000", "--reason", "Flight to the conference", "--db", Db);

        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Contains("status:     rejected by policy", started.Output, StringComparison.Ordinal);
        Assert.Contains("raise a purchase order instead", started.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Waiting for a manager", started.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_is_not_approve_or_reject_is_refused_and_the_request_still_waits()
    {
        var id = RequestId(await RunAsync("start", "--db", Db));

        var refused = await RunAsync("resume", id, "maybe", "--db", Db);

        AssertOneLineError(refused, "'maybe'", "approve or reject");
        var status = await RunAsync("status", id, "--db", Db);
        Assert.Contains("status:     waiting for a manager", status.Output, StringComparison.Ordinal);
        var approved = await RunAsync("resume", id, "APPROVE", "--db", Db);
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Contains("status:     approved by manager", approved.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_answer_is_refused_and_the_first_one_stands()
    {
        var id = RequestId(await RunAsync("start", "--db", Db));
        var first = await RunAsync("resume", id, "reject", "--db", Db);
        Assert.True(first.ExitCode == 0, first.ToString());

        var second = await RunAsync("resume", id, "approve", "--db", Db);

        AssertOneLineError(second, $"'{id}'", "not waiting for a decision", "rejected by manager");
        Assert.Contains("status:     rejected by manager", (await RunAsync("status", id, "--db", Db)).Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("resume")]
    public async Task An_unknown_request_is_named_in_a_one_line_error(string command)
    {
        Assert.Equal(0, (await RunAsync("start", "--db", Db)).ExitCode);
        string[] args = command == "resume" ? ["resume", "expense-nope", "approve", "--db", Db] : ["status", "expense-nope", "--db", Db];

        AssertOneLineError(await RunAsync(args), "'expense-nope'", "list");
    }

    [Fact]
    public async Task A_database_file_that_does_not_exist_is_reported_and_not_created()
    {
        var missing = Path.Combine(_dir, "typo.db");

        AssertOneLineError(await RunAsync("status", "expense-1", "--db", missing), "'expense-1'", $"'{missing}' does not exist");

        Assert.False(File.Exists(missing));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("89,90")]
    public async Task An_amount_that_is_not_a_positive_number_is_named_in_a_one_line_error(string amount)
    {
        AssertOneLineError(await RunAsync("start", "--amount", amount, "--db", Db), $"--amount '{amount}'");

        Assert.False(File.Exists(Db));
    }

    [Fact]
    public async Task Without_db_the_requests_go_to_approvals_db_in_the_current_directory_and_list_shows_them()
    {
        var waiting = await RunAsync("start");
        var approved = await RunAsync("start", "--amount", "89.90", "--reason", "Team lunch");

        Assert.True(File.Exists(Path.Combine(_dir, "approvals.db")));
        Assert.Contains($"resume {RequestId(waiting)} approve\n", waiting.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var list = await RunAsync("list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var lines = list.Output.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.StartsWith(RequestId(waiting), StringComparison.Ordinal) && l.Contains("waiting for a manager", StringComparison.Ordinal) && l.Contains("1,200.00", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(RequestId(approved), StringComparison.Ordinal) && l.Contains("approved by policy", StringComparison.Ordinal) && l.Contains("89.90", StringComparison.Ordinal));
    }

    private Task<SampleResult> RunAsync(params string[] args) => Sample.RunAsync(_dir, args);

    private static string RequestId(SampleResult started)
    {
        Assert.True(started.ExitCode == 0, started.ToString());
        var match = StartedLine().Match(started.Output);
        Assert.True(match.Success, started.ToString());
        return match.Groups[1].Value;
    }

    private static string[] History(SampleResult result) =>
        [.. result.Output.ReplaceLineEndings("\n").Split('\n').SkipWhile(l => l != "  history:").Skip(1)
            .TakeWhile(l => l.StartsWith("    - ", StringComparison.Ordinal)).Select(l => l["    - ".Length..])];

    private static void AssertOneLineError(SampleResult result, params string[] expected)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Equal("", result.Output);
        var error = result.Error.TrimEnd();
        Assert.DoesNotContain('\n', error);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        foreach (var part in expected)
        {
            Assert.Contains(part, error, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^Started (expense-[0-9a-f]{8}) in ", RegexOptions.Multiline)]
    private static partial Regex StartedLine();
}
