using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.Helpers;

/// <summary>
/// The DashFlow types the analyzers look for, resolved once per compilation. A compilation that does not reference
/// DashFlow has none of them, and the analyzers register nothing for it.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        GraphAttribute = compilation.GetTypeByMetadataName("DashFlow.GraphAttribute`1");
        GraphStateAttribute = compilation.GetTypeByMetadataName("DashFlow.GraphStateAttribute");
        NodeAttribute = compilation.GetTypeByMetadataName("DashFlow.NodeAttribute");
        EdgeAttribute = compilation.GetTypeByMetadataName("DashFlow.EdgeAttribute");
        JoinAttribute = compilation.GetTypeByMetadataName("DashFlow.JoinAttribute");
        RouteAttribute = compilation.GetTypeByMetadataName("DashFlow.RouteAttribute");
        RouterAttribute = compilation.GetTypeByMetadataName("DashFlow.RouterAttribute");
        RetryAttribute = compilation.GetTypeByMetadataName("DashFlow.RetryAttribute");
        ReducerAttribute = compilation.GetTypeByMetadataName("DashFlow.ReducerAttribute");
        StateGraph = compilation.GetTypeByMetadataName("DashFlow.StateGraph`1");
        Send = compilation.GetTypeByMetadataName("DashFlow.Send");
        Command = compilation.GetTypeByMetadataName("DashFlow.Command`1");
        NodeOptions = compilation.GetTypeByMetadataName("DashFlow.NodeOptions");
        NodeHandler = compilation.GetTypeByMetadataName("DashFlow.NodeHandler`1");
        NodeContext = compilation.GetTypeByMetadataName("DashFlow.NodeContext");
        CompiledGraph = compilation.GetTypeByMetadataName("DashFlow.CompiledGraph`1");
        CompileOptions = compilation.GetTypeByMetadataName("DashFlow.CompileOptions");
        RunConfig = compilation.GetTypeByMetadataName("DashFlow.RunConfig");
    }

    public INamedTypeSymbol? GraphAttribute { get; }

    public INamedTypeSymbol? GraphStateAttribute { get; }

    public INamedTypeSymbol? NodeAttribute { get; }

    public INamedTypeSymbol? EdgeAttribute { get; }

    public INamedTypeSymbol? JoinAttribute { get; }

    public INamedTypeSymbol? RouteAttribute { get; }

    public INamedTypeSymbol? RouterAttribute { get; }

    public INamedTypeSymbol? RetryAttribute { get; }

    public INamedTypeSymbol? ReducerAttribute { get; }

    public INamedTypeSymbol? StateGraph { get; }

    public INamedTypeSymbol? Send { get; }

    public INamedTypeSymbol? Command { get; }

    public INamedTypeSymbol? NodeOptions { get; }

    public INamedTypeSymbol? NodeHandler { get; }

    public INamedTypeSymbol? NodeContext { get; }

    public INamedTypeSymbol? CompiledGraph { get; }

    public INamedTypeSymbol? CompileOptions { get; }

    public INamedTypeSymbol? RunConfig { get; }

    /// <summary>The symbols of <paramref name="compilation"/>, or null when it does not reference DashFlow at all.</summary>
    public static KnownSymbols? Create(Compilation compilation)
    {
        var symbols = new KnownSymbols(compilation);
        return symbols.GraphAttribute is null && symbols.GraphStateAttribute is null && symbols.StateGraph is null ? null : symbols;
    }

    /// <summary>Whether <paramref name="attribute"/> is an application of <paramref name="type"/> (a generic one in any construction).</summary>
    public static bool Is(AttributeData attribute, INamedTypeSymbol? type) =>
        type is not null && attribute.AttributeClass is { } applied
        && SymbolEqualityComparer.Default.Equals(applied.OriginalDefinition, type);

    /// <summary>The first application of <paramref name="type"/> on <paramref name="symbol"/>, if any.</summary>
    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        foreach (var attribute in symbol.GetAttributes())
        {
            if (Is(attribute, type))
            {
                return attribute;
            }
        }

        return null;
    }
}
