using System.Collections.Immutable;

namespace DashFlow;

/// <summary>The fields of a state type, in declaration order, as the generator read them.</summary>
/// <param name="stateType">The state type.</param>
/// <param name="version">The schema version (<see cref="GraphStateAttribute.Version"/>).</param>
/// <param name="fields">The fields.</param>
public sealed class StateSchema(Type stateType, int version, ImmutableArray<StateField> fields)
{
    /// <summary>The state type.</summary>
    public Type StateType { get; } = stateType;

    /// <summary>The schema version, stored with checkpoints.</summary>
    public int Version { get; } = version;

    /// <summary>The fields, in declaration order; a field's number is its index here.</summary>
    public ImmutableArray<StateField> Fields { get; } = fields;

    /// <summary>The field names in declaration order, shared by every checkpoint's field-version map.</summary>
    internal string[] FieldNames { get; } = [.. fields.Select(f => f.Name)];

    /// <summary>The number of the field named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">The property name.</param>
    /// <returns>The field's index in <see cref="Fields"/>, or -1 when there is no such field.</returns>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Length; i++)
        {
            if (Fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>One field of a state type.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Type">The property type.</param>
/// <param name="Reducer">How writes are folded into the field.</param>
/// <param name="CustomReducer">The user reducer type for <see cref="ReducerKind.Custom"/>; otherwise null.</param>
public sealed record StateField(string Name, Type Type, ReducerKind Reducer, Type? CustomReducer = null)
{
    /// <summary>
    /// Whether the generator found the field's type immutable (numbers, strings, enums, dates and times, and immutable
    /// collections, tuples and nullables of those), its property init-only, and its value stored by DashFlow's own
    /// formatters, not a <see cref="Persistence.FieldCodecAttribute"/>. A checkpoint kept in memory then holds the value
    /// itself instead of its bytes: nothing can change it, and it reads back as its bytes would. When every field of a
    /// state is, the in-memory store keeps each checkpoint's state object itself.
    /// </summary>
    public bool IsImmutable { get; init; }
}
