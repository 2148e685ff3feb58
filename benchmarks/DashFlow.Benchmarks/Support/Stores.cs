using DashFlow.Benchmarks.Graphs;
using DashFlow.Persistence;
using DashFlow.Sqlite;

namespace DashFlow.Benchmarks.Support;

/// <summary>The rotating stores (<see cref="StoreRotation{TStore}"/>) of each variant of a checkpointing scenario.</summary>
public static class Stores
{
    /// <summary>DashFlow's checkpointer: <see cref="InMemoryCheckpointer"/>, or <see cref="SqliteCheckpointer"/> on a new file.</summary>
    public static StoreRotation<ICheckpointer> DashFlow(CheckpointStore kind, int runsPerStore, ScratchFiles? files, string name) => kind switch
    {
        CheckpointStore.Memory => new(runsPerStore, static () => new InMemoryCheckpointer(), static _ => { }),
        _ => new(runsPerStore, () => new SqliteCheckpointer(Files(files).NewPath(name), new SqliteCheckpointerOptions { ExclusiveLocking = kind == CheckpointStore.SqliteExclusive }), static s =>
        {
            var store = (SqliteCheckpointer)s;
            store.Dispose();
            ScratchFiles.DeleteDatabase(store.Path);
        }),
    };

    /// <summary>The hand-written program's log: <see cref="MemoryStateLog"/>, or <see cref="SqliteStateLog"/> on a new file.</summary>
    public static StoreRotation<IStateLog> HandWritten(CheckpointStore kind, int runsPerStore, ScratchFiles? files, string name) => kind switch
    {
        CheckpointStore.Memory => new(runsPerStore, static () => new MemoryStateLog(), static _ => { }),
        _ => new(runsPerStore, () => new SqliteStateLog(Files(files).NewPath(name), exclusive: kind == CheckpointStore.SqliteExclusive), static s =>
        {
            var log = (SqliteStateLog)s;
            log.Dispose();
            ScratchFiles.DeleteDatabase(log.Path);
        }),
    };

    /// <summary>Agent Framework's checkpoint manager: in memory, or JSON files in a new folder.</summary>
    public static StoreRotation<AgentFrameworkStore> AgentFramework(CheckpointStore kind, int runsPerStore, ScratchFiles? files) => kind switch
    {
        CheckpointStore.Memory => new(runsPerStore, AgentFrameworkStore.InMemory, static s => s.Dispose()),
        _ => new(runsPerStore, () => AgentFrameworkStore.OnFiles(Files(files).NewPath("agent-framework", "")), static s => s.Dispose()),
    };

    private static ScratchFiles Files(ScratchFiles? files) =>
        files ?? throw new InvalidOperationException("A store on files needs the scenario's ScratchFiles folder.");
}
