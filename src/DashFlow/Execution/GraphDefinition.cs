using System.Collections.Frozen;
using DashFlow.Internals;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DashFlow;

/// <summary>A checked graph with every name resolved to an index: what the engine runs. Immutable.</summary>
internal sealed class GraphDefinition<TState>
    where TState : class, IGraphState<TState>
{
    public const int EndIndex = -1;

    private GraphDefinition(string name, NodeDef[] nodes, FrozenDictionary<string, int> index, JoinDef[] joins, int joinSlotCount, TimeProvider timeProvider)
    {
        Name = name;
        Nodes = nodes;
        Index = index;
        Joins = joins;
        JoinSlotCount = joinSlotCount;
        TimeProvider = timeProvider;
        StartIndex = nodes.Length;
    }

    public string Name { get; }

    public NodeDef[] Nodes { get; }

    /// <summary>Node names to indexes; used for names that arrive at run time (builder routers, Commands, Sends).</summary>
    public FrozenDictionary<string, int> Index { get; }

    public JoinDef[] Joins { get; }

    public int JoinSlotCount { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>The index of the virtual Start node in <see cref="Successors"/> and <see cref="Routers"/>.</summary>
    public int StartIndex { get; }

    public int[][] Successors { get; private set; } = [];

    public RouterDef[][] Routers { get; private set; } = [];

    public bool HasAsyncNodes { get; private set; }

    public bool HasDeferredNodes { get; private set; }

    public string NameOf(int index) => index == EndIndex ? Graph.End : index == StartIndex ? Graph.Start : Nodes[index].Name;

    public static GraphDefinition<TState> Build(
        string name,
        IReadOnlyList<StateGraph<TState>.NodeSpec> nodeSpecs,
        IReadOnlyList<(string From, string To)> edges,
        IReadOnlyList<(string[] From, string To)> joins,
        IReadOnlyList<StateGraph<TState>.RouteSpec> routes,
        IReadOnlyList<string> earlierProblems,
        TimeProvider timeProvider)
    {
        var problems = new List<string>(earlierProblems);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodeSpecs.Count; i++)
        {
            // A duplicate keeps the first node's index (the duplicate is reported); an index is always the node's position.
            if (nodeSpecs[i].Name is { } nodeName)
            {
                index.TryAdd(nodeName, i);
            }
        }

        var n = nodeSpecs.Count;
        var startIndex = n;

        int Resolve(string? node, string what, bool allowStart, bool allowEnd)
        {
            if (node == Graph.Start)
            {
                if (!allowStart)
                {
                    problems.Add($"{what} leads into Start; nothing can go to Start. Remove it or point it at a node.");
                }

                return startIndex;
            }

            if (node == Graph.End)
            {
                if (!allowEnd)
                {
                    problems.Add($"{what} comes out of End; End triggers nothing. Remove it.");
                }

                return EndIndex;
            }

            if (node is not null && index.TryGetValue(node, out var i))
            {
                return i;
            }

            problems.Add($"{what} names unknown node '{node}'.{Suggest(node, index.Keys)}");
            return int.MinValue;
        }

        var successors = new List<int>[n + 1];
        for (var i = 0; i <= n; i++)
        {
            successors[i] = [];
        }

        foreach (var (from, to) in edges)
        {
            var what = $"Edge '{Graph.Display(from)}' -> '{Graph.Display(to)}'";
            var f = Resolve(from, what, allowStart: true, allowEnd: false);
            var t = Resolve(to, what, allowStart: false, allowEnd: true);
            if (f >= 0 && t != int.MinValue && !successors[f].Contains(t))
            {
                successors[f].Add(t);
            }
        }

        var joinDefs = new List<JoinDef>();
        var joinSlots = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            joinSlots[i] = [];
        }

        var slotCount = 0;
        foreach (var (from, to) in joins)
        {
            var what = $"Join [{string.Join(", ", from)}] -> '{Graph.Display(to)}'";
            if (from.Length == 0)
            {
                problems.Add($"{what} has no source nodes.");
                continue;
            }

            var t = Resolve(to, what, allowStart: false, allowEnd: true);
            var sources = new List<int>();
            foreach (var source in from.Distinct())
            {
                var s = source == Graph.Start ? int.MinValue : Resolve(source, what, allowStart: false, allowEnd: false);
                if (source == Graph.Start)
                {
                    problems.Add($"{what} waits for Start; a join's sources must be nodes. Use a plain edge from Start.");
                }

                if (s >= 0 && s < n)
                {
                    sources.Add(s);
                }
            }

            if (t == int.MinValue || sources.Count != from.Distinct().Count())
            {
                continue;
            }

            var join = new JoinDef(joinDefs.Count, t, [.. sources], slotCount);
            for (var p = 0; p < sources.Count; p++)
            {
                joinSlots[sources[p]].Add(slotCount + p);
            }

            slotCount += sources.Count;
            joinDefs.Add(join);
        }

        var routers = new List<RouterDef>[n + 1];
        for (var i = 0; i <= n; i++)
        {
            routers[i] = [];
        }

        foreach (var route in routes)
        {
            var what = $"Router '{route.Name}' on '{Graph.Display(route.Source)}'";
            var source = Resolve(route.Source, what, allowStart: true, allowEnd: false);
            int[]? targets = null;
            if (route.Targets is not null)
            {
                targets = new int[route.Targets.Length];
                for (var i = 0; i < targets.Length; i++)
                {
                    targets[i] = Resolve(route.Targets[i], $"{what}: declared target", allowStart: false, allowEnd: true);
                }
            }

            if (source >= 0)
            {
                routers[source].Add(new RouterDef(route.Name, route.Targets, targets, route.Handler));
            }
        }

        var nodes = new NodeDef[n];
        var destinations = new List<int>[n];
        var hasAsync = false;
        var hasDeferred = false;
        for (var i = 0; i < n; i++)
        {
            var spec = nodeSpecs[i];
            var isAsync = spec.IsAsync || spec.Options.Timeout is not null || spec.Options.Retry is not null;
            nodes[i] = new NodeDef(i, spec.Name, spec.Handler, spec.Options, spec.ArgType, BuildPipeline(spec.Name, spec.Options, timeProvider), [.. joinSlots[i]], isAsync);
            hasAsync |= isAsync;
            hasDeferred |= spec.Options.Defer;
            destinations[i] = [];
            foreach (var destination in spec.Options.Destinations ?? [])
            {
                var d = Resolve(destination, $"Node '{spec.Name}' (in NodeOptions.Destinations)", allowStart: false, allowEnd: true);
                if (d >= 0 && d < n)
                {
                    destinations[i].Add(d);
                }
            }
        }

        // Without an entry every node is unreachable: that is one problem, not one per node. Otherwise unreachable nodes
        // are listed with the other problems; nodes whose name is already wrong (duplicate, reserved, empty) are not.
        if (successors[startIndex].Count == 0 && routers[startIndex].Count == 0)
        {
            problems.Add("The graph has no entry: add an edge from Graph.Start to the first node (AddEdge(Graph.Start, \"...\") or [Edge(From = Graph.Start)]).");
        }
        else
        {
            AddUnreachable(problems, nodes, index, successors, joinDefs, routers, destinations, startIndex);
        }

        if (problems.Count > 0)
        {
            throw new GraphValidationException(name, problems);
        }

        return new GraphDefinition<TState>(name, nodes, index.ToFrozenDictionary(StringComparer.Ordinal), [.. joinDefs], slotCount, timeProvider)
        {
            Successors = [.. successors.Select(s => s.ToArray())],
            Routers = [.. routers.Select(r => r.ToArray())],
            HasAsyncNodes = hasAsync,
            HasDeferredNodes = hasDeferred,
        };
    }

    private static void AddUnreachable(
        List<string> problems,
        NodeDef[] nodes,
        Dictionary<string, int> index,
        List<int>[] successors,
        List<JoinDef> joins,
        List<RouterDef>[] routers,
        List<int>[] destinations,
        int start)
    {
        var reached = new bool[nodes.Length + 1];
        var queue = new Queue<int>();
        void Reach(int i)
        {
            if (i >= 0 && !reached[i])
            {
                reached[i] = true;
                queue.Enqueue(i);
            }
        }

        Reach(start);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var next in successors[current])
            {
                Reach(next);
            }

            foreach (var router in routers[current])
            {
                if (router.Targets is null)
                {
                    for (var i = 0; i < nodes.Length; i++)
                    {
                        Reach(i);
                    }
                }
                else
                {
                    foreach (var target in router.Targets)
                    {
                        Reach(target);
                    }
                }
            }

            if (current < nodes.Length)
            {
                foreach (var join in joins)
                {
                    if (join.Sources.Contains(current))
                    {
                        Reach(join.Target);
                    }
                }

                foreach (var destination in destinations[current])
                {
                    Reach(destination);
                }
            }
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            var name = nodes[i].Name;
            var misnamed = string.IsNullOrWhiteSpace(name) || name is Graph.Start or Graph.End || index[name] != i;
            if (!reached[i] && !misnamed)
            {
                problems.Add(
                    $"Node '{nodes[i].Name}' cannot be reached from Start: no edge, join, router target or Command destination leads to it. " +
                    "Add an edge to it, declare it as a router target or in NodeOptions.Destinations, or remove it.");
            }
        }
    }

    private static string Suggest(string? name, IEnumerable<string> known)
    {
        if (name is null)
        {
            return "";
        }

        var match = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return match is null ? " Check the spelling, or add the node first." : $" Did you mean '{match}'?";
    }

    private static ResiliencePipeline<NodeResult<TState>>? BuildPipeline(string node, NodeOptions options, TimeProvider timeProvider)
    {
        var retry = options.Retry;
        if ((retry is null || retry.MaxAttempts <= 1) && options.Timeout is null)
        {
            return null;
        }

        var builder = new ResiliencePipelineBuilder<NodeResult<TState>> { TimeProvider = timeProvider, Name = node };
        if (retry is { MaxAttempts: > 1 })
        {
            builder.AddRetry(new RetryStrategyOptions<NodeResult<TState>>
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Exception is { } e and not InterruptSignal && !args.Context.CancellationToken.IsCancellationRequested && retry.ShouldRetry(Unwrap(node, options, e))),
                DelayGenerator = args =>
                {
                    var delay = retry.DelayFor(args.AttemptNumber);
                    if (retry.Jitter)
                    {
                        delay += TimeSpan.FromMilliseconds(delay.TotalMilliseconds * 0.25 * Random.Shared.NextDouble());
                    }

                    return new ValueTask<TimeSpan?>(delay);
                },
                OnRetry = args =>
                {
                    args.Context.Properties.Set(AttemptsKey, args.AttemptNumber + 2);
                    return default;
                },
            });
        }

        if (options.Timeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder.Build();
    }

    internal static readonly ResiliencePropertyKey<int> AttemptsKey = new("DashFlow.Attempts");

    /// <summary>Turns Polly's timeout rejection into DashFlow's own error naming the node.</summary>
    internal static Exception Unwrap(string node, NodeOptions options, Exception exception) =>
        exception is TimeoutRejectedException && options.Timeout is { } timeout ? new NodeTimeoutException(node, timeout) : exception;

    internal sealed record NodeDef(
        int Index,
        string Name,
        NodeHandler<TState> Handler,
        NodeOptions Options,
        Type? ArgType,
        ResiliencePipeline<NodeResult<TState>>? Pipeline,
        int[] JoinSlots,
        bool IsAsync);

    internal sealed record JoinDef(int Id, int Target, int[] Sources, int SlotOffset);

    /// <summary>A router; <see cref="Targets"/> holds the declared targets as indexes (null: any node).</summary>
    internal sealed record RouterDef(string Name, string[]? TargetNames, int[]? Targets, RouterHandler<TState> Handler);
}
