namespace DashFlow;

/// <summary>
/// Marks a <c>partial</c> record or class as the state of a graph. The DashFlow generator emits a nested
/// <c>Update</c> type (a partial update whose unset fields are not written), the superstep merge that folds a batch of
/// updates into the state with each field's reducer, and the field metadata.
/// </summary>
/// <remarks>
/// Every public instance property with an <c>init</c> or <c>set</c> accessor is a state field. A field's reducer is
/// <see cref="Reduce.Replace"/> unless a <see cref="ReducerAttribute"/> says otherwise.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GraphStateAttribute : Attribute
{
    /// <summary>The version of the state's schema, stored with checkpoints so that older ones can be migrated.</summary>
    public int Version { get; set; } = 1;
}
