namespace DashFlow.Benchmarks.Support;

/// <summary>Where a checkpointing scenario (S2, S5) stores its checkpoints.</summary>
public enum CheckpointStore
{
    /// <summary>In memory: DashFlow's <c>InMemoryCheckpointer</c>, the hand-written program's dictionaries.</summary>
    Memory,

    /// <summary>A SQLite file in WAL mode: DashFlow's <c>SqliteCheckpointer</c>, the hand-written program's own table.</summary>
    Sqlite,

    /// <summary>
    /// <see cref="Sqlite"/> with the file held by one connection (<c>locking_mode = EXCLUSIVE</c>): DashFlow's
    /// <c>SqliteCheckpointerOptions.ExclusiveLocking</c>, and the same setting in the hand-written program.
    /// </summary>
    SqliteExclusive,
}
