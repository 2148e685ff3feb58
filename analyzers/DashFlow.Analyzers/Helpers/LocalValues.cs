using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DashFlow.Analyzers.Helpers;

/// <summary>
/// The locals of one member body, read once: where each is declared and every place it is referenced, so that a value
/// can be followed from a local back to the one expression it was initialized with, when nothing else ever writes it.
/// </summary>
internal sealed class LocalValues
{
    private readonly Dictionary<ILocalSymbol, List<ILocalReferenceOperation>> _references = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ILocalSymbol, IVariableDeclaratorOperation> _declarators = new(SymbolEqualityComparer.Default);

    /// <summary>Reads the locals under <paramref name="root"/> (a member body with its lambdas and local functions).</summary>
    public LocalValues(IOperation root)
    {
        foreach (var operation in root.DescendantsAndSelf())
        {
            switch (operation)
            {
                case ILocalReferenceOperation reference:
                    if (!_references.TryGetValue(reference.Local, out var list))
                    {
                        _references.Add(reference.Local, list = []);
                    }

                    list.Add(reference);
                    break;
                case IVariableDeclaratorOperation declarator when !_declarators.ContainsKey(declarator.Symbol):
                    _declarators.Add(declarator.Symbol, declarator);
                    break;
            }
        }
    }

    /// <summary>Every reference to <paramref name="local"/>, in the order they are written.</summary>
    public IReadOnlyList<ILocalReferenceOperation> References(ILocalSymbol local) =>
        _references.TryGetValue(local, out var list) ? list : [];

    /// <summary>
    /// The expression <paramref name="local"/> is initialized with, when that is the only value it ever holds: no
    /// assignment, <c>ref</c>/<c>out</c> argument or <c>ref</c> alias writes it later. Null otherwise, and for locals
    /// declared without a value (<c>foreach</c>, <c>out var</c>, patterns) or outside the body.
    /// </summary>
    public IOperation? InitialValue(ILocalSymbol local)
    {
        if (local.RefKind != RefKind.None
            || !_declarators.TryGetValue(local, out var declarator)
            || declarator.Initializer?.Value is not { } value
            || References(local).Any(IsWrite))
        {
            return null;
        }

        return value;
    }

    /// <summary>Whether <paramref name="reference"/> writes the local (or hands out a way to write it).</summary>
    public static bool IsWrite(ILocalReferenceOperation reference)
    {
        if (reference.IsDeclaration)
        {
            return true;
        }

        // (a, b) = ... writes through the tuple's elements.
        IOperation current = reference;
        while (current.Parent is ITupleOperation)
        {
            current = current.Parent;
        }

        return current.Parent switch
        {
            // Simple, compound, ??= and deconstruction assignments.
            IAssignmentOperation assignment => assignment.Target == current,
            IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
            IIncrementOrDecrementOperation or IAddressOfOperation => true,
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None } } => true,
            _ => false,
        };
    }
}
