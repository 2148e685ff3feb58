using DashFlow.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DashFlow.Generators.State;

public sealed partial class GraphStateGenerator
{
    private const string GeneratorName = "DashFlow.Generators";

    /// <summary>Names the generated <c>Update</c> class declares or inherits; a field cannot take one of them.</summary>
    private static readonly HashSet<string> UpdateMemberNames =
    [
        "IsEmpty", "TryGetField", "SetField", "ToString", "Equals", "GetHashCode", "GetType", "MemberwiseClone", "Finalize",
        "ReferenceEquals",
    ];

    /// <summary>The types that may declare <c>AddMessages(current, write)</c>: the runtime's own, then DashFlow.AI's.</summary>
    private static readonly string[] AddMessagesTypes = ["DashFlow.Internals.StateWrites", "DashFlow.AI.MessageReducers"];

    private static readonly SymbolDisplayFormat TypeFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    // typeof(string?) does not compile, so typeof gets the type without nullable reference annotations.
    private static readonly SymbolDisplayFormat TypeOfFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private static readonly SymbolDisplayFormat MessageFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

    private static readonly SymbolDisplayFormat NamespaceFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    private static readonly SymbolDisplayFormat HintNameFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces);

    /// <summary>
    /// Reads a <c>[GraphState]</c> type into the model the emitter needs, and lists the mistakes in its declaration.
    /// The model is null when nothing can be generated (the type is not partial, generic, ...); when only a field's
    /// reducer is wrong, the model is still built and that field's merge fails at run time, so that the user sees the
    /// analyzers' one diagnostic instead of a cascade of compiler errors.
    /// </summary>
    /// <param name="type">The type carrying <c>[GraphState]</c>.</param>
    /// <param name="compilation">The compilation the type belongs to.</param>
    /// <param name="cancellationToken">Cancels the parse.</param>
    /// <returns>The model (or null) and the problems found.</returns>
    internal static StateParseResult Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes().Where(a => IsDashFlowType(a.AttributeClass, "GraphStateAttribute")).ToList();
        if (attributes.Count != 1)
        {
            // None: not a state. Several: the compiler already reports the duplicate attribute.
            return new StateParseResult(null, EquatableArray<StateProblem>.Empty);
        }

        var problems = new List<StateProblem>();
        var fatal = !CheckType(type, problems);
        var fields = new List<StateFieldModel>();
        var formatters = new FormatterParser(CodecTable.For(compilation), type);
        foreach (var property in FieldsOf(type, compilation, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ContainsErrorType(property.Type))
            {
                // The compiler reports the unknown type; leaving the field out keeps every other field usable.
                continue;
            }

            if (!IsStorable(property.Type))
            {
                problems.Add(new StateProblem(
                    StateProblemKind.UnsupportedFieldType, property.Name,
                    $"Field '{property.Name}' of '{type.Name}' has type '{property.Type.ToDisplayString(MessageFormat)}', which a state cannot hold " +
                    "(pointers, ref structs and dynamic are not supported). Give the field another type."));
                fatal = true;
                continue;
            }

            if (UpdateMemberNames.Contains(property.Name))
            {
                problems.Add(new StateProblem(
                    StateProblemKind.FieldNameConflict, property.Name,
                    $"Field '{property.Name}' of '{type.Name}' has the name of a member of the generated '{type.Name}.Update'. Rename the field."));
                fatal = true;
                continue;
            }

            fields.Add(ParseField(type, property, compilation, formatters, problems));
        }

        foreach (var field in fields)
        {
            var overwrite = "Overwrite" + field.Name;
            if (field.Reducer != ReducerKind.Replace && fields.Any(f => f.Name == overwrite))
            {
                problems.Add(new StateProblem(
                    StateProblemKind.FieldNameConflict, overwrite,
                    $"Field '{overwrite}' of '{type.Name}' has the name of the generated Overwrite property of field '{field.Name}'. Rename one of them."));
                fatal = true;
            }
        }

        if (fatal)
        {
            return new StateParseResult(null, problems.ToEquatableArray());
        }

        var model = new StateModel(
            HintName: type.ToDisplayString(HintNameFormat) + ".GraphState.g.cs",
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(NamespaceFormat) : "",
            ContainingTypes: ContainingTypesOf(type),
            Name: Escape(type.Name),
            FullName: type.ToDisplayString(TypeOfFormat),
            IsRecord: type.IsRecord,
            HidesBaseSchema: BaseHasMember(type, "Schema"),
            HidesBaseUpdate: BaseHasMember(type, "Update"),
            Version: VersionOf(attributes[0]),
            Fields: fields.ToEquatableArray(),
            Formatters: formatters.Cached);
        return new StateParseResult(model, problems.ToEquatableArray());
    }

    /// <summary>Checks what the generated partial declaration needs of the type itself; false when nothing can be generated.</summary>
    private static bool CheckType(INamedTypeSymbol type, List<StateProblem> problems)
    {
        var name = type.Name;
        var ok = true;
        void Fail(StateProblemKind kind, string? member, string message)
        {
            problems.Add(new StateProblem(kind, member, message));
            ok = false;
        }

        if (!IsPartial(type))
        {
            Fail(StateProblemKind.NotPartial, null,
                $"The [GraphState] type '{name}' must be partial, so that the generator can add its Update type and merge. Add the 'partial' modifier.");
        }

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer))
            {
                Fail(StateProblemKind.ContainingTypeNotPartial, outer.Name,
                    $"The [GraphState] type '{name}' is nested in '{outer.Name}', which must be partial too. Add the 'partial' modifier to '{outer.Name}'.");
            }
        }

        if (SelfAndContainingTypes(type).Any(t => t.IsGenericType))
        {
            Fail(StateProblemKind.Generic, null,
                $"The [GraphState] type '{name}' is generic or nested in a generic type, which is not supported. Declare a non-generic state type.");
        }

        if (SelfAndContainingTypes(type).Any(t => t.IsFileLocal))
        {
            Fail(StateProblemKind.FileLocal, null,
                $"The [GraphState] type '{name}' is file-local, so the generator cannot extend it from its own file. Remove the 'file' modifier.");
        }

        if (NotInstantiableReason(type) is { } reason)
        {
            Fail(StateProblemKind.NotInstantiable, null,
                $"The [GraphState] type '{name}' {reason}, but the graph creates its initial state with 'new()'. Give it a parameterless constructor.");
        }

        foreach (var reserved in new[] { "Update", "Schema" })
        {
            if (type.GetMembers(reserved).Any(m => !IsOwnGenerated(m)))
            {
                Fail(StateProblemKind.ReservedMemberName, reserved,
                    $"The [GraphState] type '{name}' declares a member named '{reserved}', which the generator emits. Rename the member.");
            }
        }

        return ok;
    }

    private static string? NotInstantiableReason(INamedTypeSymbol type)
    {
        if (type.IsStatic || type.IsAbstract)
        {
            return type.IsStatic ? "is static" : "is abstract";
        }

        var constructor = type.InstanceConstructors
            .Where(c => c.Parameters.All(p => p.IsOptional || p.IsParams))
            .OrderBy(c => c.Parameters.Length)
            .FirstOrDefault();
        if (constructor is null)
        {
            return "has no parameterless constructor";
        }

        var setsRequired = constructor.GetAttributes().Any(a =>
            a.AttributeClass is { Name: "SetsRequiredMembersAttribute" } attribute
            && attribute.ContainingNamespace.ToDisplayString() == "System.Diagnostics.CodeAnalysis");
        if (!setsRequired)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (t.GetMembers().Any(m => m is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true }))
                {
                    return "has required members";
                }
            }
        }

        return null;
    }

    /// <summary>The public settable instance properties declared on the type, in declaration order across partial files.</summary>
    private static List<IPropertySymbol> FieldsOf(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var properties = type.GetMembers()
            .OfType<IPropertySymbol>()
            .Where(p => p is { DeclaredAccessibility: Accessibility.Public, IsStatic: false, IsIndexer: false, SetMethod: not null }
                && !IsOwnGenerated(p))
            .Select(p => (Property: p, Location: p.Locations.FirstOrDefault(l => l.IsInSource)))
            .ToList();

        var trees = properties.Select(p => p.Location?.SourceTree).Where(t => t is not null).Distinct().ToList();
        var treeOrder = new Dictionary<SyntaxTree, int>();
        if (trees.Count > 1)
        {
            var index = 0;
            foreach (var tree in compilation.SyntaxTrees)
            {
                cancellationToken.ThrowIfCancellationRequested();
                treeOrder[tree] = index++;
            }
        }

        return properties
            .OrderBy(p => p.Location?.SourceTree is { } tree && treeOrder.TryGetValue(tree, out var order) ? order : p.Location is null ? int.MaxValue : 0)
            .ThenBy(p => p.Location?.SourceSpan.Start ?? int.MaxValue)
            .Select(p => p.Property)
            .ToList();
    }

    private static StateFieldModel ParseField(
        INamedTypeSymbol state, IPropertySymbol property, Compilation compilation, FormatterParser formatters, List<StateProblem> problems)
    {
        var fieldType = property.Type;
        var typeText = fieldType.ToDisplayString(MessageFormat);
        var (reducer, customType, known) = ReducerOf(property);
        string? problem = null;
        StateProblemKind problemKind = default;
        string? customTypeName = null;
        string? customTypeArgument = null;
        string? addMessagesType = null;
        var diffBySubtraction = false;

        void DoesNotFit(string hint)
        {
            problemKind = StateProblemKind.ReducerDoesNotFit;
            problem = $"Field '{property.Name}' of '{state.Name}' has [Reducer({reducer})], which does not fit its type '{typeText}'. {hint}";
        }

        if (!known)
        {
            reducer = ReducerKind.Replace;
            problemKind = StateProblemKind.ReducerDoesNotFit;
            problems.Add(new StateProblem(problemKind, property.Name,
                $"Field '{property.Name}' of '{state.Name}' has a [Reducer] value that is not a reducer. Use one of the constants of DashFlow.Reduce."));
        }

        switch (reducer)
        {
            case ReducerKind.Sum or ReducerKind.Max or ReducerKind.Min when fieldType.NullableAnnotation == NullableAnnotation.Annotated:
                DoesNotFit($"{reducer} needs a value on both sides; make the field non-nullable.");
                break;
            case ReducerKind.Append when !IsImmutable(fieldType, "ImmutableList", "ImmutableArray"):
                DoesNotFit("Append takes an ImmutableList<T> or an ImmutableArray<T>.");
                break;
            case ReducerKind.Union when !IsImmutable(fieldType, "ImmutableHashSet", "ImmutableSortedSet"):
                DoesNotFit("Union takes an ImmutableHashSet<T> or an ImmutableSortedSet<T>.");
                break;
            case ReducerKind.Merge when !IsImmutable(fieldType, "ImmutableDictionary", "ImmutableSortedDictionary"):
                DoesNotFit("Merge takes an ImmutableDictionary<TKey, TValue> or an ImmutableSortedDictionary<TKey, TValue>.");
                break;
            case ReducerKind.Sum:
                if (!CanAdd(fieldType))
                {
                    DoesNotFit("Sum takes a number whose '+' gives the same type (int, long, float, double, decimal, ...) or a type with an operator + of its own.");
                }

                diffBySubtraction = CanSubtract(fieldType);
                break;
            case ReducerKind.Max when !CanCompare(fieldType, "op_GreaterThan"):
                DoesNotFit("Max takes a number, an enum, or a type with an operator > of its own.");
                break;
            case ReducerKind.Min when !CanCompare(fieldType, "op_LessThan"):
                DoesNotFit("Min takes a number, an enum, or a type with an operator < of its own.");
                break;
            case ReducerKind.AddMessages:
                addMessagesType = FindAddMessages(compilation, fieldType);
                if (addMessagesType is null)
                {
                    problemKind = StateProblemKind.AddMessagesUnavailable;
                    problem = $"Field '{property.Name}' of '{state.Name}' has [Reducer(AddMessages)], but no AddMessages reducer for '{typeText}' is referenced. " +
                        "Reference DashFlow.AI (AddMessages merges chat messages by id), or choose another reducer.";
                }

                break;
            case ReducerKind.Custom:
                (customTypeName, customTypeArgument, problem) = ParseCustomReducer(state, property, customType);
                problemKind = StateProblemKind.InvalidCustomReducer;
                break;
        }

        if (problem is not null)
        {
            problems.Add(new StateProblem(problemKind, property.Name, problem));
        }

        var formatter = formatters.ResolveMember(property, fieldType, out var invalidCodec);
        if (invalidCodec is var (codec, why))
        {
            var codecName = codec.ToDisplayString(MessageFormat);
            problems.Add(new StateProblem(StateProblemKind.InvalidFieldCodec, property.Name,
                $"Field '{property.Name}' of '{state.Name}' has [FieldCodec(typeof({codecName}))], but '{codecName}' {why}, so the field is stored " +
                $"as if it had no codec. Name a class or struct that '{state.Name}' can see and that implements IFieldCodec<{typeText}>."));
        }

        return new StateFieldModel(
            Name: property.Name,
            Identifier: Escape(property.Name),
            Type: fieldType.ToDisplayString(TypeFormat),
            TypeOfType: fieldType.ToDisplayString(TypeOfFormat),
            IsValueType: fieldType.IsValueType,
            IsNullable: fieldType.NullableAnnotation == NullableAnnotation.Annotated || IsNullableValueType(fieldType),
            Reducer: reducer,
            ReducerProblem: problem,
            CustomReducerType: customTypeName,
            CustomReducerTypeArgument: customTypeArgument,
            DiffBySubtraction: diffBySubtraction,
            AddMessagesType: addMessagesType,
            Formatter: formatter,
            IsImmutable: formatters.IsImmutable(property, fieldType));
    }

    /// <summary>Reads <c>[Reducer(...)]</c>: the kind, the custom reducer type, and whether the value is a known reducer.</summary>
    private static (ReducerKind Kind, ITypeSymbol? CustomType, bool Known) ReducerOf(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (!IsDashFlowType(attribute.AttributeClass, "ReducerAttribute") || attribute.ConstructorArguments.Length != 1)
            {
                // An attribute the compiler could not bind is reported by the compiler; the field stays Replace.
                continue;
            }

            var argument = attribute.ConstructorArguments[0];
            if (argument.Kind == TypedConstantKind.Type)
            {
                return (ReducerKind.Custom, argument.Value as ITypeSymbol, true);
            }

            if (argument.Kind == TypedConstantKind.Enum && argument.Value is int value)
            {
                return value is >= (int)ReducerKind.Replace and <= (int)ReducerKind.Custom
                    ? ((ReducerKind)value, null, true)
                    : (ReducerKind.Replace, null, false);
            }
        }

        return (ReducerKind.Replace, null, true);
    }

    private static (string? TypeName, string? TypeArgument, string? Problem) ParseCustomReducer(
        INamedTypeSymbol state, IPropertySymbol property, ITypeSymbol? reducerType)
    {
        var field = $"Field '{property.Name}' of '{state.Name}'";
        var fieldType = property.Type.ToDisplayString(MessageFormat);
        if (reducerType is null)
        {
            return (null, null, $"{field} has [Reducer(ReducerKind.Custom)] without a reducer type. Write [Reducer(typeof(YourReducer))], where YourReducer implements IReducer<{fieldType}>.");
        }

        if (reducerType is INamedTypeSymbol { IsUnboundGenericType: true } || ContainsErrorType(reducerType) || reducerType is not INamedTypeSymbol)
        {
            return (null, null, $"{field} has [Reducer(typeof({reducerType.ToDisplayString(MessageFormat)}))], which is not a usable reducer type. Name a closed type that implements IReducer<{fieldType}>.");
        }

        var typeName = reducerType.ToDisplayString(TypeOfFormat);
        var reducerName = reducerType.ToDisplayString(MessageFormat);
        if (reducerType.TypeKind == TypeKind.Interface)
        {
            return (typeName, null, $"{field} has [Reducer(typeof({reducerName}))], an interface; the reducer must be a class or struct that implements IReducer<{fieldType}>.");
        }

        var implemented = reducerType.AllInterfaces.FirstOrDefault(i =>
            IsDashFlowType(i.OriginalDefinition, "IReducer") && i.TypeArguments.Length == 1
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], property.Type));
        return implemented is null
            ? (typeName, null, $"{field} has [Reducer(typeof({reducerName}))], but '{reducerName}' does not implement IReducer<{fieldType}>. Implement IReducer<{fieldType}> on '{reducerName}', or use a reducer for the field's type.")
            : (typeName, implemented.TypeArguments[0].ToDisplayString(TypeFormat), null);
    }

    private static bool IsImmutable(ITypeSymbol type, string first, string second) =>
        type is INamedTypeSymbol { IsGenericType: true } named
        && (named.Name == first || named.Name == second)
        && named.ContainingNamespace.ToDisplayString() == "System.Collections.Immutable";

    private static bool CanAdd(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
            or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal
            or SpecialType.System_IntPtr or SpecialType.System_UIntPtr
        || HasOperator(type, "op_Addition", type);

    private static bool CanSubtract(ITypeSymbol type) =>
        (CanAdd(type) && type.SpecialType != SpecialType.None) || HasOperator(type, "op_Subtraction", type);

    private static bool CanCompare(ITypeSymbol type, string op) =>
        type.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Char or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64
            or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal
            or SpecialType.System_IntPtr or SpecialType.System_UIntPtr
        || type.TypeKind == TypeKind.Enum
        || HasOperator(type, op, null);

    /// <summary>Whether <paramref name="type"/> declares <c>operator(T, T)</c> returning <paramref name="returns"/> (bool when null).</summary>
    private static bool HasOperator(ITypeSymbol type, string name, ITypeSymbol? returns) =>
        type.GetMembers(name).OfType<IMethodSymbol>().Any(m =>
            m is { MethodKind: MethodKind.UserDefinedOperator, IsStatic: true, Parameters.Length: 2 }
            && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, type)
            && SymbolEqualityComparer.Default.Equals(m.Parameters[1].Type, type)
            && (returns is null ? m.ReturnType.SpecialType == SpecialType.System_Boolean : SymbolEqualityComparer.Default.Equals(m.ReturnType, returns)));

    /// <summary>
    /// The type (<c>global::</c>-qualified) whose public static <c>AddMessages(T current, T write)</c> returns the field's
    /// type, or null when no referenced assembly offers one.
    /// </summary>
    private static string? FindAddMessages(Compilation compilation, ITypeSymbol fieldType)
    {
        foreach (var name in AddMessagesTypes)
        {
            if (compilation.GetTypeByMetadataName(name) is { IsStatic: true, DeclaredAccessibility: Accessibility.Public } helpers
                && helpers.GetMembers("AddMessages").OfType<IMethodSymbol>().Any(m => AcceptsAndReturns(m, fieldType)))
            {
                return helpers.ToDisplayString(TypeOfFormat);
            }
        }

        return null;
    }

    private static bool AcceptsAndReturns(IMethodSymbol method, ITypeSymbol type)
    {
        if (method is not { IsStatic: true, DeclaredAccessibility: Accessibility.Public, Parameters.Length: 2 })
        {
            return false;
        }

        if (method.IsGenericMethod)
        {
            var bindings = new Dictionary<ITypeParameterSymbol, ITypeSymbol>(SymbolEqualityComparer.Default);
            if (!Unify(method.Parameters[0].Type, type, bindings) || bindings.Count != method.TypeParameters.Length)
            {
                return false;
            }

            method = method.Construct([.. method.TypeParameters.Select(p => bindings[p])]);
        }

        return method.Parameters.All(p => SymbolEqualityComparer.Default.Equals(p.Type, type))
            && SymbolEqualityComparer.Default.Equals(method.ReturnType, type);
    }

    /// <summary>Binds the method type parameters in <paramref name="pattern"/> so that it becomes <paramref name="type"/>.</summary>
    private static bool Unify(ITypeSymbol pattern, ITypeSymbol type, Dictionary<ITypeParameterSymbol, ITypeSymbol> bindings)
    {
        switch (pattern)
        {
            case ITypeParameterSymbol parameter:
                if (bindings.TryGetValue(parameter, out var bound))
                {
                    return SymbolEqualityComparer.Default.Equals(bound, type);
                }

                bindings[parameter] = type;
                return true;
            case INamedTypeSymbol { IsGenericType: true } generic when type is INamedTypeSymbol { IsGenericType: true } named:
                if (!SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, named.OriginalDefinition))
                {
                    return false;
                }

                for (var i = 0; i < generic.TypeArguments.Length; i++)
                {
                    if (!Unify(generic.TypeArguments[i], named.TypeArguments[i], bindings))
                    {
                        return false;
                    }
                }

                return true;
            case IArrayTypeSymbol array when type is IArrayTypeSymbol other && array.Rank == other.Rank:
                return Unify(array.ElementType, other.ElementType, bindings);
            default:
                return SymbolEqualityComparer.Default.Equals(pattern, type);
        }
    }

    private static EquatableArray<ContainingTypeModel> ContainingTypesOf(INamedTypeSymbol type)
    {
        var containing = new List<ContainingTypeModel>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var declaration = outer switch
            {
                { IsRecord: true, TypeKind: TypeKind.Struct } => "partial record struct",
                { IsRecord: true } => "partial record",
                { TypeKind: TypeKind.Struct, IsRefLikeType: true } => "ref partial struct",
                { TypeKind: TypeKind.Struct } => "partial struct",
                { TypeKind: TypeKind.Interface } => "partial interface",
                _ => "partial class",
            };
            containing.Insert(0, new ContainingTypeModel(declaration, Escape(outer.Name)));
        }

        return containing.ToEquatableArray();
    }

    /// <summary>Whether a base type has a visible member named <paramref name="name"/> (or is a state, whose one is generated).</summary>
    private static bool BaseHasMember(INamedTypeSymbol type, string name)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.GetMembers(name).Any(m => m.DeclaredAccessibility != Accessibility.Private)
                || t.GetAttributes().Any(a => IsDashFlowType(a.AttributeClass, "GraphStateAttribute")))
            {
                return true;
            }
        }

        return false;
    }

    private static int VersionOf(AttributeData attribute)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == "Version" && argument.Value.Value is int version)
            {
                return version;
            }
        }

        return 1;
    }

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0
        && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static IEnumerable<INamedTypeSymbol> SelfAndContainingTypes(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            yield return t;
        }
    }

    /// <summary>Whether the member was emitted by this generator (seen when an analyzer parses a compilation that holds the output).</summary>
    private static bool IsOwnGenerated(ISymbol member) =>
        member.GetAttributes().Any(a =>
            a.AttributeClass is { Name: "GeneratedCodeAttribute" }
            && a.ConstructorArguments.Length == 2
            && a.ConstructorArguments[0].Value as string == GeneratorName);

    private static bool IsDashFlowType(INamedTypeSymbol? type, string name) =>
        type is not null
        && type.Name == name
        && type.ContainingNamespace is { Name: "DashFlow", ContainingNamespace.IsGlobalNamespace: true };

    private static bool IsNullableValueType(ITypeSymbol type) =>
        type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        _ => false,
    };

    /// <summary>Whether a value of the type can live in a state object and be boxed for <c>GetField</c>.</summary>
    private static bool IsStorable(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Dynamic } => false,
        { IsRefLikeType: true } => false,
        INamedTypeSymbol named => named.TypeArguments.All(IsStorable),
        IArrayTypeSymbol array => IsStorable(array.ElementType),
        _ => true,
    };

    private static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
}
