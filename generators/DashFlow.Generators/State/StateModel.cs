using DashFlow.Generators.Helpers;

namespace DashFlow.Generators.State;

/// <summary>A <c>[GraphState]</c> type as the emitter needs it: names and flags only, so the pipeline can cache it.</summary>
/// <param name="HintName">The generated file's name, <c>{FullyQualifiedName}.GraphState.g.cs</c>.</param>
/// <param name="Namespace">The namespace without <c>global::</c>; empty for the global namespace.</param>
/// <param name="ContainingTypes">The types the state is nested in, outermost first.</param>
/// <param name="Name">The state's name as an identifier (escaped when it is a keyword).</param>
/// <param name="FullName">The state's <c>global::</c>-qualified name.</param>
/// <param name="IsRecord">Whether the state is a record (applied with <c>with</c>) or a class (rebuilt with <c>new</c>).</param>
/// <param name="HidesBaseSchema">Whether a base type has a member named <c>Schema</c>, so the generated one needs <c>new</c>.</param>
/// <param name="HidesBaseUpdate">Whether a base type has a member named <c>Update</c>, so the generated one needs <c>new</c>.</param>
/// <param name="Version">The schema version from <c>[GraphState(Version = N)]</c>.</param>
/// <param name="Fields">The state's fields in declaration order; a field's number is its index.</param>
/// <param name="Formatters">
/// The field formatters the state caches in static fields, in the order they must be initialized: record and class
/// formatters first (they reach other formatters only when called), then compositions, each after the ones it holds.
/// </param>
internal sealed record StateModel(
    string HintName,
    string Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string Name,
    string FullName,
    bool IsRecord,
    bool HidesBaseSchema,
    bool HidesBaseUpdate,
    int Version,
    EquatableArray<StateFieldModel> Fields,
    EquatableArray<FormatterModel> Formatters);

/// <summary>A type a state is nested in.</summary>
/// <param name="Declaration">The partial declaration's head without the name, for example <c>partial class</c>.</param>
/// <param name="Name">The type's name as an identifier.</param>
internal sealed record ContainingTypeModel(string Declaration, string Name);

/// <summary>One state field.</summary>
/// <param name="Name">The property's name as written in strings and messages.</param>
/// <param name="Identifier">The property's name as an identifier (escaped when it is a keyword).</param>
/// <param name="Type">The <c>global::</c>-qualified type with its nullable annotations.</param>
/// <param name="TypeOfType">The type as <c>typeof</c> accepts it (no nullable reference annotations).</param>
/// <param name="IsValueType">Whether the type is a value type.</param>
/// <param name="IsNullable">Whether the type may hold null (an annotated reference type or <c>Nullable&lt;T&gt;</c>).</param>
/// <param name="Reducer">The declared reducer.</param>
/// <param name="ReducerProblem">
/// Null when the reducer can be applied to the field's type; otherwise what is wrong. Then the merge fails the superstep
/// with this message instead of emitting code that does not compile (the analyzers report the mistake at compile time).
/// </param>
/// <param name="CustomReducerType">For <see cref="ReducerKind.Custom"/>: the <c>global::</c>-qualified reducer type, when it is a usable type.</param>
/// <param name="CustomReducerTypeArgument">For a fitting <see cref="ReducerKind.Custom"/> reducer: the <c>T</c> of the <c>IReducer&lt;T&gt;</c> it implements.</param>
/// <param name="DiffBySubtraction">For <see cref="ReducerKind.Sum"/>: whether the type can subtract, so Diff writes the difference.</param>
/// <param name="AddMessagesType">For <see cref="ReducerKind.AddMessages"/>: the <c>global::</c>-qualified type whose
/// <c>AddMessages(current, write)</c> fits the field, when one is referenced.</param>
/// <param name="Formatter">The expression of the field's checkpoint formatter (a <c>FieldFormatter&lt;T&gt;</c>).</param>
/// <param name="IsImmutable">Whether the value cannot change, the property is init-only, and DashFlow's formatters store it (<c>StateField.IsImmutable</c>).</param>
internal sealed record StateFieldModel(
    string Name,
    string Identifier,
    string Type,
    string TypeOfType,
    bool IsValueType,
    bool IsNullable,
    ReducerKind Reducer,
    string? ReducerProblem,
    string? CustomReducerType,
    string? CustomReducerTypeArgument,
    bool DiffBySubtraction,
    string? AddMessagesType,
    string Formatter,
    bool IsImmutable);

/// <summary>A formatter the state caches in a static field.</summary>
/// <param name="Name">The static field's name.</param>
/// <param name="Type">The formatted type, <c>global::</c>-qualified, without nullable reference annotations.</param>
/// <param name="Initializer">For a composition: the expression that creates it; null for a record or class.</param>
/// <param name="Object">For a record or class: its members and how to create it; null for a composition.</param>
internal sealed record FormatterModel(string Name, string Type, string? Initializer, ObjectFormatterModel? Object);

