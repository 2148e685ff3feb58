using DashFlow.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace DashFlow.Generators.State;

public sealed partial class GraphStateGenerator
{
    private const string Formatters = "global::DashFlow.Internals.FieldFormatters";
    private const string Immutable = "global::System.Collections.Immutable.";
    private const string Generic = "global::System.Collections.Generic.";

    /// <summary>The private static class a state caches its composed formatters in.</summary>
    internal const string FormatterCache = "__DashFlowFormatters";

    /// <summary>
    /// The parts of a field's type that its generated formatter leaves to MessagePack's contractless resolver, with the
    /// reason the generator could not store them itself. The same choice the generator makes (codecs included), so that
    /// the analyzers report exactly what the generated code cannot store.
    /// </summary>
    /// <param name="member">The field's property, for its <c>[FieldCodec]</c>; null to judge the type alone.</param>
    /// <param name="type">The field's type.</param>
    /// <param name="codecs">The codec registrations the compilation sees.</param>
    /// <returns>The parts, each once.</returns>
    internal static IReadOnlyList<FallbackPart> FallbackParts(ISymbol? member, ITypeSymbol type, CodecTable codecs)
    {
        var parser = new FormatterParser(codecs, member?.ContainingType, collectFallbacks: true);
        _ = member is null ? parser.Resolve(type) : parser.ResolveMember(member, type, out _);
        return parser.Fallbacks;
    }

    /// <summary>
    /// Chooses the formatter of each field from its type symbol: a codec when one is registered, a built-in formatter,
    /// a composition of formatters for collections, an emitted object formatter for the user's records and classes, and
    /// the contractless fallback for anything else. Produces strings and models only, for the emitter.
    /// <paramref name="state"/> is the type the formatters are generated in, which must be able to name every codec.
    /// </summary>
    private sealed class FormatterParser(CodecTable codecs, INamedTypeSymbol? state, bool collectFallbacks = false)
    {
        private readonly Dictionary<string, string> _byType = new(StringComparer.Ordinal);
        private readonly HashSet<string> _fallbackTypes = new(StringComparer.Ordinal);
        private readonly List<FormatterModel> _objects = [];
        private readonly List<FormatterModel> _compositions = [];
        private readonly Scope _names = new([FormatterCache]);

        /// <summary>Where the generator falls back, when asked to collect it.</summary>
        public List<FallbackPart> Fallbacks { get; } = [];

        /// <summary>The cached formatters, in initialization order.</summary>
        public EquatableArray<FormatterModel> Cached => _objects.Concat(_compositions).ToEquatableArray();

        /// <summary>
        /// The formatter of a member (a state field or a property of a user's type): the codec its <c>[FieldCodec]</c>
        /// names when that codec fits, otherwise the formatter of its type. <paramref name="invalidCodec"/> is the codec
        /// named by a <c>[FieldCodec]</c> that does not fit, with why (worded to follow its name).
        /// </summary>
        public string ResolveMember(ISymbol member, ITypeSymbol type, out (ITypeSymbol Codec, string Problem)? invalidCodec)
        {
            invalidCodec = null;
            if (CodecTable.MemberCodec(member) is { } codec)
            {
                var name = codec.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                if (CodecTable.Problem(codec, type, state) is not { } problem)
                {
                    return CodecExpression(type, name);
                }

                // A codec for the underlying type of a nullable value type stores the value; nil stores null.
                if (IsNullableValueType(type) && ((INamedTypeSymbol)type).TypeArguments[0] is var underlying && CodecTable.Problem(codec, underlying, state) is null)
                {
                    return Cache(type, $"{Formatters}.Nullable({CodecExpression(underlying, name)})");
                }

                invalidCodec = (codec, problem);
            }

            return Resolve(type);
        }

        /// <summary>The formatter expression for <paramref name="type"/>.</summary>
        public string Resolve(ITypeSymbol type)
        {
            var key = TypeOf(type);
            if (_byType.TryGetValue(key, out var known))
            {
                return known;
            }

            var formatter = codecs.CodecFor(type) is { } codec
                ? CodecExpression(type, codec)
                : BuiltIn(type) ?? Composite(type) ?? ObjectFormatter(type) ?? Fallback(type, FallbackKind.NotSupported);
            _byType[key] = formatter;
            return formatter;
        }

