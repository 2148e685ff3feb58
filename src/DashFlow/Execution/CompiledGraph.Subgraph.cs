using DashFlow.Persistence;

namespace DashFlow;

/// <summary>Running as a node of a checkpointed parent: checkpoints under the parent's thread, interrupts that bubble up.</summary>
public sealed partial class CompiledGraph<TState>
{
    /// <summary>Runs this graph as a subgraph of a parent without a checkpointer whose stream reports subgraph events.</summary>
    internal ValueTask<TState> InvokeAsChildAsync(TState input, RunConfig config, ChildStream stream, CancellationToken cancellationToken) =>
        RunAsync(input, null, config, stream.Events, stream.Modes, cancellationToken, eventNamespace: stream.Namespace);

    /// <summary>
    /// Runs this graph as the subgraph of a checkpointed parent's task. It continues what an earlier attempt of the task
    /// left unfinished (an interrupt, a breakpoint, a crash) and otherwise starts from <paramref name="input"/>, or, for a
    /// graph that keeps its state across runs, refreshes its stored state with <paramref name="refresh"/>.
    /// </summary>
    /// <returns>
    /// The final state; the interrupts it stopped at (empty when it finished); and whether they are the ones the task
    /// already raised (the parent resumed without an answer), rather than new ones.
    /// </returns>
    internal async ValueTask<(TState State, List<InterruptInfo> Stopped, bool Repeated)> RunAsSubgraphAsync(
        TState input, Func<TState, StateUpdate<TState>> refresh, SubgraphLink link, Func<string, ChildStream?> streamFor, CancellationToken cancellationToken)
    {
        var ns = link.NamespaceFor(_options.KeepStateAcrossRuns);
        var stream = streamFor(ns);
        var latest = await link.Store.GetAsync(link.Thread, ns, null, cancellationToken).ConfigureAwait(false);
        Command<TState>? command = null;
        var resume = false;
        if (latest is not null)
        {
            var pending = PregelRun<TState>.PendingInterrupts(latest.PendingWrites);
            if (pending.Count > 0)
            {
                if (!link.Answered)
                {
                    // The parent resumed without answering: the subgraph still waits for the same answer.
                    var waiting = pending.Select(x => new InterruptInfo(x.Id, x.Node, Codec.DecodeAny(x.Write.Data!))).ToList();
                    return (input, waiting, link.Raised >= 0);
                }

                command = pending.Count > 1 && link.Answer is IReadOnlyDictionary<string, object?> byId
                    ? new Command<TState> { ResumeById = byId }
                    : new Command<TState> { Resume = link.Answer };
            }
            else if (latest.Checkpoint.Next.Count > 0 || latest.Checkpoint.Sends.Count > 0)
            {
                // Stopped midway (a breakpoint, a crash, a failure): continue where it stopped.
                resume = true;
            }
            else if (_options.KeepStateAcrossRuns)
            {
                command = new Command<TState> { Update = refresh(input) };
            }
        }

        var persisted = new PregelRun<TState>.PersistedRun
        {
            Sink = new CheckpointSink(link.Store, link.Durability),
            Codec = Codec,
            Thread = link.Thread,
            Namespace = ns,
            Durability = link.Durability,
            Before = NodeSet(_options.InterruptBefore, null),
            After = NodeSet(_options.InterruptAfter, null),
            Resume = resume,
            IsSubgraph = true,
        };
        var run = new PregelRun<TState>(_definition);
        run.Start(new RunConfig { ThreadId = link.Thread, RecursionLimit = link.RecursionLimit }, input, stream?.Events, stream?.Modes ?? StreamMode.None, persisted, stream?.Namespace ?? "");
        try
        {
            var state = await run.RunAsync(command, cancellationToken).ConfigureAwait(false);
            return (state, run.StoppedAt(), false);
        }
        finally
        {
            run.Clear();
        }
    }
}