/// <summary>How an object formatter writes a user's record, class or struct, and creates it again.</summary>
/// <param name="Members">The stored members, in the order they are written.</param>
/// <param name="ConstructorArguments">The indexes (into <paramref name="Members"/>) of the constructor's arguments, in order.</param>
/// <param name="Creation">How the members that are not constructor arguments are set.</param>
internal sealed record ObjectFormatterModel(
    EquatableArray<ObjectMemberModel> Members,
    EquatableArray<int> ConstructorArguments,
    ObjectCreation Creation);

/// <summary>One stored member of a record, class or struct.</summary>
/// <param name="Name">The member's name, the key it is stored under.</param>
/// <param name="Identifier">The member's name as an identifier (escaped when it is a keyword).</param>
/// <param name="Type">The member's type, <c>global::</c>-qualified, without nullable reference annotations.</param>
/// <param name="Formatter">The expression of the member type's formatter.</param>
/// <param name="IsSetAfter">Whether the member is set after the constructor runs (not only a constructor argument).</param>
internal sealed record ObjectMemberModel(string Name, string Identifier, string Type, string Formatter, bool IsSetAfter);

/// <summary>How the members of a record, class or struct that are not constructor arguments are set when it is read.</summary>
internal enum ObjectCreation
{
    /// <summary>Every stored member is a constructor argument.</summary>
    Constructor,

    /// <summary>The others have setters: each one that is stored is assigned after construction.</summary>
    AssignStored,

    /// <summary>
    /// Some are init-only: an object initializer sets them all, from the stored value or, when none is stored, from a
    /// second instance the constructor made (so a missing member keeps its initializer's value).
    /// </summary>
    InitializeFromDefaults,

    /// <summary>Some are required and the constructor does not set them: an object initializer sets them all, missing ones to default.</summary>
    InitializeAll,
}

/// <summary>The reducers, mirroring <c>DashFlow.ReducerKind</c> name for name and value for value.</summary>
internal enum ReducerKind
{
    Replace = 0,
    Append = 1,
    Union = 2,
    Merge = 3,
    Sum = 4,
    Max = 5,
    Min = 6,
    AddMessages = 7,
    Custom = 8,
}

/// <summary>What the parser found about a <c>[GraphState]</c> type: the model, or null when nothing can be generated,
/// and the mistakes in the user's declaration, for the analyzers to report.</summary>
/// <param name="Model">The model to emit, or null.</param>
/// <param name="Problems">The mistakes found, in declaration order.</param>
internal sealed record StateParseResult(StateModel? Model, EquatableArray<StateProblem> Problems);

/// <summary>A mistake in a <c>[GraphState]</c> declaration, as plain data.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Member">
/// The member to point at: the field (property) name for field problems, the member name for name conflicts, the
/// containing type's name for <see cref="StateProblemKind.ContainingTypeNotPartial"/>; null for the state type itself.
/// </param>
/// <param name="Message">What is wrong and how to fix it, naming what the user wrote.</param>
internal sealed record StateProblem(StateProblemKind Kind, string? Member, string Message);

/// <summary>The kinds of <see cref="StateProblem"/>.</summary>
internal enum StateProblemKind
{
    /// <summary>The state type is not <c>partial</c>. Nothing is generated.</summary>
    NotPartial,

    /// <summary>A type the state is nested in is not <c>partial</c>. Nothing is generated.</summary>
    ContainingTypeNotPartial,

    /// <summary>The state type, or a type it is nested in, is generic. Nothing is generated.</summary>
    Generic,

    /// <summary>The state type is file-local, so no other file can extend it. Nothing is generated.</summary>
    FileLocal,

    /// <summary>The state type is abstract or static, has no parameterless constructor, or has required members.
    /// Nothing is generated.</summary>
    NotInstantiable,

    /// <summary>The state declares a member named <c>Update</c> or <c>Schema</c>, which the generator emits. Nothing is
    /// generated.</summary>
    ReservedMemberName,

    /// <summary>A field's name collides with a member of the generated <c>Update</c> (<c>IsEmpty</c>, or
    /// <c>Overwrite&lt;Field&gt;</c> of a reducer field). Nothing is generated.</summary>
    FieldNameConflict,

    /// <summary>A field's type cannot be stored in a state (pointer, ref struct, <c>dynamic</c>). Nothing is generated.</summary>
    UnsupportedFieldType,

    /// <summary>A built-in reducer does not fit the field's type (Append on an int, Sum on a string). The field's merge
    /// fails at run time.</summary>
    ReducerDoesNotFit,

    /// <summary>A <c>[Reducer(typeof(...))]</c> type does not implement <c>IReducer&lt;T&gt;</c> for the field's type.
    /// The field's merge fails at run time.</summary>
    InvalidCustomReducer,

    /// <summary>A field uses AddMessages but no AddMessages reducer is referenced. The field's merge fails at run time.</summary>
    AddMessagesUnavailable,

    /// <summary>A field's <c>[FieldCodec(typeof(...))]</c> type cannot store it: not a class or struct implementing
    /// <c>IFieldCodec&lt;T&gt;</c> for the field's type, or not accessible from the state. The field is stored as if it had no codec.</summary>
    InvalidFieldCodec,
}
