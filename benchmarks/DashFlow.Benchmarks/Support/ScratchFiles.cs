using Microsoft.Data.Sqlite;

namespace DashFlow.Benchmarks.Support;

/// <summary>
/// A temporary folder for the SQLite files of the checkpointing benchmarks: each file has a new name, and a retired one is
/// deleted with its WAL and shared-memory files. The folder goes when the benchmark is disposed.
/// </summary>
public sealed class ScratchFiles : IDisposable
{
    private int _count;

    /// <summary>Creates an empty folder under the system's temporary folder.</summary>
    /// <param name="scenario">Part of the folder's name, so that a leftover folder says where it came from.</param>
    public ScratchFiles(string scenario)
    {
        Folder = Directory.CreateTempSubdirectory($"dashflow-bench-{scenario}-").FullName;
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>A path in the folder that no file has had yet.</summary>
    /// <param name="name">The start of the file's name.</param>
    /// <param name="extension">The file's extension, with its dot.</param>
    public string NewPath(string name, string extension = ".db") => Path.Combine(Folder, $"{name}-{Interlocked.Increment(ref _count):00000}{extension}");

    /// <summary>Deletes a SQLite file and the files SQLite keeps beside it in WAL mode.</summary>
    /// <param name="path">The database file.</param>
    public static void DeleteDatabase(string path)
    {
        // Pooled connections keep the file open; the pool must let go before the file can really be gone.
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>Deletes the folder and everything in it.</summary>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
