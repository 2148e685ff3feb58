using DashFlow;

namespace ApprovalFlow;

/// <summary>
/// An expense request is drafted and checked against the policy. What the policy cannot decide waits for a manager: the
/// run stops at <see cref="AskManager"/> (its checkpoint is in the SQLite file) until another process resumes the thread
/// with the manager's <see cref="Decision"/>. Either way the request ends approved or rejected, with a result.
/// </summary>
[Graph<ExpenseState>]
public partial class ApprovalGraph(ExpensePolicy policy)
{
    [Node, Edge(From = Graph.Start), Edge(nameof(CheckPolicy))]
    private ExpenseState.Update Draft(ExpenseState request)
    {
        var reason = request.Reason.Trim();
        var category = policy.Categorize(reason);
        return new()
        {
            Reason = reason,
            Category = category,
            Status = ExpenseStatus.Drafted,
            History = [$"drafted: {ExpensePolicy.Money(request.Amount)} for \"{reason}\" ({category})"],
        };
    }

    [Node, Route(nameof(AfterPolicy))]
    private ExpenseState.Update CheckPolicy(ExpenseState request)
    {
        var check = policy.Check(request);
        return new()
        {
            Status = check.Status,
            DecidedBy = check.Status == ExpenseStatus.WaitingForManager ? "" : "policy",
            History = [check.Note],
        };
    }

    [Router(Targets = [nameof(AskManager), nameof(Approve), nameof(Reject)])]
    private Target AfterPolicy(ExpenseState request) => request.Status switch
    {
        ExpenseStatus.WaitingForManager => Target.AskManager,
        ExpenseStatus.Approved => Target.Approve,
        _ => Target.Reject,
    };

    // The first run stops inside Interrupt; the resumed run executes this node again from the top, and then Interrupt
    // returns the manager's answer. So nothing before the call may have effects that must not happen twice.
    [Node, Route(nameof(AfterDecision))]
    private ExpenseState.Update AskManager(ExpenseState request, NodeContext context)
    {
        var decision = context.Interrupt<Decision>(policy.Question(context.ThreadId, request));
        var verdict = decision.Approve ? "approved" : "rejected";
        return new()
        {
            Status = decision.Approve ? ExpenseStatus.Approved : ExpenseStatus.Rejected,
            DecidedBy = "manager",
            Comment = decision.Comment,
            History = [decision.Comment.Length == 0 ? $"manager: {verdict}" : $"manager: {verdict}, \"{decision.Comment}\""],
        };
    }

    [Router(Targets = [nameof(Approve), nameof(Reject)])]
    private Target AfterDecision(ExpenseState request) => request.Status == ExpenseStatus.Approved ? Target.Approve : Target.Reject;

    [Node, Edge(Graph.End)]
    private ExpenseState.Update Approve(ExpenseState request)
    {
        var result = $"Approved by {request.DecidedBy}: {ExpensePolicy.Money(request.Amount)} will be reimbursed with the next payroll.";
        return new() { Result = result, History = ["payout scheduled"] };
    }

    [Node, Edge(Graph.End)]
    private ExpenseState.Update Reject(ExpenseState request)
    {
        var result = $"Rejected by {request.DecidedBy}: {ExpensePolicy.Money(request.Amount)} will not be reimbursed.";
        return new() { Result = result, History = ["requester notified"] };
    }
}
