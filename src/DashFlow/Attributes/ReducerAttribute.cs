namespace DashFlow;

/// <summary>Says how the writes of one superstep to a state field are folded into the field.</summary>
/// <example><code>
/// using static DashFlow.Reduce;
///
/// [Reducer(Append)] public ImmutableList&lt;string&gt; Sources { get; init; } = [];
/// [Reducer(typeof(LongestString))] public string Summary { get; init; } = "";
/// </code></example>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ReducerAttribute : Attribute
{
    /// <summary>Uses one of the built-in reducers.</summary>
    /// <param name="kind">The reducer, usually written through <c>using static DashFlow.Reduce;</c>.</param>
    public ReducerAttribute(ReducerKind kind) => Kind = kind;

    /// <summary>Uses a reducer of your own: a type implementing <see cref="IReducer{T}"/> for the field's type.</summary>
    /// <param name="reducerType">The reducer type.</param>
    public ReducerAttribute(Type reducerType)
    {
        Kind = ReducerKind.Custom;
        ReducerType = reducerType;
    }

    /// <summary>The reducer.</summary>
    public ReducerKind Kind { get; }

    /// <summary>The user reducer type when <see cref="Kind"/> is <see cref="ReducerKind.Custom"/>.</summary>
    public Type? ReducerType { get; }
}

/// <summary>The reducers a state field can have.</summary>
public enum ReducerKind
{
    /// <summary>At most one write per superstep; the write replaces the value. Two writes in one superstep are an error.</summary>
    Replace = 0,

    /// <summary>The written collection is concatenated to the field (<c>ImmutableList&lt;T&gt;</c>, <c>ImmutableArray&lt;T&gt;</c>).</summary>
    Append = 1,

    /// <summary>The written set is united with the field (<c>ImmutableHashSet&lt;T&gt;</c>, <c>ImmutableSortedSet&lt;T&gt;</c>).</summary>
    Union = 2,

    /// <summary>The written dictionary is merged into the field; a later write wins per key (<c>ImmutableDictionary&lt;K,V&gt;</c>, <c>ImmutableSortedDictionary&lt;K,V&gt;</c>).</summary>
    Merge = 3,

    /// <summary>Writes are added to the field (numbers).</summary>
    Sum = 4,

    /// <summary>The field keeps the largest of its value and the writes.</summary>
    Max = 5,

    /// <summary>The field keeps the smallest of its value and the writes.</summary>
    Min = 6,

    /// <summary>Chat messages: append, replacing a message whose id is already present. Provided by DashFlow.AI.</summary>
    AddMessages = 7,

    /// <summary>A user reducer type implementing <see cref="IReducer{T}"/>.</summary>
    Custom = 8,
}

/// <summary>
/// The reducers as constants, so that with <c>using static DashFlow.Reduce;</c> a field reads
/// <c>[Reducer(Append)]</c>.
/// </summary>
public static class Reduce
{
    /// <inheritdoc cref="ReducerKind.Replace"/>
    public const ReducerKind Replace = ReducerKind.Replace;

    /// <inheritdoc cref="ReducerKind.Append"/>
    public const ReducerKind Append = ReducerKind.Append;

    /// <inheritdoc cref="ReducerKind.Union"/>
    public const ReducerKind Union = ReducerKind.Union;

    /// <inheritdoc cref="ReducerKind.Merge"/>
    public const ReducerKind Merge = ReducerKind.Merge;

    /// <inheritdoc cref="ReducerKind.Sum"/>
    public const ReducerKind Sum = ReducerKind.Sum;

    /// <inheritdoc cref="ReducerKind.Max"/>
    public const ReducerKind Max = ReducerKind.Max;

    /// <inheritdoc cref="ReducerKind.Min"/>
    public const ReducerKind Min = ReducerKind.Min;

    /// <inheritdoc cref="ReducerKind.AddMessages"/>
    public const ReducerKind AddMessages = ReducerKind.AddMessages;
}

/// <summary>A reducer of your own for a state field of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The field's type.</typeparam>
/// <example><code>
/// public sealed class LongestString : IReducer&lt;string&gt;
/// {
///     public static string Reduce(string current, string write) => write.Length &gt; current.Length ? write : current;
/// }
/// </code></example>
public interface IReducer<T>
{
    /// <summary>Folds one write into the current value. Called once per write, in the superstep's write order.</summary>
    /// <param name="current">The field's value so far.</param>
    /// <param name="write">The value a node wrote.</param>
    /// <returns>The new value.</returns>
    static abstract T Reduce(T current, T write);
}
