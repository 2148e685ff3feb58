// What the state generator emits for the declaration below, written by hand so the engine can be tested on its own.
// The generator's golden file for the same declaration must match this file's shape.
//
//   [GraphState]
//   public partial record DemoState
//   {
//       public string Query { get; init; } = "";
//       [Reducer(Append)] public ImmutableList<string> Log { get; init; } = [];
//       [Reducer(Sum)] public int Count { get; init; }
//   }
using System.Collections.Immutable;

namespace DashFlow.Tests.Reference;

public partial record DemoState
{
    public string Query { get; init; } = "";

    public ImmutableList<string> Log { get; init; } = [];

    public int Count { get; init; }
}

// ---- generated part ----
[global::System.CodeDom.Compiler.GeneratedCode("DashFlow.Generators", "0.1.0")]
partial record DemoState : global::DashFlow.IGraphState<global::DashFlow.Tests.Reference.DemoState>
{
    /// <summary>The fields of <see cref="DemoState"/>, their types and reducers.</summary>
    public static global::DashFlow.StateSchema Schema { get; } = new(
        typeof(global::DashFlow.Tests.Reference.DemoState),
        1,
        [
            new("Query", typeof(string), global::DashFlow.ReducerKind.Replace),
            new("Log", typeof(global::System.Collections.Immutable.ImmutableList<string>), global::DashFlow.ReducerKind.Append),
            new("Count", typeof(int), global::DashFlow.ReducerKind.Sum),
        ]);

    static global::DashFlow.Tests.Reference.DemoState global::DashFlow.IGraphState<global::DashFlow.Tests.Reference.DemoState>.ApplyWrites(
        global::DashFlow.Tests.Reference.DemoState state,
        global::System.ReadOnlySpan<global::DashFlow.StateWrite<global::DashFlow.Tests.Reference.DemoState>> writes)
    {
        var changed = false;
        var query = state.Query;
        var queryWriter = -1;
        var log = state.Log;
        var logOverwriter = -1;
        var count = state.Count;
        var countOverwriter = -1;
        for (var i = 0; i < writes.Length; i++)
        {
            var update = (Update)writes[i].Update;
            if (update._hasQuery)
            {
                if (queryWriter >= 0)
                {
                    throw global::DashFlow.Internals.StateWrites.ReplaceConflict(writes, "Query", queryWriter, i);
                }

                queryWriter = i;
                query = update._query;
                changed = true;
            }

            if (update._hasLogOverwrite)
            {
                if (logOverwriter >= 0)
                {
                    throw global::DashFlow.Internals.StateWrites.DoubleOverwrite(writes, "Log", logOverwriter, i);
                }

                logOverwriter = i;
                log = update._logOverwrite;
                changed = true;
            }
            else if (update._hasLog && logOverwriter < 0)
            {
                log = global::DashFlow.Internals.StateWrites.Append(log, update._log);
                changed = true;
            }

            if (update._hasCountOverwrite)
            {
                if (countOverwriter >= 0)
                {
                    throw global::DashFlow.Internals.StateWrites.DoubleOverwrite(writes, "Count", countOverwriter, i);
                }

                countOverwriter = i;
                count = update._countOverwrite;
                changed = true;
            }
            else if (update._hasCount && countOverwriter < 0)
            {
                count = count + update._count;
                changed = true;
            }
        }

        return changed ? state with { Query = query, Log = log, Count = count } : state;
    }

    static global::DashFlow.Tests.Reference.DemoState global::DashFlow.IGraphState<global::DashFlow.Tests.Reference.DemoState>.CreateDefault() => new();

    static object? global::DashFlow.IGraphState<global::DashFlow.Tests.Reference.DemoState>.GetField(global::DashFlow.Tests.Reference.DemoState state, int field) => field switch
    {
        0 => state.Query,
        1 => state.Log,
        2 => state.Count,
        _ => throw new global::System.ArgumentOutOfRangeException(nameof(field)),
    };

    static global::DashFlow.StateUpdate<global::DashFlow.Tests.Reference.DemoState> global::DashFlow.IGraphState<global::DashFlow.Tests.Reference.DemoState>.CreateUpdate() => new Update();

