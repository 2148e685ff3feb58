using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>The file's schema: its versions and how a file is brought up to this build's.</summary>
public sealed partial class SqliteCheckpointer
{
    /// <summary>The version of the file's schema this build writes.</summary>
    public const int SchemaVersion = 3;

    private static readonly string[][] s_migrations =
    [
        // Version 1.
        [
            """
            CREATE TABLE checkpoints (
                thread_id TEXT NOT NULL, ns TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, step INTEGER NOT NULL,
                source INTEGER NOT NULL, created_at INTEGER NOT NULL, schema_version INTEGER NOT NULL, body BLOB NOT NULL,
                PRIMARY KEY (thread_id, ns, id)) WITHOUT ROWID
            """,
            """
            CREATE TABLE blobs (
                thread_id TEXT NOT NULL, ns TEXT NOT NULL, field TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL,
                PRIMARY KEY (thread_id, ns, field, version)) WITHOUT ROWID
            """,
            """
            CREATE TABLE writes (
                thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL,
                kind INTEGER NOT NULL, text TEXT, data BLOB,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)) WITHOUT ROWID
            """,
        ],

        // Version 2. A checkpoint's row also holds the blobs it introduces under its own id (the usual case: each changed
        // field gets the new checkpoint's id as version), so storing a checkpoint changes one table, not two: one page
        // written per commit instead of two. Blobs under other versions stay in the blobs table.
        [
            "ALTER TABLE checkpoints ADD COLUMN blobs BLOB",
        ],

        // Version 3. The tables are unchanged; new rows carry a smaller body (see EncodeBody), which builds before
        // version 3 cannot read: the version number makes them refuse the file with a clear error instead. Version 2 rows
        // still read.
        [],
    ];

    /// <summary>
    /// How long the first statement on a new connection waits for a locked file before the file counts as held. The
    /// locks SQLite takes on its own (WAL recovery, the last connection's checkpoint when it closes) last milliseconds;
    /// a checkpointer with exclusive locking holds its file until it is disposed.
    /// </summary>
    private const int HeldTimeoutSeconds = 1;

    /// <summary>SQLITE_BUSY.</summary>
    private const int SqliteBusy = 5;

    /// <summary>
    /// Turns on WAL and brings the schema up to <see cref="SchemaVersion"/>: once per instance in shared mode; in
    /// exclusive mode on each connection it opens (one, unless a failure closed it), since this is where it takes the file.
    /// </summary>
    private void Initialize(SqliteConnection connection)
    {
        lock (_initLock)
        {
            if (_ready && !_exclusive)
            {
                return;
            }

            Claim(connection);
            if (_ready)
            {
                return;
            }

            // BEGIN IMMEDIATE: two processes opening a new file at once migrate it one after the other.
            using var transaction = connection.BeginTransaction(deferred: false);
            Run(connection, "CREATE TABLE IF NOT EXISTS dashflow_schema (version INTEGER NOT NULL)", transaction);
            var version = ReadVersion(connection, transaction);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The checkpoint file '{Path}' has schema version {version}, newer than this DashFlow.Sqlite ({SchemaVersion}); upgrade DashFlow.Sqlite to open it.");
            }

            if (version < SchemaVersion)
            {
                for (; version < SchemaVersion; version++)
                {
                    foreach (var statement in s_migrations[version])
                    {
                        Run(connection, statement, transaction);
                    }
                }

                Run(connection, $"DELETE FROM dashflow_schema; INSERT INTO dashflow_schema (version) VALUES ({SchemaVersion})", transaction);
            }

            transaction.Commit();
            _ready = true;
        }
    }

    /// <summary>
    /// The connection's first read of the file, which turns on WAL. A file held by a checkpointer with exclusive locking
    /// (or, for one with exclusive locking, open anywhere else) shows here: SQLite answers SQLITE_BUSY, and
    /// Microsoft.Data.Sqlite retries for the command's timeout, which is short here so that the call fails fast instead
    /// of after the usual 30 seconds. In exclusive mode this statement takes the file's lock, kept until the connection
    /// closes.
    /// </summary>
    private void Claim(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        command.CommandTimeout = HeldTimeoutSeconds;
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteBusy)
        {
            throw new InvalidOperationException(
                _exclusive
                    ? $"The checkpoint file '{Path}' is in use: a SqliteCheckpointer opened with ExclusiveLocking needs the file to itself, but another " +
                      "checkpointer (with or without ExclusiveLocking, in this process or another) or another process has it open. Dispose the other " +
                      "checkpointer or stop that process, then call again."
                    : $"The checkpoint file '{Path}' is held by a SqliteCheckpointer opened with ExclusiveLocking (in this process or another), or " +
                      "another process holds it locked. A checkpointer with ExclusiveLocking keeps the file until it is disposed: dispose it or stop " +
                      "that process, then call again.",
                e);
        }
    }

    private static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE((SELECT MAX(version) FROM dashflow_schema), 0)";
        try
        {
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException) when (transaction is null)
        {
            return 0;
        }
    }

    private static void Run(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
