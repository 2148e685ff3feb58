using DashFlow.Generators.State;
using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.State;

/// <summary>
/// Judges a state field's type: mutable collections (DFLOW0003, the declared type, its type arguments and array
/// elements) and types a checkpoint cannot store (DFLOW0004). DFLOW0004 asks the state generator which parts of the type
/// its formatter leaves to MessagePack's contractless resolver (codecs, collections, the members of the user's records
/// and classes taken into account) and reports the first of those parts that resolver cannot store either; what the
/// generator stores itself is never reported.
/// </summary>
internal static class FieldTypeRules
{
    private static readonly SymbolDisplayFormat s_display = SymbolDisplayFormat.MinimallyQualifiedFormat;

    /// <summary>The first mutable collection in <paramref name="type"/> and the immutable type to use instead.</summary>
    public static (ITypeSymbol Mutable, string Instead)? FindMutableCollection(ITypeSymbol type)
    {
        foreach (var part in Parts(type))
        {
            if (ImmutableInstead(part) is { } instead)
            {
                return (part, instead);
            }
        }

        return null;
    }

    /// <summary>
    /// The first part of <paramref name="property"/>'s type that a checkpoint cannot store, and why; the field's
    /// <c>[FieldCodec]</c> and every <c>[assembly: FieldCodec]</c> the compilation sees are taken into account.
    /// </summary>
    public static (ITypeSymbol Part, string Reason)? FindNotSerializable(IPropertySymbol property, Compilation compilation) =>
        Judge(GraphStateGenerator.FallbackParts(property, property.Type, CodecTable.For(compilation)));

    /// <summary>The first part of <paramref name="type"/> that a checkpoint cannot store, and why, as if no codec were registered.</summary>
    public static (ITypeSymbol Part, string Reason)? FindNotSerializable(ITypeSymbol type) =>
        Judge(GraphStateGenerator.FallbackParts(null, type, CodecTable.Empty));

    private static (ITypeSymbol Part, string Reason)? Judge(IReadOnlyList<FallbackPart> parts)
    {
        foreach (var part in parts)
        {
            if ((NotSerializableReason(part.Type) ?? FallbackReason(part)) is { } reason)
            {
                return (part.Type, reason);
            }
        }

        return null;
    }

    /// <summary>Why the contractless resolver cannot store a part the generator left to it; null when it can.</summary>
    private static string? FallbackReason(FallbackPart part) => part.Kind switch
    {
        FallbackKind.Interface when !IsCollectionInterface(part.Type) =>
            $"the interface '{part.Type.ToDisplayString(s_display)}' does not say which type to create when the checkpoint is read, so it",
        FallbackKind.Abstract =>
            $"the abstract class '{part.Type.ToDisplayString(s_display)}' does not say which type to create when the checkpoint is read, so it",
        FallbackKind.NoConstructor =>
            $"'{part.Type.ToDisplayString(s_display)}' has no public constructor whose parameters all match its public properties, and no public parameterless one, so it",
        FallbackKind.UnstorableMember =>
            $"'{part.Type.ToDisplayString(s_display)}' has a public member of a ref struct or pointer type, so it",
        _ when part.Type.TypeKind == TypeKind.Dynamic => "'dynamic' says nothing about what it holds, so it",
        _ => null,
    };

    /// <summary>The collection interfaces MessagePack creates a concrete collection for.</summary>
    private static bool IsCollectionInterface(ITypeSymbol type) =>
        type.ContainingNamespace?.ToDisplayString() is "System.Collections" or "System.Collections.Generic" or "System.Collections.Immutable" or "System.Linq"
        && type.Name is "IEnumerable" or "ICollection" or "IList" or "IDictionary" or "ISet" or "IReadOnlyCollection" or "IReadOnlyList"
            or "IReadOnlyDictionary" or "IReadOnlySet" or "ILookup" or "IGrouping" or "IImmutableList" or "IImmutableSet" or "IImmutableDictionary"
            or "IImmutableQueue" or "IImmutableStack";

    /// <summary>The type itself, then its array elements and type arguments, depth first.</summary>
    private static IEnumerable<ITypeSymbol> Parts(ITypeSymbol type)
    {
        var stack = new Stack<ITypeSymbol>();
        stack.Push(type);
        var seen = 0;
        while (stack.Count > 0 && seen++ < 64)
        {
            var current = stack.Pop();
            yield return current;
            switch (current)
            {
                case IArrayTypeSymbol array:
                    stack.Push(array.ElementType);
                    break;
                case INamedTypeSymbol { IsGenericType: true } named:
                    for (var i = named.TypeArguments.Length - 1; i >= 0; i--)
                    {
                        stack.Push(named.TypeArguments[i]);
                    }

                    break;
            }
        }
    }