    static global::DashFlow.StateUpdate<global::DashFlow.Tests.Reference.DemoState> global::DashFlow.IGraphState<global::DashFlow.Tests.Reference.DemoState>.Diff(
        global::DashFlow.Tests.Reference.DemoState before,
        global::DashFlow.Tests.Reference.DemoState after)
    {
        var update = new Update();
        if (!global::DashFlow.Internals.StateWrites.Same(before.Query, after.Query))
        {
            update._query = after.Query;
            update._hasQuery = true;
        }

        if (!global::DashFlow.Internals.StateWrites.Same(before.Log, after.Log))
        {
            var added = global::DashFlow.Internals.StateWrites.Added(before.Log, after.Log);
            if (added is not null)
            {
                update._log = added;
                update._hasLog = true;
            }
            else
            {
                update._logOverwrite = after.Log;
                update._hasLogOverwrite = true;
            }
        }

        if (!global::DashFlow.Internals.StateWrites.Same(before.Count, after.Count))
        {
            update._count = after.Count - before.Count;
            update._hasCount = true;
        }

        return update;
    }

    /// <summary>
    /// A partial update of <see cref="DemoState"/>: only the properties you set are written. A reducer field also has an
    /// <c>Overwrite…</c> property that replaces its value instead of reducing into it.
    /// </summary>
    [global::System.CodeDom.Compiler.GeneratedCode("DashFlow.Generators", "0.1.0")]
    public sealed partial class Update : global::DashFlow.StateUpdate<global::DashFlow.Tests.Reference.DemoState>
    {
        internal string _query = default!;
        internal bool _hasQuery;
        internal global::System.Collections.Immutable.ImmutableList<string> _log = default!;
        internal bool _hasLog;
        internal global::System.Collections.Immutable.ImmutableList<string> _logOverwrite = default!;
        internal bool _hasLogOverwrite;
        internal int _count;
        internal bool _hasCount;
        internal int _countOverwrite;
        internal bool _hasCountOverwrite;

        /// <summary>Writes <see cref="DemoState.Query"/> (Replace).</summary>
        public string Query { get => _query; init { _query = value; _hasQuery = true; } }

        /// <summary>Writes <see cref="DemoState.Log"/> (Append).</summary>
        public global::System.Collections.Immutable.ImmutableList<string> Log { get => _log; init { _log = value; _hasLog = true; } }

        /// <summary>Replaces <see cref="DemoState.Log"/>, ignoring its other writes in the same superstep.</summary>
        public global::System.Collections.Immutable.ImmutableList<string> OverwriteLog { get => _logOverwrite; init { _logOverwrite = value; _hasLogOverwrite = true; } }

        /// <summary>Writes <see cref="DemoState.Count"/> (Sum).</summary>
        public int Count { get => _count; init { _count = value; _hasCount = true; } }

        /// <summary>Replaces <see cref="DemoState.Count"/>, ignoring its other writes in the same superstep.</summary>
        public int OverwriteCount { get => _countOverwrite; init { _countOverwrite = value; _hasCountOverwrite = true; } }

        /// <inheritdoc/>
        public override bool IsEmpty => !(_hasQuery || _hasLog || _hasLogOverwrite || _hasCount || _hasCountOverwrite);

        /// <inheritdoc/>
        public override bool TryGetField(int field, out object? value, out bool overwrite)
        {
            switch (field)
            {
                case 0 when _hasQuery:
                    (value, overwrite) = (_query, false);
                    return true;
                case 1 when _hasLogOverwrite:
                    (value, overwrite) = (_logOverwrite, true);
                    return true;
                case 1 when _hasLog:
                    (value, overwrite) = (_log, false);
                    return true;
                case 2 when _hasCountOverwrite:
                    (value, overwrite) = (_countOverwrite, true);
                    return true;
                case 2 when _hasCount:
                    (value, overwrite) = (_count, false);
                    return true;
                default:
                    (value, overwrite) = (null, false);
                    return false;
            }
        }

        /// <inheritdoc/>
        public override void SetField(int field, object? value, bool overwrite)
        {
            switch (field)
            {
                case 0:
                    _query = (string)value!;
                    _hasQuery = true;
                    break;
                case 1 when overwrite:
                    _logOverwrite = (global::System.Collections.Immutable.ImmutableList<string>)value!;
                    _hasLogOverwrite = true;
                    break;
                case 1:
                    _log = (global::System.Collections.Immutable.ImmutableList<string>)value!;
                    _hasLog = true;
                    break;
                case 2 when overwrite:
                    _countOverwrite = (int)value!;
                    _hasCountOverwrite = true;
                    break;
                case 2:
                    _count = (int)value!;
                    _hasCount = true;
                    break;
                default:
                    throw new global::System.ArgumentOutOfRangeException(nameof(field));
            }
        }
    }
}
