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
        : base(checkpointId is null
            ? $"Thread '{threadId}' has no checkpoint: nothing to resume or read. Start it with an input first, or check the thread id."
            : $"Thread '{threadId}' has no checkpoint '{checkpointId}'. List the thread's checkpoints with GetStateHistoryAsync to find a valid id.")
    {
        ThreadId = threadId;
        CheckpointId = checkpointId;
    }

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
