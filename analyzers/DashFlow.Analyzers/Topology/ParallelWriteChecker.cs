using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;

namespace DashFlow.Analyzers.Topology;

/// <summary>What the parallel-write rule needs to know about a Replace field of the state.</summary>
/// <param name="Property">The property's declaration, for the code fix; null when it is not in source.</param>
/// <param name="Reducer">The reducer that fits the field's type (Append, Union, Merge), or null when none is obvious.</param>
internal sealed record ReplaceField(Location? Property, string? Reducer);

/// <summary>
/// DFLOW0107: two nodes that can run in the same superstep both write a Replace field. Which nodes can run together is
/// found by playing the graph's supersteps on sets of nodes (fan-outs, joins, deferred nodes, every choice of a router
/// that returns one target, and Sends that start one node several times), up to a bound that keeps large graphs cheap.
/// </summary>
internal static class ParallelWriteChecker
{
    /// <summary>The most distinct supersteps explored; past it, pairs not yet seen are not reported.</summary>
    private const int MaxSupersteps = 2048;

    /// <summary>The most combinations of router choices followed from one superstep.</summary>
    private const int MaxChoices = 64;

    public static void Check(
        TopologyGraph graph,
        string stateName,
        IReadOnlyDictionary<string, ReplaceField> fields,
        Action<Diagnostic> report,
        CancellationToken cancellationToken)
    {
        var nodes = graph.Nodes;
        if (!nodes.Any(n => n.ReplaceWrites.Count > 0))
        {
            return;
        }

        var plan = Plan.Build(graph);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Superstep>();

        void Enqueue(Superstep step)
        {
            if (step.Running.Count > 0 && seen.Count < MaxSupersteps && seen.Add(step.Key()))
            {
                queue.Enqueue(step);
            }
        }

        foreach (var first in plan.Next(Superstep.Initial(plan.JoinSlots), fromStart: true))
        {
            Enqueue(first);
        }

        while (queue.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = queue.Dequeue();
            ReportConflicts(graph, stateName, fields, step, reported, report);
            foreach (var next in plan.Next(step, fromStart: false))
            {
                Enqueue(next);
            }
        }
    }

    private static void ReportConflicts(
        TopologyGraph graph,
        string stateName,
        IReadOnlyDictionary<string, ReplaceField> fields,
        Superstep step,
        HashSet<string> reported,
        Action<Diagnostic> report)
    {
        var running = step.Running;
        for (var x = 0; x < running.Count; x++)
        {
            var first = graph.Nodes[running[x]];
            if (first.ReplaceWrites.Count == 0)
            {
                continue;
            }

            if (step.Repeated.Contains(running[x]))
            {
                foreach (var write in first.ReplaceWrites.OrderBy(w => w.Key, StringComparer.Ordinal))
                {
                    if (reported.Add(first.Name + "\n" + first.Name + "\n" + write.Key))
                    {
                        Report(write.Key, write.Value, null,
                            $"Node '{first.Name}' of graph '{graph.Name}' can run several times in one superstep (one task per Send) and writes '{write.Key}' of '{stateName}', which has no reducer (Replace): " +
                            "the run would fail at the barrier as soon as two of its tasks write it.");
                    }
                }
            }

            for (var y = x + 1; y < running.Count; y++)
            {
                var second = graph.Nodes[running[y]];
                foreach (var write in second.ReplaceWrites.OrderBy(w => w.Key, StringComparer.Ordinal))
                {
                    if (!first.ReplaceWrites.TryGetValue(write.Key, out var firstWrite))
                    {
                        continue;
                    }

                    // Reported on the node declared later, pointing back at the other write.
                    var (earlier, later, earlierWrite, laterWrite) = running[x] < running[y]
                        ? (first, second, firstWrite, write.Value)
                        : (second, first, write.Value, firstWrite);
                    if (reported.Add(earlier.Name + "\n" + later.Name + "\n" + write.Key))
                    {
                        Report(write.Key, laterWrite, earlierWrite,
                            $"Nodes '{earlier.Name}' and '{later.Name}' of graph '{graph.Name}' can run in the same superstep and both write '{write.Key}' of '{stateName}', which has no reducer (Replace): " +
                            "the run would fail at the barrier.");
                    }
                }
            }
        }

        void Report(string field, Location location, Location? other, string message)
        {
            fields.TryGetValue(field, out var info);
            var fix = info?.Reducer is { } reducer
                ? $" Give '{field}' a reducer, for example [Reducer({reducer})], or let only one node write it."
                : $" Give '{field}' a reducer (for example [Reducer(typeof(YourReducer))]), or let only one node write it.";
            var additional = new List<Location>();
            if (other is not null)
            {
                additional.Add(other);
            }

            if (info?.Property is { } property)
            {
                additional.Add(property);
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.FieldProperty, field);
            if (info?.Reducer is { } fitting && info.Property is not null)
            {
                properties = properties.Add(DiagnosticDescriptors.ReducerProperty, fitting);
            }

            report(Diagnostic.Create(DiagnosticDescriptors.ParallelReplaceWrite, location, additional, properties, message + fix));
        }
    }

