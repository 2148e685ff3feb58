using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;
using Microsoft.Agents.AI.Workflows.InProc;

namespace DashFlow.Benchmarks.Graphs;

/// <summary>
/// Agent Framework's Lockstep environment with checkpointing, on one of its own checkpoint stores: in memory, or JSON
/// files in a folder (its durable store; it has none on SQLite).
/// </summary>
public sealed class AgentFrameworkStore : IDisposable
{
    private readonly FileSystemJsonCheckpointStore? _files;
    private readonly string? _folder;

    private AgentFrameworkStore(InProcessExecutionEnvironment environment, FileSystemJsonCheckpointStore? files, string? folder)
    {
        Environment = environment;
        _files = files;
        _folder = folder;
    }

    /// <summary>The environment to run workflows in.</summary>
    public InProcessExecutionEnvironment Environment { get; }

    /// <summary>Checkpoints kept in memory (<see cref="CheckpointManager.CreateInMemory"/>).</summary>
    public static AgentFrameworkStore InMemory() => new(InProcessExecution.Lockstep.WithCheckpointing(CheckpointManager.CreateInMemory()), null, null);

    /// <summary>Checkpoints written as JSON files into a new folder (<see cref="FileSystemJsonCheckpointStore"/>).</summary>
    /// <param name="folder">The folder; created.</param>
    public static AgentFrameworkStore OnFiles(string folder)
    {
        var files = new FileSystemJsonCheckpointStore(Directory.CreateDirectory(folder));
        return new(InProcessExecution.Lockstep.WithCheckpointing(CheckpointManager.CreateJson(files)), files, folder);
    }

    /// <summary>Closes the file store and deletes its folder.</summary>
    public void Dispose()
    {
        _files?.Dispose();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
