using System.Collections.Immutable;
using DashFlow;
using static DashFlow.Reduce;

namespace ApprovalFlow;

/// <summary>Where an expense request stands.</summary>
public enum ExpenseStatus
{
    /// <summary>Written down, not checked yet.</summary>
    Drafted,

    /// <summary>Over the amount the policy approves on its own: a manager decides.</summary>
    WaitingForManager,

    /// <summary>Approved, by the policy or by a manager.</summary>
    Approved,

    /// <summary>Rejected, by the policy or by a manager.</summary>
    Rejected,
}

/// <summary>A manager's answer to the approval question.</summary>
/// <param name="Approve">Whether the expense is approved.</param>
/// <param name="Comment">Why, in the manager's words; empty when none was given.</param>
public sealed record Decision(bool Approve, string Comment);

/// <summary>One expense request as it moves through the approval workflow; every field is stored in the checkpoint.</summary>
[GraphState]
public partial record ExpenseState
{
    public decimal Amount { get; init; }

    public string Reason { get; init; } = "";

    public string Category { get; init; } = "";

    public ExpenseStatus Status { get; init; }

    /// <summary>"policy" or "manager".</summary>
    public string DecidedBy { get; init; } = "";

    public string Comment { get; init; } = "";

    /// <summary>What happened, in order: every step appends its line.</summary>
    [Reducer(Append)] public ImmutableList<string> History { get; init; } = [];

    public string Result { get; init; } = "";
}
