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
    /// The codec type named by a <c>[FieldCodec(typeof(TCodec))]</c> on <paramref name="member"/>, with whether it implements
    /// <c>IFieldCodec&lt;T&gt;</c> for <paramref name="type"/>; null when the member has no such attribute.
    /// </summary>
    public static (ITypeSymbol Codec, bool Fits)? MemberCodec(ISymbol member, ITypeSymbol type)
    {
        foreach (var attribute in member.GetAttributes())
        {
            if (IsFieldCodecAttribute(attribute.AttributeClass)
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is ITypeSymbol codec)
            {
                return (codec, Implements(codec, type));
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="codec"/> is a closed class or struct implementing <c>IFieldCodec&lt;T&gt;</c> for <paramref name="type"/>.</summary>
    public static bool Implements(ITypeSymbol codec, ITypeSymbol type) =>
        codec is INamedTypeSymbol { IsUnboundGenericType: false, TypeKind: TypeKind.Class or TypeKind.Struct, IsAbstract: false }
        && codec.AllInterfaces.Any(i =>
            i is { Name: "IFieldCodec", TypeArguments.Length: 1 }
            && i.ContainingNamespace?.ToDisplayString() == AttributeNamespace
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));

    /// <summary>The table key of a type: its <c>global::</c>-qualified name without nullable reference annotations.</summary>
    private static string Key(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static CodecTable Build(Compilation compilation)
    {
        var codecs = new Dictionary<string, string>(StringComparer.Ordinal);

        // The compilation's own registrations win over those of its references.
        foreach (var (type, codec) in Read(compilation.Assembly))
        {
            codecs[type] = codec;
        }

        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            foreach (var (type, codec) in s_byAssembly.GetValue(assembly, static a => new Registrations(Read(a))).Items)
            {
                if (!codecs.ContainsKey(type))
                {
                    codecs[type] = codec;
                }
            }
        }

        return codecs.Count == 0 ? Empty : new CodecTable(codecs);
    }

    private static List<(string Type, string Codec)> Read(IAssemblySymbol assembly)
    {
        var found = new List<(string Type, string Codec)>();

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
                found.Add((Key(type), codec.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
            }
        }

        return found;
    }

    private static bool IsFieldCodecAttribute(INamedTypeSymbol? type) =>
        type is { Name: AttributeName } && type.ContainingNamespace?.ToDisplayString() == AttributeNamespace;

    /// <summary>One assembly's registrations, boxed for the weak table.</summary>
    private sealed class Registrations(List<(string Type, string Codec)> items)
    {
        public List<(string Type, string Codec)> Items { get; } = items;
    }
}
