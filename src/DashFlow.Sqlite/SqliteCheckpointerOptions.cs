namespace DashFlow.Sqlite;

/// <summary>How a <see cref="SqliteCheckpointer"/> uses its file.</summary>
public sealed class SqliteCheckpointerOptions
{
    /// <summary>
    /// Whether the checkpointer takes the file for itself: from its first call until it is disposed, no other
    /// checkpointer, in this process or another, and no other program can open the file. False by default.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With exclusive locking the checkpointer uses one connection, opened with SQLite's
    /// <c>PRAGMA locking_mode = EXCLUSIVE</c> before WAL is first used, and keeps it until it is disposed. SQLite then
    /// keeps the WAL index in the connection's own memory instead of the shared <c>-shm</c> file, so a transaction
    /// takes no shared-memory locks: each checkpoint costs fewer system calls. Calls on the checkpointer (reads and
    /// writes) run one at a time. With one connection there is none left to copy the WAL into the database file in the
    /// background, as the shared mode does: SQLite copies it inside the commit that takes it past 1,000 pages, and that
    /// commit waits for the copy and its flushes to disk.
    /// </para>
    /// <para>
    /// Use it when one process owns the file, as a service with its own database does. While the file is held, a second
    /// checkpointer on it fails at its first call with <see cref="InvalidOperationException"/>, within about a second,
    /// whichever mode it was opened in. A checkpointer with exclusive locking likewise fails at its first call while
    /// another checkpointer (in either mode) or program has the file open. Once the holder is disposed the file opens
    /// again in either mode: the file's format is the same in both modes.
    /// </para>
    /// </remarks>
    public bool ExclusiveLocking { get; init; }
}
