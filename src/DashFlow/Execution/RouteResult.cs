using System.ComponentModel;

namespace DashFlow.Internals;

/// <summary>What a router returned, in the engine's terms. For generated code and the builder.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct RouteResult
{
    internal enum ResultKind : byte
    {
        Nothing,
        Index,
        Indexes,
        Name,
        Names,
        Sends,
        Undeclared,
    }

    private RouteResult(ResultKind kind, int index, object? payload)
    {
        Kind = kind;
        Index = index;
        Payload = payload;
    }

    internal ResultKind Kind { get; }

    internal int Index { get; }

    internal object? Payload { get; }

    /// <summary>The declared target at <paramref name="index"/>.</summary>
    public static RouteResult ToIndex(int index) => new(ResultKind.Index, index, null);

    /// <summary>Several declared targets, by index.</summary>
    public static RouteResult ToIndexes(int[] indexes) => new(ResultKind.Indexes, 0, indexes);

    /// <summary>A node by name (or <see cref="Graph.End"/>).</summary>
    public static RouteResult ToName(string? name) => new(ResultKind.Name, 0, name);

    /// <summary>Several nodes by name.</summary>
    public static RouteResult ToNames(IEnumerable<string>? names) => new(ResultKind.Names, 0, names);

    /// <summary>One Send.</summary>
    public static RouteResult ToSend(Send send) => new(ResultKind.Sends, 0, new[] { send });

    /// <summary>Several Sends.</summary>
    public static RouteResult ToSends(IEnumerable<Send>? sends) => new(ResultKind.Sends, 0, sends);

    /// <summary>A value the router did not declare.</summary>
    public static RouteResult Undeclared(string value) => new(ResultKind.Undeclared, 0, value);

    /// <summary>Several generated targets, mapped to declared indexes by <paramref name="map"/> (-1 for undeclared).</summary>
    public static RouteResult FromTargets<TTarget>(IEnumerable<TTarget>? targets, Func<TTarget, int> map)
        where TTarget : struct, Enum
    {
        if (targets is null)
        {
            return default;
        }

        var indexes = new List<int>();
        foreach (var target in targets)
        {
            var index = map(target);
            if (index < 0)
            {
                return Undeclared(target.ToString());
            }

            indexes.Add(index);
        }

        return ToIndexes([.. indexes]);
    }
}

/// <summary>A router in the engine's terms: reads the state (with only its node's update applied) and returns targets.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <param name="state">The state the router sees.</param>
/// <param name="cancellationToken">The run's cancellation.</param>
/// <returns>The route.</returns>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate RouteResult RouterHandler<TState>(TState state, CancellationToken cancellationToken)
    where TState : class, IGraphState<TState>;