    private static string? ImmutableInstead(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol array)
        {
            return array.Rank == 1 ? $"ImmutableArray<{array.ElementType.ToDisplayString(s_display)}>" : "an immutable collection";
        }

        if (type is not INamedTypeSymbol named || named.ContainingNamespace is null)
        {
            return null;
        }

        var ns = named.ContainingNamespace.ToDisplayString();
        var arguments = string.Join(", ", named.TypeArguments.Select(a => a.ToDisplayString(s_display)));
        string Generic(string name) => $"{name}<{arguments}>";
        return (ns, named.MetadataName) switch
        {
            ("System.Collections.Generic", "List`1" or "IList`1" or "ICollection`1" or "LinkedList`1") => Generic("ImmutableList"),
            ("System.Collections.Generic", "Dictionary`2" or "IDictionary`2") => Generic("ImmutableDictionary"),
            ("System.Collections.Generic", "SortedDictionary`2" or "SortedList`2") => Generic("ImmutableSortedDictionary"),
            ("System.Collections.Generic", "HashSet`1" or "ISet`1") => Generic("ImmutableHashSet"),
            ("System.Collections.Generic", "SortedSet`1") => Generic("ImmutableSortedSet"),
            ("System.Collections.Generic", "Queue`1") => Generic("ImmutableQueue"),
            ("System.Collections.Generic", "Stack`1") => Generic("ImmutableStack"),
            ("System.Collections.ObjectModel", "Collection`1" or "ObservableCollection`1") => Generic("ImmutableList"),
            ("System.Collections.Concurrent", "ConcurrentDictionary`2") => Generic("ImmutableDictionary"),
            ("System.Collections.Concurrent", "ConcurrentBag`1" or "ConcurrentQueue`1" or "BlockingCollection`1") => Generic("ImmutableList"),
            ("System.Collections.Concurrent", "ConcurrentStack`1") => Generic("ImmutableStack"),
            ("System.Collections", "ArrayList" or "Hashtable" or "Queue" or "Stack" or "SortedList" or "BitArray") => "an immutable generic collection",
            ("System.Text", "StringBuilder") => "string",
            _ => null,
        };
    }

    private static string? NotSerializableReason(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Delegate)
        {
            return "a delegate is code, not data, and";
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Object:
                return "'object' says nothing about what it holds, so it";
            case SpecialType.System_IntPtr or SpecialType.System_UIntPtr:
                return "a native handle or pointer-sized value is only valid in the process that made it and";
            case SpecialType.System_Delegate or SpecialType.System_MulticastDelegate:
                return "a delegate is code, not data, and";
        }

        if (type is not INamedTypeSymbol named || named.ContainingNamespace is null)
        {
            return null;
        }

        var ns = named.ContainingNamespace.ToDisplayString();
        switch (ns, named.MetadataName)
        {
            case ("System.Threading.Tasks", "Task" or "Task`1" or "ValueTask" or "ValueTask`1"):
                return "a task is work in progress, not a value, and";
            case ("System", "Type"):
                return "a Type is reflection metadata and";
            case ("System", "Lazy`1" or "WeakReference" or "WeakReference`1"):
                return $"a {named.Name} refers to a value instead of holding it and";
            case ("System.Collections.Generic", "IAsyncEnumerable`1" or "IEnumerator`1" or "IAsyncEnumerator`1"):
                return "a lazy sequence is code that produces values, not the values, and";
        }

        if (ns == "System.Reflection" || ns.StartsWith("System.Reflection.", StringComparison.Ordinal))
        {
            return "reflection metadata belongs to the running process and";
        }

        if (ns is "System.Threading" or "System.Threading.Channels")
        {
            return $"a {named.Name} belongs to the running process and";
        }

        for (var t = named; t is not null; t = t.BaseType)
        {
            if (t is { Name: "Stream", ContainingNamespace: { } streamNamespace } && streamNamespace.ToDisplayString() == "System.IO")
            {
                return "a stream is a connection to data, not the data, and";
            }
        }

        return null;
    }
}
