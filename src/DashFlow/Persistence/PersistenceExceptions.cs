using DashFlow.Persistence;

namespace DashFlow;

/// <summary>Something that needs a checkpointer (an interrupt, a resume, time travel) was used without one.</summary>
/// <param name="message">What needed it and how to provide one.</param>
public sealed class CheckpointerRequiredException(string message) : DashFlowException(message);

/// <summary>A thread, or a checkpoint of it, does not exist.</summary>
public sealed class CheckpointNotFoundException : DashFlowException
{
    /// <summary>Creates the error.</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="checkpointId">The checkpoint asked for; null when the thread's latest was.</param>
    public CheckpointNotFoundException(string threadId, string? checkpointId)
        : this(threadId, checkpointId, null)
    {
    }

    /// <summary>Creates the error for a namespace of the thread (a subgraph's).</summary>
    /// <param name="threadId">The thread.</param>
    /// <param name="checkpointId">The checkpoint asked for; null when the latest was.</param>
    /// <param name="checkpointNamespace">The namespace; null or "" for the root graph.</param>
    public CheckpointNotFoundException(string threadId, string? checkpointId, string? checkpointNamespace)
        : base(string.IsNullOrEmpty(checkpointNamespace)
            ? checkpointId is null
                ? $"Thread '{threadId}' has no checkpoint: nothing to resume or read. Start it with an input first, or check the thread id."
                : $"Thread '{threadId}' has no checkpoint '{checkpointId}'. List the thread's checkpoints with GetStateHistoryAsync to find a valid id."
            : checkpointId is null
                ? $"Thread '{threadId}' has no checkpoint in namespace '{checkpointNamespace}'. A subgraph's namespace is 'node:step.index' of the parent's task that ran it (or 'node' when it keeps its state across runs); check both."
                : $"Thread '{threadId}' has no checkpoint '{checkpointId}' in namespace '{checkpointNamespace}'.")
    {
        ThreadId = threadId;
        CheckpointId = checkpointId;
        CheckpointNamespace = string.IsNullOrEmpty(checkpointNamespace) ? null : checkpointNamespace;
    }

    /// <summary>The namespace looked in (a subgraph's); null for the root graph.</summary>
    public string? CheckpointNamespace { get; }

    /// <summary>The checkpoint asked for; null when the thread's latest was.</summary>
    public string? CheckpointId { get; }
}

/// <summary>
/// A resume does not fit the thread's pending interrupts: there is none, there are several and one answer was given, or an
/// answer names an interrupt that is not pending.
/// </summary>
/// <param name="threadId">The thread.</param>
/// <param name="checkpointId">The checkpoint resumed from.</param>
/// <param name="message">What is wrong and what to do.</param>
public sealed class InvalidResumeException(string threadId, string checkpointId, string message) : DashFlowException(message)
{
    /// <summary>The thread.</summary>
    public new string ThreadId { get; } = threadId;

    /// <summary>The checkpoint resumed from.</summary>
    public string CheckpointId { get; } = checkpointId;
}

/// <summary>A stored checkpoint cannot be read: it is corrupt, truncated, of an unknown format, or does not fit this graph.</summary>
/// <param name="threadId">The thread.</param>
/// <param name="checkpointId">The checkpoint.</param>
/// <param name="message">What is wrong.</param>
/// <param name="inner">The cause.</param>
public sealed class CheckpointReadException(string threadId, string checkpointId, string message, Exception? inner = null)
    : DashFlowException($"Checkpoint '{checkpointId}' of thread '{threadId}' cannot be read: {message} The thread's earlier checkpoints are unaffected; resume from one of them with RunConfig.CheckpointId.", inner)
{
    /// <summary>The thread.</summary>
    public new string ThreadId { get; } = threadId;

    /// <summary>The checkpoint.</summary>
    public string CheckpointId { get; } = checkpointId;
}