        /// <summary>
        /// Whether a field of <paramref name="type"/> holds a value nothing can change and DashFlow's own formatters store
        /// (no <c>[FieldCodec]</c> on the member or on any type in it): numbers, strings, enums, dates and times, and
        /// immutable collections, tuples and nullables of those; and whether the property is init-only, so that a state
        /// object keeps its value for good. Such a value, or a state of such fields, may be kept as it is instead of bytes.
        /// </summary>
        public bool IsImmutable(IPropertySymbol member, ITypeSymbol type) =>
            member.SetMethod is { IsInitOnly: true } && CodecTable.MemberCodec(member) is null && IsImmutable(type);

        private bool IsImmutable(ITypeSymbol type)
        {
            if (codecs.CodecFor(type) is not null)
            {
                return false;
            }

            if (type.TypeKind == TypeKind.Enum)
            {
                return true;
            }

            // The scalars DashFlow stores itself cannot change; a byte array, or memory over one, can be written to.
            if (BuiltInName(type) is { } builtIn)
            {
                return builtIn is not ("Binary" or "MemoryBinary");
            }

            if (type is not INamedTypeSymbol named)
            {
                return false;
            }

            var composed = (Namespace(named), named.MetadataName) switch
            {
                ("System", "Nullable`1") => true,
                ("System", var name) when name.StartsWith("ValueTuple`", StringComparison.Ordinal) => true,
                ("System.Collections.Generic", "KeyValuePair`2") => true,
                ("System.Collections.Immutable", "ImmutableArray`1" or "ImmutableList`1" or "ImmutableHashSet`1" or "ImmutableSortedSet`1"
                    or "ImmutableDictionary`2" or "ImmutableSortedDictionary`2" or "ImmutableQueue`1" or "ImmutableStack`1") => true,
                _ => false,
            };

            // A composition is as immutable as what it holds.
            return composed && named.TypeArguments.All(IsImmutable);
        }

        private static string CodecExpression(ITypeSymbol type, string codec) => $"{Formatters}.Codec<{TypeOf(type)}, {codec}>()";

        private static string? BuiltIn(ITypeSymbol type) => BuiltInName(type) is { } name ? $"{Formatters}.{name}" : null;

        /// <summary>The name of the <c>FieldFormatters</c> member that stores <paramref name="type"/>, when one does.</summary>
        private static string? BuiltInName(ITypeSymbol type)
        {
            var name = type.SpecialType switch
            {
                SpecialType.System_String => "String",
                SpecialType.System_Boolean => "Boolean",
                SpecialType.System_Char => "Char",
                SpecialType.System_SByte => "SByte",
                SpecialType.System_Byte => "Byte",
                SpecialType.System_Int16 => "Int16",
                SpecialType.System_UInt16 => "UInt16",
                SpecialType.System_Int32 => "Int32",
                SpecialType.System_UInt32 => "UInt32",
                SpecialType.System_Int64 => "Int64",
                SpecialType.System_UInt64 => "UInt64",
                SpecialType.System_Single => "Single",
                SpecialType.System_Double => "Double",
                SpecialType.System_Decimal => "Decimal",
                SpecialType.System_DateTime => "DateTime",
                _ => null,
            };
            name ??= type switch
            {
                IArrayTypeSymbol { IsSZArray: true, ElementType.SpecialType: SpecialType.System_Byte } => "Binary",
                INamedTypeSymbol named => (Namespace(named), named.MetadataName) switch
                {
                    ("System", "TimeSpan" or "DateTimeOffset" or "Guid" or "DateOnly" or "TimeOnly" or "Uri" or "Version") => named.Name,
                    ("System.Numerics", "BigInteger") => "BigInteger",
                    ("System", "ReadOnlyMemory`1") when IsByte(named.TypeArguments[0]) => "MemoryBinary",
                    ("System.Collections.Immutable", "ImmutableArray`1") when IsByte(named.TypeArguments[0]) => "ImmutableBinary",
                    _ => null,
                },
                _ => null,
            };
            return name;
        }

        private string? Composite(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol { IsSZArray: true } array)
            {
                var element = TypeOf(array.ElementType);
                return Cache(type, $"{Formatters}.Sequence<{TypeOf(type)}, {element}>({Resolve(array.ElementType)}, static items => items)");
            }

            if (type is not INamedTypeSymbol named)
            {
                return null;
            }

            if (named.TypeKind == TypeKind.Enum && named.EnumUnderlyingType is { } underlying)
            {
                return Cache(type, $"{Formatters}.Enum<{TypeOf(type)}, {TypeOf(underlying)}>({Resolve(underlying)})");
            }