    /// <summary>One superstep: the nodes that run, those that run several times, held deferred nodes and join progress.</summary>
    private sealed class Superstep(List<int> running, HashSet<int> repeated, SortedSet<int> deferred, bool[] joinSlots)
    {
        public List<int> Running { get; } = running;

        public HashSet<int> Repeated { get; } = repeated;

        public SortedSet<int> Deferred { get; } = deferred;

        public bool[] JoinSlots { get; } = joinSlots;

        public static Superstep Initial(int joinSlots) => new([], [], [], new bool[joinSlots]);

        public string Key()
        {
            var key = new StringBuilder();
            foreach (var node in Running)
            {
                key.Append(node).Append(Repeated.Contains(node) ? "*," : ",");
            }

            key.Append('|');
            foreach (var node in Deferred)
            {
                key.Append(node).Append(',');
            }

            key.Append('|');
            foreach (var slot in JoinSlots)
            {
                key.Append(slot ? '1' : '0');
            }

            return key.ToString();
        }
    }

    /// <summary>The graph reduced to what decides which nodes run together.</summary>
    private sealed class Plan
    {
        private const int StartIndex = -2;

        private readonly List<int>[] _next;
        private readonly List<int>[] _repeatedNext;
        private readonly List<List<int>>[] _choices;
        private readonly List<(int Join, int Slot)>[] _joinSources;
        private readonly List<(int Target, int[] Slots)> _joins = [];
        private readonly bool[] _defer;
        private readonly int _count;

        private Plan(int count)
        {
            _count = count;
            _next = new List<int>[count + 1];
            _repeatedNext = new List<int>[count + 1];
            _choices = new List<List<int>>[count + 1];
            _joinSources = new List<(int, int)>[count + 1];
            _defer = new bool[count];
            for (var i = 0; i <= count; i++)
            {
                _next[i] = [];
                _repeatedNext[i] = [];
                _choices[i] = [];
                _joinSources[i] = [];
            }
        }

        public int JoinSlots { get; private set; }

        public static Plan Build(TopologyGraph graph)
        {
            var nodes = graph.Nodes;
            var plan = new Plan(nodes.Count);
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < nodes.Count; i++)
            {
                if (!index.ContainsKey(nodes[i].Name))
                {
                    index.Add(nodes[i].Name, i);
                }

                plan._defer[i] = nodes[i].Defer;
            }

            int From(string name) => name == TopologyChecker.Start ? nodes.Count : index.TryGetValue(name, out var i) ? i : -1;
            int To(string name) => name is TopologyChecker.Start or TopologyChecker.End ? -1 : index.TryGetValue(name, out var i) ? i : -1;

            foreach (var edge in graph.Edges)
            {
                if (From(edge.From.Value) is var from and >= 0 && To(edge.To.Value) is var to and >= 0)
                {
                    plan._next[from].Add(to);
                }
            }

