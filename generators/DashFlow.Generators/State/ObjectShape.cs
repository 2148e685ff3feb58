using Microsoft.CodeAnalysis;

namespace DashFlow.Generators.State;

/// <summary>
/// What an emitted formatter needs of a user's record, class or struct: the members it stores (public, readable, and
/// either a constructor argument or settable; what MessagePack's contractless resolver stores too), the constructor
/// that creates it, and how the other stored members are set.
/// </summary>
internal sealed class ObjectShape
{
    private ObjectShape(List<ObjectShapeMember> members, List<int> constructorArguments, ObjectCreation creation)
    {
        Members = members;
        ConstructorArguments = constructorArguments;
        Creation = creation;
    }

    /// <summary>The stored members: base type members first, each in declaration order.</summary>
    public List<ObjectShapeMember> Members { get; }

    /// <summary>The indexes (into <see cref="Members"/>) of the constructor's arguments, in order.</summary>
    public List<int> ConstructorArguments { get; }

    /// <summary>How the stored members that are not constructor arguments are set.</summary>
    public ObjectCreation Creation { get; }

    /// <summary>The shape of <paramref name="type"/>, or null and why the generator leaves it to the contractless resolver.</summary>
    public static (ObjectShape? Shape, FallbackKind Kind) Read(INamedTypeSymbol type)
    {
        switch (type)
        {
            case { TypeKind: TypeKind.Interface }:
                return (null, FallbackKind.Interface);
            case { TypeKind: not (TypeKind.Class or TypeKind.Struct) }:
            case { IsStatic: true } or { IsRefLikeType: true } or { IsTupleType: true } or { IsAnonymousType: true } or { IsUnboundGenericType: true }:
                return (null, FallbackKind.NotSupported);
            case { SpecialType: not SpecialType.None }:
                return (null, FallbackKind.NotSupported);
        }

        // Framework and library types are left to MessagePack's own formatters (Tuple, Complex, ...), which wrote
        // them before; so are types that declare a MessagePack or data contract.
        if (IsFrameworkNamespace(type.ContainingNamespace) || HasOwnContract(type))
        {
            return (null, HasOwnContract(type) ? FallbackKind.OwnContract : FallbackKind.NotSupported);
        }

        if (type.IsAbstract)
        {
            return (null, FallbackKind.Abstract);
        }

        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsFileLocal)
            {
                return (null, FallbackKind.NotSupported);
            }
        }

        var readable = ReadableMembers(type);
        if (readable.Any(m => ContainsError(m.Type)))
        {
            // The compiler reports the unknown type; a formatter naming it would only add errors of its own.
            return (null, FallbackKind.NotSupported);
        }

        if (readable.Any(m => !CanHold(m.Type)))
        {
            return (null, FallbackKind.UnstorableMember);
        }

        var constructor = ChooseConstructor(type, readable, out var bound);
        if (constructor is null)
        {
            return (null, FallbackKind.NoConstructor);
        }

        var setsRequired = constructor.GetAttributes().Any(a =>
            a.AttributeClass is { Name: "SetsRequiredMembersAttribute" } attribute
            && attribute.ContainingNamespace?.ToDisplayString() == "System.Diagnostics.CodeAnalysis");
        var requiredUnset = !setsRequired && readable.Any(m => IsRequired(m.Symbol));

        var members = new List<ObjectShapeMember>();
        var indexOf = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
        foreach (var (symbol, memberType) in readable)
        {
            var isArgument = bound.Contains(symbol, SymbolEqualityComparer.Default);
            var setAfter = (!isArgument && IsSettable(symbol)) || (requiredUnset && IsRequired(symbol));
            if (isArgument || setAfter)
            {
                indexOf[symbol] = members.Count;
                members.Add(new ObjectShapeMember(symbol, memberType, setAfter));
            }
        }

        var creation = !members.Any(m => m.IsSetAfter) ? ObjectCreation.Constructor
            : requiredUnset ? ObjectCreation.InitializeAll
            : members.Where(m => m.IsSetAfter).All(m => IsAssignable(m.Symbol)) ? ObjectCreation.AssignStored
            : ObjectCreation.InitializeFromDefaults;
        return (new ObjectShape(members, [.. bound.Select(b => indexOf[b])], creation), default);
    }

    /// <summary>Public instance properties with a public getter and public instance fields, base types first, skipping
    /// members hidden by a derived type's member of the same name and members MessagePack is told to ignore.</summary>
    private static List<(ISymbol Symbol, ITypeSymbol Type)> ReadableMembers(INamedTypeSymbol type)
    {
        var levels = new List<List<(ISymbol, ITypeSymbol)>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            var level = new List<(ISymbol, ITypeSymbol)>();
            foreach (var member in t.GetMembers())
            {
                ITypeSymbol? memberType = member switch
                {
                    IPropertySymbol { DeclaredAccessibility: Accessibility.Public, IsStatic: false, IsIndexer: false, GetMethod.DeclaredAccessibility: Accessibility.Public } p => p.Type,
                    IFieldSymbol { DeclaredAccessibility: Accessibility.Public, IsStatic: false, IsConst: false } f => f.Type,
                    _ => null,
                };
                if (memberType is not null && seen.Add(member.Name) && !IsIgnored(member))
                {
                    level.Add((member, memberType));
                }
            }

            levels.Add(level);
        }

        levels.Reverse();
        return [.. levels.SelectMany(l => l)];
    }

    /// <summary>
    /// The public constructor with the most parameters, all of which match a readable member (name ignoring case, same
    /// type); a parameterless one matches trivially. <paramref name="bound"/> gets the members of its parameters.
    /// </summary>
    private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<(ISymbol Symbol, ITypeSymbol Type)> readable, out List<ISymbol> bound)
    {
        IMethodSymbol? best = null;
        bound = [];
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility != Accessibility.Public || (best is not null && constructor.Parameters.Length <= best.Parameters.Length))
            {
                continue;
            }

            var members = new List<ISymbol>();
            foreach (var parameter in constructor.Parameters)
            {
                var match = readable.FirstOrDefault(m =>
                    string.Equals(m.Symbol.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(m.Type, parameter.Type));
                if (parameter.RefKind is not (RefKind.None or RefKind.In) || match.Symbol is null || members.Contains(match.Symbol, SymbolEqualityComparer.Default))
                {
                    members = null;
                    break;
                }

                members.Add(match.Symbol);
            }

            if (members is not null)
            {
                best = constructor;
                bound = members;
            }
        }

        return best;
    }

    private static bool IsSettable(ISymbol member) => member switch
    {
        IPropertySymbol property => property.SetMethod is { DeclaredAccessibility: Accessibility.Public },
        IFieldSymbol field => !field.IsReadOnly,
        _ => false,
    };

    /// <summary>Whether the member can be assigned after construction (a setter that is not init-only, or a writable field).</summary>
    private static bool IsAssignable(ISymbol member) => member switch
    {
        IPropertySymbol property => property.SetMethod is { DeclaredAccessibility: Accessibility.Public, IsInitOnly: false } && !property.IsRequired,
        IFieldSymbol field => !field.IsReadOnly && !field.IsRequired,
        _ => false,
    };

    private static bool IsRequired(ISymbol member) => member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true };

    /// <summary>Whether a member of this type can be held in an object at all (not a pointer or ref struct).</summary>
    private static bool CanHold(ITypeSymbol type) =>
        type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer) && !type.IsRefLikeType;

    private static bool ContainsError(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsError),
        IArrayTypeSymbol array => ContainsError(array.ElementType),
        _ => false,
    };

    private static bool IsIgnored(ISymbol member) => member.GetAttributes().Any(a =>
        a.AttributeClass is { Name: "IgnoreMemberAttribute" or "IgnoreDataMemberAttribute" or "NonSerializedAttribute" });

    private static bool HasOwnContract(INamedTypeSymbol type) => type.GetAttributes().Any(a =>
        a.AttributeClass is { Name: "MessagePackObjectAttribute" or "MessagePackFormatterAttribute" or "UnionAttribute" or "DataContractAttribute" });

    /// <summary>Whether the namespace is <c>System</c>, <c>Microsoft</c>, <c>MessagePack</c> or one of theirs.</summary>
    private static bool IsFrameworkNamespace(INamespaceSymbol? ns)
    {
        var outermost = ns;
        while (outermost is { ContainingNamespace.IsGlobalNamespace: false })
        {
            outermost = outermost.ContainingNamespace;
        }

        return outermost is { IsGlobalNamespace: false, Name: "System" or "Microsoft" or "MessagePack" };
    }
}

/// <summary>A stored member of an <see cref="ObjectShape"/>.</summary>
/// <param name="Symbol">The property or field.</param>
/// <param name="Type">Its type.</param>
/// <param name="IsSetAfter">Whether it is set after the constructor runs.</param>
internal sealed record ObjectShapeMember(ISymbol Symbol, ITypeSymbol Type, bool IsSetAfter);