            if (IsNullableValueType(named))
            {
                var inner = Resolve(named.TypeArguments[0]);
                return IsFallback(inner) ? Fallback(type, FallbackKind.Contained) : Cache(type, $"{Formatters}.Nullable({inner})");
            }

            if (!named.IsGenericType)
            {
                return null;
            }

            var args = named.TypeArguments;
            var self = TypeOf(type);

            // Arrays of their items, as MessagePack's own formatters write them. A tuple of eight or more nests the rest
            // in its last item and is left to the fallback.
            switch (Namespace(named), named.MetadataName)
            {
                case ("System", "ValueTuple`2" or "ValueTuple`3" or "ValueTuple`4" or "ValueTuple`5" or "ValueTuple`6" or "ValueTuple`7"):
                    return Cache(type, $"{Formatters}.ValueTuple({string.Join(", ", args.Select(Resolve))})");
                case ("System.Collections.Generic", "KeyValuePair`2"):
                    return Cache(type, $"{Formatters}.KeyValuePair({Resolve(args[0])}, {Resolve(args[1])})");
            }

            if (args.Length == 1)
            {
                var item = TypeOf(args[0]);
                string Item() => Resolve(args[0]);
                string Sequence(string create) => $"{Formatters}.Sequence<{self}, {item}>({Item()}, static items => {create})";
                var composed = (Namespace(named), named.MetadataName) switch
                {
                    ("System.Collections.Immutable", "ImmutableList`1") => $"{Formatters}.List({Item()})",
                    ("System.Collections.Immutable", "ImmutableArray`1") => $"{Formatters}.Array({Item()})",
                    ("System.Collections.Immutable", "ImmutableHashSet`1") => $"{Formatters}.HashSet({Item()})",
                    ("System.Collections.Immutable", "ImmutableSortedSet`1") => $"{Formatters}.SortedSet({Item()})",
                    ("System.Collections.Immutable", "ImmutableQueue`1") => $"{Formatters}.Queue({Item()})",
                    ("System.Collections.Immutable", "ImmutableStack`1") => $"{Formatters}.Stack({Item()})",

                    // Read-only interfaces read back as the immutable collection of their kind.
                    ("System.Collections.Immutable", "IImmutableList`1") => Sequence($"{Immutable}ImmutableList.Create(items)"),
                    ("System.Collections.Immutable", "IImmutableSet`1") => Sequence($"{Immutable}ImmutableHashSet.Create(items)"),
                    ("System.Collections.Generic", "IEnumerable`1" or "IReadOnlyCollection`1" or "IReadOnlyList`1") => Sequence($"{Immutable}ImmutableList.Create(items)"),
                    ("System.Collections.Generic", "IReadOnlySet`1") => Sequence($"{Immutable}ImmutableHashSet.Create(items)"),

                    // Mutable collections (DFLOW0003 suggests the immutable ones) are still stored without reflection.
                    ("System.Collections.Generic", "List`1") => Sequence($"new {Generic}List<{item}>(items)"),
                    ("System.Collections.Generic", "HashSet`1") => Sequence($"new {Generic}HashSet<{item}>(items)"),
                    _ => null,
                };
                return composed is null ? null : Cache(type, composed);
            }

            if (args.Length == 2)
            {
                string Key() => args[0].SpecialType == SpecialType.System_String ? $"{Formatters}.StringKey" : Resolve(args[0]);
                string Map(string create) =>
                    $"{Formatters}.Map<{self}, {TypeOf(args[0])}, {TypeOf(args[1])}>({Key()}, {Resolve(args[1])}, static pairs => {create})";
                var composed = (Namespace(named), named.MetadataName) switch
                {
                    ("System.Collections.Immutable", "ImmutableDictionary`2") => $"{Formatters}.Dictionary({Key()}, {Resolve(args[1])})",
                    ("System.Collections.Immutable", "ImmutableSortedDictionary`2") => $"{Formatters}.SortedDictionary({Key()}, {Resolve(args[1])})",
                    ("System.Collections.Immutable", "IImmutableDictionary`2") => Map($"{Immutable}ImmutableDictionary.CreateRange(pairs)"),
                    ("System.Collections.Generic", "IReadOnlyDictionary`2") => Map($"{Immutable}ImmutableDictionary.CreateRange(pairs)"),
                    ("System.Collections.Generic", "Dictionary`2") => Map($"new {Generic}Dictionary<{TypeOf(args[0])}, {TypeOf(args[1])}>(pairs)"),
                    _ => null,
                };
                return composed is null ? null : Cache(type, composed);
            }

            return null;
        }