            foreach (var join in graph.Joins)
            {
                var sources = join.Sources.Select(s => To(s.Value)).Distinct().ToList();
                var target = To(join.To.Value);
                if (sources.Contains(-1) || sources.Count == 0)
                {
                    continue;
                }

                var slots = new int[sources.Count];
                for (var s = 0; s < sources.Count; s++)
                {
                    slots[s] = plan.JoinSlots++;
                    plan._joinSources[sources[s]].Add((plan._joins.Count, slots[s]));
                }

                plan._joins.Add((target, slots));
            }

            foreach (var route in graph.Routes)
            {
                // A router that may return any node is not followed: assuming every node runs after it would call
                // nearly every pair of nodes parallel.
                if (From(route.From.Value) is not (var from and >= 0) || route.Targets is null)
                {
                    continue;
                }

                var targets = route.Targets.Select(t => To(t.Value)).Where(t => t >= 0).Distinct().ToList();
                switch (route.Kind)
                {
                    case RouteKind.Many:
                        plan._next[from].AddRange(targets);
                        break;
                    case RouteKind.Sends:
                        plan._repeatedNext[from].AddRange(targets);
                        break;
                    default:
                        // One of the targets, or End (an option with no node), or a target outside the graph.
                        plan._choices[from].Add([.. targets, -1]);
                        break;
                }
            }

            for (var i = 0; i < nodes.Count; i++)
            {
                var destinations = nodes[i].Destinations.Select(d => To(d.Value)).Where(d => d >= 0).Distinct().ToList();
                if (destinations.Count > 0)
                {
                    plan._choices[i].Add([.. destinations, -1]);
                }
            }

            return plan;
        }

        /// <summary>The supersteps that can follow <paramref name="step"/>, one per combination of router choices.</summary>
        public IEnumerable<Superstep> Next(Superstep step, bool fromStart)
        {
            IEnumerable<int> sources = fromStart ? [_count] : step.Running;
            var triggered = new SortedSet<int>();
            var repeated = new HashSet<int>();
            var slots = (bool[])step.JoinSlots.Clone();
            var choices = new List<List<int>>();
            foreach (var source in sources)
            {
                triggered.UnionWith(_next[source]);
                foreach (var target in _repeatedNext[source])
                {
                    // Several Sends to one node start it several times; a node a Send starts beside a pull task too.
                    triggered.Add(target);
                    repeated.Add(target);
                }

                choices.AddRange(_choices[source]);
                foreach (var (join, slot) in _joinSources[source])
                {
                    slots[slot] = true;
                    var (target, joinSlots) = _joins[join];
                    if (joinSlots.All(s => slots[s]))
                    {
                        foreach (var s in joinSlots)
                        {
                            slots[s] = false;
                        }

                        if (target >= 0)
                        {
                            triggered.Add(target);
                        }
                    }
                }
            }

            var picks = new int[choices.Count];
            for (var combination = 0; combination < MaxChoices; combination++)
            {
                var running = new SortedSet<int>(triggered);
                for (var c = 0; c < choices.Count; c++)
                {
                    if (choices[c][picks[c]] is var pick and >= 0)
                    {
                        running.Add(pick);
                    }
                }

                var deferred = new SortedSet<int>(step.Deferred);
                var now = new List<int>();
                foreach (var node in running)
                {
                    if (_defer[node])
                    {
                        deferred.Add(node);
                    }
                    else
                    {
                        now.Add(node);
                    }
                }

                if (now.Count == 0 && deferred.Count > 0)
                {
                    now.AddRange(deferred);
                    deferred.Clear();
                }

                yield return new Superstep(now, [.. repeated.Where(now.Contains)], deferred, slots);

                // The next combination, odometer style; done when every choice has wrapped around.
                var position = 0;
                while (position < picks.Length && ++picks[position] == choices[position].Count)
                {
                    picks[position++] = 0;
                }

                if (position == picks.Length)
                {
                    yield break;
                }
            }
        }
    }
}