/// <summary>
/// A checkpoint was refused because it no longer follows the thread's latest: another run (another graph instance, or
/// another process on the same store) stored a checkpoint on the thread since this run read or stored its last one.
/// Nothing stored is changed; the run that got this error stops.
/// </summary>
public sealed class CheckpointConflictException : DashFlowException
{
    /// <summary>Creates the error.</summary>
    /// <param name="checkpoint">The checkpoint that was refused.</param>
    /// <param name="latestId">The thread's latest checkpoint in that namespace, as the store found it.</param>
    public CheckpointConflictException(Checkpoint checkpoint, string? latestId)
        : base(
            $"Checkpoint '{checkpoint?.Id}' of thread '{checkpoint?.ThreadId}'{Where(checkpoint?.Namespace)} was not stored: it follows " +
            $"{(checkpoint?.ParentId is null ? "no checkpoint (a new thread)" : $"checkpoint '{checkpoint.ParentId}'")}, but the thread's latest is now " +
            $"{(latestId is null ? "none" : $"'{latestId}'")}. Another run is using the same thread at the same time (another process, or another compiled " +
            "graph on the same store). Nothing stored was changed; let one run finish, then resume the thread.")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ThreadId = checkpoint.ThreadId;
        CheckpointNamespace = checkpoint.Namespace;
        CheckpointId = checkpoint.Id;
        ParentId = checkpoint.ParentId;
        LatestId = latestId;
    }

    /// <summary>The thread.</summary>
    public new string ThreadId { get; }

    /// <summary>The namespace ("" for the root graph).</summary>
    public string CheckpointNamespace { get; }

    /// <summary>The checkpoint that was refused.</summary>
    public string CheckpointId { get; }

    /// <summary>The checkpoint it follows; null for a thread's first.</summary>
    public string? ParentId { get; }

    /// <summary>The thread's latest checkpoint when it was refused; null if the thread had none.</summary>
    public string? LatestId { get; }

    /// <summary>
    /// The check every <see cref="ICheckpointer.PutAsync"/> makes, inside the same transaction (or lock) as the write:
    /// a checkpoint must follow the thread's latest in its namespace, unless it starts a branch
    /// (<see cref="CheckpointSource.Fork"/>).
    /// </summary>
    /// <param name="checkpoint">The checkpoint about to be stored.</param>
    /// <param name="latestId">The thread's latest checkpoint id in the checkpoint's namespace; null if there is none.</param>
    /// <exception cref="CheckpointConflictException">It does not follow it.</exception>
    public static void ThrowIfNotLatest(Checkpoint checkpoint, string? latestId)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Source != CheckpointSource.Fork && !string.Equals(checkpoint.ParentId, latestId, StringComparison.Ordinal)
            && !string.Equals(checkpoint.Id, latestId, StringComparison.Ordinal))
        {
            throw new CheckpointConflictException(checkpoint, latestId);
        }
    }

    private static string Where(string? ns) => string.IsNullOrEmpty(ns) ? "" : $" (namespace '{ns}')";
}

/// <summary>A checkpoint was written by another schema version of the state and no migration leads to the current one.</summary>
/// <param name="threadId">The thread.</param>
/// <param name="checkpointId">The checkpoint.</param>
/// <param name="storedVersion">The version it was written with.</param>
/// <param name="currentVersion">The state's version now.</param>
public sealed class CheckpointMigrationException(string threadId, string checkpointId, int storedVersion, int currentVersion)
    : DashFlowException(
        $"Checkpoint '{checkpointId}' of thread '{threadId}' was written by schema version {storedVersion} of the state, and the state is now version " +
        $"{currentVersion}; no migration from version {storedVersion} to {currentVersion} is registered. Register one, or start a new thread.")
{
    /// <summary>The version the checkpoint was written with.</summary>
    public int StoredVersion { get; } = storedVersion;

    /// <summary>The state's version now.</summary>
    public int CurrentVersion { get; } = currentVersion;
}

/// <summary>The signal <see cref="NodeContext.Interrupt{TAnswer}"/> throws to suspend the run. Never retried; do not catch it.</summary>
internal sealed class InterruptSignal(int number, object? value) : Exception("The node called Interrupt; the run is suspended until it is resumed.")
{
    public int Number { get; } = number;

    public object? Value { get; } = value;
}