        /// <summary>An emitted formatter for the user's record, class or struct; null (after falling back) when there is none.</summary>
        private string? ObjectFormatter(ITypeSymbol type)
        {
            if (type is not INamedTypeSymbol named)
            {
                return null;
            }

            var (shape, kind) = ObjectShape.Read(named);
            if (shape is null)
            {
                return Fallback(type, kind);
            }

            // Registered before the members are resolved, so that a type that holds itself refers to this formatter (the
            // members' formatters are reached only when a value is written or read, after every cache field is set).
            var name = _names.Claim(NameOf(type));
            var reference = $"{FormatterCache}.{name}";
            _byType[TypeOf(type)] = reference;
            var index = _objects.Count;
            _objects.Add(null!);

            var members = shape.Members
                .Select(m => new ObjectMemberModel(
                    m.Symbol.Name,
                    Escape(m.Symbol.Name),
                    TypeOf(m.Type),
                    ResolveMember(m.Symbol, m.Type, out _),
                    m.IsSetAfter))
                .ToEquatableArray();
            _objects[index] = new FormatterModel(name, TypeOf(type), null, new ObjectFormatterModel(members, shape.ConstructorArguments.ToEquatableArray(), shape.Creation));
            return reference;
        }

        private string Fallback(ITypeSymbol type, FallbackKind kind)
        {
            if (collectFallbacks && _fallbackTypes.Add(TypeOf(type)))
            {
                Fallbacks.Add(new FallbackPart(type, kind));

                // What the contractless resolver stores inside a type it is given must be storable too.
                var inner = type switch
                {
                    IArrayTypeSymbol array => [array.ElementType],
                    INamedTypeSymbol named => named.TypeArguments,
                    _ => [],
                };
                foreach (var part in inner)
                {
                    _ = Resolve(part);
                }
            }

            return $"{Formatters}.Fallback<{TypeOf(type)}>()";
        }

        private static bool IsFallback(string formatter) => formatter.StartsWith($"{Formatters}.Fallback<", StringComparison.Ordinal);

        /// <summary>Caches a composition in a static field of the state and returns the field.</summary>
        private string Cache(ITypeSymbol type, string initializer)
        {
            var name = _names.Claim(NameOf(type));
            _compositions.Add(new FormatterModel(name, TypeOf(type), initializer, null));
            return $"{FormatterCache}.{name}";
        }

        /// <summary><c>ImmutableList&lt;Order&gt;</c> → <c>ImmutableListOfOrder</c>, <c>int?</c> → <c>NullableOfInt32</c>, <c>byte[]</c> → <c>ByteArray</c>.</summary>
        private static string NameOf(ITypeSymbol type) => type switch
        {
            IArrayTypeSymbol array => NameOf(array.ElementType) + "Array",
            INamedTypeSymbol { IsGenericType: true } named => named.Name + "Of" + string.Join("And", named.TypeArguments.Select(NameOf)),
            _ => type.Name.Length > 0 ? type.Name : "Value",
        };

        private static bool IsByte(ITypeSymbol type) => type.SpecialType == SpecialType.System_Byte;
    }

    /// <summary>The type as generated code writes it: <c>global::</c>-qualified, without nullable reference annotations.</summary>
    private static string TypeOf(ITypeSymbol type) => type.ToDisplayString(TypeOfFormat);

    private static string Namespace(INamedTypeSymbol type) => type.ContainingNamespace?.ToDisplayString() ?? "";
}

/// <summary>A part of a field's type that its formatter leaves to MessagePack's contractless resolver.</summary>
/// <param name="Type">The part.</param>
/// <param name="Kind">Why the generator has no formatter of its own for it.</param>
internal sealed record FallbackPart(ITypeSymbol Type, FallbackKind Kind);

/// <summary>Why the generator leaves a type to the contractless resolver.</summary>
internal enum FallbackKind
{
    /// <summary>No formatter exists for a type of its kind (a framework type, a delegate, ...).</summary>
    NotSupported,

    /// <summary>The type carries MessagePack's or a data contract's own attributes, which its resolver honours.</summary>
    OwnContract,

    /// <summary>An interface: nothing says which type to create when it is read.</summary>
    Interface,

    /// <summary>An abstract class: nothing says which type to create when it is read.</summary>
    Abstract,

    /// <summary>No public constructor whose parameters all match stored members, and no public parameterless one.</summary>
    NoConstructor,

    /// <summary>A member's type cannot be held at all (a ref struct or pointer).</summary>
    UnstorableMember,

    /// <summary>A nullable value type whose underlying type falls back.</summary>
    Contained,
}
