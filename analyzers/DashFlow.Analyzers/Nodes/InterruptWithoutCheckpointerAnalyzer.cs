using System.Collections.Immutable;
using DashFlow.Analyzers.Builder;
using DashFlow.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace DashFlow.Analyzers.Nodes;

/// <summary>
/// DFLOW0305: a graph with a node that calls <c>NodeContext.Interrupt</c> is compiled without a checkpointer, and no
/// run of it in the same member body gets one through <c>RunConfig.Checkpointer</c>. Judged per member body at the
/// compile site: the generated <c>Compile</c> of a <c>[Graph&lt;TState&gt;]</c> class, or the <c>Compile</c> of a
/// fluent builder whose calls are all visible there. Whenever the options, a run's config or the compiled graph come
/// from or go somewhere else, nothing is reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InterruptWithoutCheckpointerAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.InterruptWithoutCheckpointer];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownSymbols.Create(start.Compilation) is not { NodeContext: not null, CompiledGraph: not null, CompileOptions: not null, RunConfig: not null } symbols)
            {
                return;
            }

            var interrupting = new InterruptingNodes(symbols);
            start.RegisterOperationBlockStartAction(block =>
            {
                var compiles = new List<IInvocationOperation>();
                var builders = new List<IObjectCreationOperation>();
                block.RegisterOperationAction(
                    operation =>
                    {
                        if (operation.Operation is IInvocationOperation invocation && IsGraphClassCompile(invocation.TargetMethod, symbols))
                        {
                            lock (compiles)
                            {
                                compiles.Add(invocation);
                            }
                        }
                    },
                    OperationKind.Invocation);
                if (symbols.StateGraph is not null)
                {
                    block.RegisterOperationAction(
                        operation =>
                        {
                            if (operation.Operation is IObjectCreationOperation { Type: INamedTypeSymbol type } creation
                                && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, symbols.StateGraph))
                            {
                                lock (builders)
                                {
                                    builders.Add(creation);
                                }
                            }
                        },
                        OperationKind.ObjectCreation);
                }

                block.RegisterOperationBlockEndAction(end => Analyze(end, compiles, builders, symbols, interrupting));
            });
        });
    }

    private static void Analyze(
        OperationBlockAnalysisContext context,
        List<IInvocationOperation> compiles,
        List<IObjectCreationOperation> builders,
        KnownSymbols symbols,
        InterruptingNodes interrupting)
    {
        if (compiles.Count == 0 && builders.Count == 0)
        {
            return;
        }

        var supplies = new Dictionary<IOperation, CheckpointerSupply>();
        CheckpointerSupply SupplyFor(IOperation operation)
        {
            var root = operation;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            if (!supplies.TryGetValue(root, out var supply))
            {
                supplies.Add(root, supply = new CheckpointerSupply(symbols, new LocalValues(root)));
            }

            return supply;
        }

        foreach (var compile in compiles)
        {
            var graph = compile.TargetMethod.ContainingType;
            var nodes = interrupting.OfGraphClass(graph, context.CancellationToken);
            if (nodes.Length > 0)
            {
                Judge(context, compile, graph.Name, nodes, SupplyFor(compile));
            }
        }

        foreach (var creation in builders)
        {
            if (creation.Type is not INamedTypeSymbol { TypeArguments: [var state] } || BuilderCalls.Find(creation, symbols.StateGraph!) is not { } calls)
            {
                continue;
            }

            var nodes = interrupting.OfBuilder(calls);
            if (nodes.Count == 0)
            {
                continue;
            }

            var name = OperationValues.ConstantString(creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "name")?.Value) ?? state.Name + "Graph";
            foreach (var compile in calls.Where(c => c.TargetMethod.Name == "Compile"))
            {
                Judge(context, compile, name, nodes, SupplyFor(compile));
            }
        }
    }

    private static void Judge(
        OperationBlockAnalysisContext context, IInvocationOperation compile, string graph, IReadOnlyList<InterruptingNode> nodes, CheckpointerSupply supply)
    {
        if (supply.OfCompileOptions(compile) != Supply.None || supply.OfUses(compile) != Supply.None)
        {
            return;
        }

        var names = nodes.Select(n => $"'{n.Name}'").ToList();
        var who = names.Count == 1
            ? $"node {names[0]} calls"
            : $"nodes {string.Join(", ", names.Take(names.Count - 1))} and {names[names.Count - 1]} call";
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.InterruptWithoutCheckpointer,
            CallLocation(compile),
            nodes.Select(n => n.Call),
            $"Graph '{graph}' is compiled without a checkpointer and no run of it here gets one, but {who} Interrupt: the run fails there with a CheckpointerRequiredException. " +
            "Set one with Compile(new CompileOptions { Checkpointer = ... }) (InMemoryCheckpointer, SqliteCheckpointer) or RunConfig.Checkpointer, and run with a RunConfig.ThreadId."));
    }

    /// <summary>Whether a method is the generated <c>Compile(CompileOptions? options)</c> of a graph class.</summary>
    private static bool IsGraphClassCompile(IMethodSymbol method, KnownSymbols symbols) =>
        method is { Name: "Compile", IsStatic: false, Parameters: [var options] }
        && SymbolEqualityComparer.Default.Equals(options.Type, symbols.CompileOptions)
        && SymbolEqualityComparer.Default.Equals(method.ReturnType.OriginalDefinition, symbols.CompiledGraph)
        && KnownSymbols.Find(method.ContainingType, symbols.GraphAttribute) is not null;

    /// <summary><c>Compile(...)</c> without its receiver, which may be a long builder chain.</summary>
    private static Location CallLocation(IInvocationOperation call) =>
        call.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation
            ? Location.Create(invocation.SyntaxTree, TextSpan.FromBounds(access.Name.SpanStart, invocation.Span.End))
            : call.Syntax.GetLocation();
}
