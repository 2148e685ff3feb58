using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace DashFlow.Generators.State;

/// <summary>
/// The <c>[assembly: FieldCodec(typeof(T), typeof(TCodec))]</c> registrations a compilation sees: its own and those of
/// every assembly it references. Built once per compilation; a referenced assembly's registrations are read once per
/// assembly symbol, which the compiler reuses from one compilation to the next while the references do not change, so
/// an edit costs a lookup per reference.
/// </summary>
internal sealed class CodecTable
{
    private const string AttributeNamespace = "DashFlow.Persistence";
    private const string AttributeName = "FieldCodecAttribute";
    private const string DashFlowAssembly = "DashFlow";

    private static readonly ConditionalWeakTable<Compilation, CodecTable> s_byCompilation = new();
    private static readonly ConditionalWeakTable<IAssemblySymbol, Registrations> s_byAssembly = new();

    private readonly Dictionary<string, string> _codecs;

    private CodecTable(Dictionary<string, string> codecs) => _codecs = codecs;

    /// <summary>A table without registrations.</summary>
    public static CodecTable Empty { get; } = new([]);

    /// <summary>The registrations <paramref name="compilation"/> sees.</summary>
    public static CodecTable For(Compilation compilation) => s_byCompilation.GetValue(compilation, Build);

    /// <summary>The codec registered for <paramref name="type"/> (<c>global::</c>-qualified), or null.</summary>
    public string? CodecFor(ITypeSymbol type) =>
        _codecs.Count > 0 && _codecs.TryGetValue(Key(type), out var codec) ? codec : null;

