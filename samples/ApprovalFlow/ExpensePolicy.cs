using System.Globalization;

namespace ApprovalFlow;

/// <summary>What the policy concluded about a request.</summary>
/// <param name="Status">Approved or rejected on the spot, or waiting for a manager.</param>
/// <param name="Note">Why, for the request's history.</param>
public sealed record PolicyCheck(ExpenseStatus Status, string Note);

/// <summary>
/// The company's expense rules: each category has an amount approved without review; above it a manager decides, and
/// above what a manager may approve (<paramref name="managerLimit"/>) the request is refused.
/// </summary>
/// <param name="managerLimit">The most a manager may approve; larger purchases go through a purchase order.</param>
public sealed class ExpensePolicy(decimal managerLimit = 10_000m)
{
    private sealed record Category(string Name, decimal AutoApproved, string[] Words);

    private static readonly Category[] Categories =
    [
        new("travel", 500m, ["flight", "train", "hotel", "taxi", "travel", "mileage"]),
        new("meals", 150m, ["dinner", "lunch", "breakfast", "meal", "coffee"]),
        new("equipment", 300m, ["laptop", "monitor", "keyboard", "phone", "headset", "chair"]),
    ];

    private static readonly Category Other = new("other", 100m, []);

    /// <summary>The request's category, from the words of its reason ("other" when none fits).</summary>
    public string Categorize(string reason) =>
        (Categories.FirstOrDefault(c => c.Words.Any(w => reason.Contains(w, StringComparison.OrdinalIgnoreCase))) ?? Other).Name;

    /// <summary>Applies the rules to a drafted request.</summary>
    public PolicyCheck Check(ExpenseState request)
    {
        if (request.Reason.Length == 0)
        {
            return new(ExpenseStatus.Rejected, "policy: rejected, every expense needs a reason");
        }

        if (request.Amount > managerLimit)
        {
            return new(ExpenseStatus.Rejected,
                $"policy: rejected, {Money(request.Amount)} is over the {Money(managerLimit)} a manager may approve; raise a purchase order instead");
        }

        var limit = AutoApproved(request.Category);
        return request.Amount <= limit
            ? new(ExpenseStatus.Approved, $"policy: approved, {Money(request.Amount)} is within the {Money(limit)} approved without review for {request.Category}")
            : new(ExpenseStatus.WaitingForManager, $"policy: {Money(request.Amount)} is over the {Money(limit)} approved without review for {request.Category}, a manager decides");
    }

    /// <summary>The question a manager answers for a request the policy could not decide.</summary>
    public string Question(string? requestId, ExpenseState request) =>
        $"Request {requestId}: approve {Money(request.Amount)} for \"{request.Reason}\" ({request.Category})? " +
        $"It is over the {Money(AutoApproved(request.Category))} approved without review.";

    /// <summary>An amount as the company writes it, whatever the machine's culture: <c>1,200.00</c>.</summary>
    public static string Money(decimal amount) => amount.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static decimal AutoApproved(string category) => (Categories.FirstOrDefault(c => c.Name == category) ?? Other).AutoApproved;
}
