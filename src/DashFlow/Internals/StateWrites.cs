using System.Collections.Immutable;
using System.ComponentModel;

namespace DashFlow.Internals;

/// <summary>Helpers the generated superstep merge calls. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class StateWrites
{
    /// <summary>Two writes to a Replace field in one superstep.</summary>
    public static InvalidUpdateException ReplaceConflict<TState>(ReadOnlySpan<StateWrite<TState>> writes, string field, int first, int second)
        where TState : class, IGraphState<TState>
    {
        var nodes = Writers(writes, first, second);
        return new InvalidUpdateException(
            field, nodes,
            $"Field '{field}' of {typeof(TState).Name} is written by both '{Graph.Display(nodes[0])}' and '{Graph.Display(nodes[1])}' in one superstep, " +
            "but its reducer is Replace, which takes one write per superstep. Give the field a reducer (for example [Reducer(Append)]) " +
            "or let only one of these nodes write it.");
    }

    /// <summary>Two Overwrites of one field in one superstep.</summary>
    public static InvalidUpdateException DoubleOverwrite<TState>(ReadOnlySpan<StateWrite<TState>> writes, string field, int first, int second)
        where TState : class, IGraphState<TState>
    {
        var nodes = Writers(writes, first, second);
        return new InvalidUpdateException(
            field, nodes,
            $"Field '{field}' of {typeof(TState).Name} is Overwritten by both '{Graph.Display(nodes[0])}' and '{Graph.Display(nodes[1])}' in one superstep; " +
            "only one Overwrite of a field per superstep is allowed. Let one of them write without Overwrite.");
    }

    /// <summary>
    /// A write to a field whose reducer does not fit the field's type. The analyzers report the mistake at compile time;
    /// the generated merge fails here, naming the field and the node, instead of emitting code that does not compile.
    /// </summary>
    public static InvalidUpdateException ReducerDoesNotFit<TState>(ReadOnlySpan<StateWrite<TState>> writes, string field, int writer, string problem)
        where TState : class, IGraphState<TState>
    {
        var node = writes[writer].Node;
        return new InvalidUpdateException(
            field, [node],
            $"{problem} The write to '{field}' by '{Graph.Display(node)}' cannot be applied.");
    }

    /// <summary>
    /// Folds a write with a user reducer. Called through the constraint, so a reducer that implements
    /// <see cref="IReducer{T}.Reduce"/> explicitly works as well.
    /// </summary>
    public static T Reduce<TReducer, T>(T current, T write)
        where TReducer : IReducer<T> =>
        TReducer.Reduce(current, write);

    private static string[] Writers<TState>(ReadOnlySpan<StateWrite<TState>> writes, int first, int second)
        where TState : class, IGraphState<TState>
        => [writes[first].Node, writes[second].Node];

    /// <summary>Appends to a list; a null list is empty.</summary>
    public static ImmutableList<T> Append<T>(ImmutableList<T>? current, ImmutableList<T>? write) =>
        current is null || current.IsEmpty ? write ?? [] : write is null || write.IsEmpty ? current : current.AddRange(write);

    /// <summary>Appends to an array; a default array is empty.</summary>
    public static ImmutableArray<T> Append<T>(ImmutableArray<T> current, ImmutableArray<T> write) =>
        current.IsDefaultOrEmpty ? (write.IsDefault ? [] : write) : write.IsDefaultOrEmpty ? current : current.AddRange(write);

    /// <summary>Unites sets; a null set is empty.</summary>
    public static ImmutableHashSet<T> Union<T>(ImmutableHashSet<T>? current, ImmutableHashSet<T>? write) =>
        current is null || current.IsEmpty ? write ?? [] : write is null ? current : current.Union(write);

    /// <summary>Unites sorted sets; a null set is empty.</summary>
    public static ImmutableSortedSet<T> Union<T>(ImmutableSortedSet<T>? current, ImmutableSortedSet<T>? write) =>
        current is null || current.IsEmpty ? write ?? [] : write is null ? current : current.Union(write);

    /// <summary>Merges dictionaries, the write winning per key; a null dictionary is empty.</summary>
    public static ImmutableDictionary<TKey, TValue> Merge<TKey, TValue>(ImmutableDictionary<TKey, TValue>? current, ImmutableDictionary<TKey, TValue>? write)
        where TKey : notnull =>
        current is null || current.IsEmpty ? write ?? ImmutableDictionary<TKey, TValue>.Empty : write is null ? current : current.SetItems(write);

    /// <summary>Merges sorted dictionaries, the write winning per key; a null dictionary is empty.</summary>
    public static ImmutableSortedDictionary<TKey, TValue> Merge<TKey, TValue>(ImmutableSortedDictionary<TKey, TValue>? current, ImmutableSortedDictionary<TKey, TValue>? write)
        where TKey : notnull =>
        current is null || current.IsEmpty ? write ?? ImmutableSortedDictionary<TKey, TValue>.Empty : write is null ? current : current.SetItems(write);

    /// <summary>The items <paramref name="after"/> adds at the end of <paramref name="before"/>, or null when it is not an extension.</summary>
    public static ImmutableList<T>? Added<T>(ImmutableList<T>? before, ImmutableList<T>? after)
    {
        before ??= [];
        after ??= [];
        if (after.Count < before.Count)
        {
            return null;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < before.Count; i++)
        {
            if (!comparer.Equals(before[i], after[i]))
            {
                return null;
            }
        }

        return after.GetRange(before.Count, after.Count - before.Count);
    }

    /// <summary>The items <paramref name="after"/> adds at the end of <paramref name="before"/>, or default when it is not an extension.</summary>
    public static ImmutableArray<T> Added<T>(ImmutableArray<T> before, ImmutableArray<T> after)
    {
        before = before.IsDefault ? [] : before;
        after = after.IsDefault ? [] : after;
        if (after.Length < before.Length)
        {
            return default;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < before.Length; i++)
        {
            if (!comparer.Equals(before[i], after[i]))
            {
                return default;
            }
        }

        return ImmutableArray.Create(after, before.Length, after.Length - before.Length);
    }

    /// <summary>
    /// Whether a field holds the same value in two states as a checkpoint sees it (<see cref="IGraphState{TSelf}.SameField"/>):
    /// the same object, or an equal value or string. Unlike <see cref="Same{T}"/>, equal sequences in two objects differ.
    /// </summary>
    public static bool SameStored<T>(T before, T after) =>
        typeof(T).IsValueType ? EqualityComparer<T>.Default.Equals(before, after) : SameStored((object?)before, (object?)after);

    /// <summary>The same as <see cref="SameStored{T}(T, T)"/> for values of any type.</summary>
    public static bool SameStored(object? before, object? after) =>
        ReferenceEquals(before, after) || (before is string or ValueType && Equals(before, after));

    /// <summary>Whether two field values are equal (sequences compared item by item).</summary>
    public static bool Same<T>(T before, T after)
    {
        if (EqualityComparer<T>.Default.Equals(before, after))
        {
            return true;
        }

        return before is System.Collections.IEnumerable a && after is System.Collections.IEnumerable b && a.Cast<object?>().SequenceEqual(b.Cast<object?>());
    }
}