    /// <summary>
    /// The codec type named by a <c>[FieldCodec(typeof(TCodec))]</c> on <paramref name="member"/>; null when the member has
    /// no such attribute, or when the type named does not exist (the compiler reports that).
    /// </summary>
    public static ITypeSymbol? MemberCodec(ISymbol member)
    {
        foreach (var attribute in member.GetAttributes())
        {
            if (IsFieldCodecAttribute(attribute.AttributeClass)
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is ITypeSymbol codec)
            {
                return codec.TypeKind == TypeKind.Error ? null : codec;
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="codec"/> cannot store <paramref name="type"/> in formatters generated inside
    /// <paramref name="within"/> (the state type), worded to follow the codec's name; null when it can. The codec is never
    /// instantiated (its members are static), so neither a constructor nor <c>abstract</c> matters.
    /// </summary>
    public static string? Problem(ITypeSymbol codec, ITypeSymbol type, INamedTypeSymbol? within)
    {
        var wanted = $"IFieldCodec<{type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}>";
        switch (codec)
        {
            case INamedTypeSymbol { IsUnboundGenericType: true }:
                return "is an open generic type";
            case { TypeKind: TypeKind.Interface }:
                return "is an interface";
            case { TypeKind: not (TypeKind.Class or TypeKind.Struct) }:
                return "is not a class or struct";
        }

        var implemented = codec.AllInterfaces.Where(IsFieldCodecInterface).ToList();
        if (!implemented.Any(i => SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type)))
        {
            return implemented.Count == 0
                ? $"does not implement {wanted}"
                : $"implements {string.Join(" and ", implemented.Select(i => i.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)))}, not {wanted}";
        }

        return within is null || IsAccessibleFrom(codec, within)
            ? null
            : $"is not accessible from '{within.Name}', where the generated formatters are";
    }

    /// <summary>Whether <paramref name="codec"/> is a closed class or struct implementing <c>IFieldCodec&lt;T&gt;</c> for <paramref name="type"/>.</summary>
    public static bool Implements(ITypeSymbol codec, ITypeSymbol type) => Problem(codec, type, within: null) is null;

    /// <summary>
    /// Whether code inside <paramref name="within"/> (a type, or an assembly for code at its top level) can name
    /// <paramref name="type"/>: the type, the types it is nested in and its type arguments.
    /// </summary>
    internal static bool IsAccessibleFrom(ITypeSymbol type, ISymbol within)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsAccessibleFrom(array.ElementType, within);
            case INamedTypeSymbol named when named.TypeArguments.Any(a => !IsAccessibleFrom(a, within)):
                return false;
        }

        var assembly = within as IAssemblySymbol ?? within.ContainingAssembly;
        var withinType = within as INamedTypeSymbol;
        for (var t = type as INamedTypeSymbol; t is not null; t = t.ContainingType)
        {
            var internals = SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, assembly) || t.ContainingAssembly?.GivesAccessTo(assembly) == true;
            bool Inside(bool orDerived) => withinType is not null && t.ContainingType is { } outer && IsInside(withinType, outer, orDerived);
            var accessible = t.DeclaredAccessibility switch
            {
                Accessibility.Internal => internals,
                Accessibility.Private => Inside(orDerived: false),
                Accessibility.Protected => Inside(orDerived: true),
                Accessibility.ProtectedOrInternal => internals || Inside(orDerived: true),
                Accessibility.ProtectedAndInternal => internals && Inside(orDerived: true),
                _ => true,
            };
            if (!accessible)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="within"/> is <paramref name="outer"/> or nested in it (or, with <paramref name="orDerived"/>, derives from it).</summary>
    private static bool IsInside(INamedTypeSymbol within, INamedTypeSymbol outer, bool orDerived)
    {
        for (var t = within; t is not null; t = t.ContainingType)
        {
            for (var b = t; b is not null; b = orDerived ? b.BaseType : null)
            {
                if (SymbolEqualityComparer.Default.Equals(b.OriginalDefinition, outer.OriginalDefinition))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsFieldCodecInterface(INamedTypeSymbol type) =>
        type is { Name: "IFieldCodec", TypeArguments.Length: 1 } && type.ContainingNamespace?.ToDisplayString() == AttributeNamespace;

    /// <summary>The table key of a type: its <c>global::</c>-qualified name without nullable reference annotations.</summary>
    private static string Key(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static CodecTable Build(Compilation compilation)
    {
        var codecs = new Dictionary<string, string>(StringComparer.Ordinal);

        // The compilation's own registrations win over those of its references. A codec the compilation cannot name (a
        // private nested class, another assembly's internal class) is left out: generated code could not call it.
        foreach (var (type, codec, symbol) in Read(compilation.Assembly))
        {
            if (IsAccessibleFrom(symbol, compilation.Assembly))
            {
                codecs[type] = codec;
            }
        }

        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            foreach (var (type, codec, symbol) in s_byAssembly.GetValue(assembly, static a => new Registrations(Read(a))).Items)
            {
                if (!codecs.ContainsKey(type) && IsAccessibleFrom(symbol, compilation.Assembly))
                {
                    codecs[type] = codec;
                }
            }
        }

        return codecs.Count == 0 ? Empty : new CodecTable(codecs);
    }

    private static List<(string Type, string Codec, ITypeSymbol Symbol)> Read(IAssemblySymbol assembly)
    {
        var found = new List<(string Type, string Codec, ITypeSymbol Symbol)>();

        // Only DashFlow and assemblies that reference it can carry the attribute; the framework's are not decoded.
        if (assembly.Name != DashFlowAssembly && !assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == DashFlowAssembly)))
        {
            return found;
        }

        foreach (var attribute in assembly.GetAttributes())
        {
            if (IsFieldCodecAttribute(attribute.AttributeClass)
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[0].Value is ITypeSymbol type
                && attribute.ConstructorArguments[1].Value is ITypeSymbol codec
                && Implements(codec, type))
            {
                found.Add((Key(type), codec.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), codec));
            }
        }

        return found;
    }

    private static bool IsFieldCodecAttribute(INamedTypeSymbol? type) =>
        type is { Name: AttributeName } && type.ContainingNamespace?.ToDisplayString() == AttributeNamespace;

    /// <summary>One assembly's registrations, boxed for the weak table.</summary>
    private sealed class Registrations(List<(string Type, string Codec, ITypeSymbol Symbol)> items)
    {
        public List<(string Type, string Codec, ITypeSymbol Symbol)> Items { get; } = items;
    }
}
