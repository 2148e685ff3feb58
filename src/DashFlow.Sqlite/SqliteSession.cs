using Microsoft.Data.Sqlite;

namespace DashFlow.Sqlite;

/// <summary>The statements the checkpointer runs, each prepared once per connection.</summary>
internal enum Statement
{
    Begin,
    BeginRead,
    Commit,
    Rollback,
    PutCheckpoint,
    InsertCheckpoint,
    InsertBlob,
    InsertWrite,
    SelectLatest,
    SelectLatestId,
    SelectById,
    SelectPage,
    SelectBlob,
    SelectOwnBlobs,
    SelectWrites,
    DeleteCheckpoints,
    DeleteBlobs,
    DeleteWrites,
    SelectThreads,
    Count,
}

/// <summary>
/// One open connection and its prepared statements. Opening a connection, setting its pragmas and compiling a statement
/// cost far more than running it, so the checkpointer keeps sessions open and reuses them: a checkpoint is a handful of
/// bound parameters and one commit.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private const string CheckpointColumns = "id, parent_id, step, source, created_at, schema_version, body, blobs";

    /// <summary>The thread's latest checkpoint id in a namespace (ids are time-ordered).</summary>
    private const string LatestId = "SELECT id FROM checkpoints WHERE thread_id = $t AND ns = $n ORDER BY id DESC LIMIT 1";

    private static readonly (string Sql, string[] Parameters)[] s_statements = Build();

    private readonly SqliteCommand?[] _commands = new SqliteCommand?[(int)Statement.Count];

    public SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The statement, prepared on first use, with its parameters in declaration order.</summary>
    public SqliteCommand this[Statement statement] => _commands[(int)statement] ?? Prepare(statement);

    /// <summary>Runs a statement that returns no rows, after binding its parameters in order.</summary>
    public int Execute(Statement statement, params ReadOnlySpan<object?> values) => Bind(statement, values).ExecuteNonQuery();

    /// <summary>Runs a query for one value (null when there is no row), after binding its parameters in order.</summary>
    public object? Scalar(Statement statement, params ReadOnlySpan<object?> values) => Bind(statement, values).ExecuteScalar();

    /// <summary>Runs a query, after binding its parameters in order.</summary>
    public SqliteDataReader Query(Statement statement, params ReadOnlySpan<object?> values) => Bind(statement, values).ExecuteReader();

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command?.Dispose();
        }

        Connection.Dispose();
    }

    private SqliteCommand Bind(Statement statement, ReadOnlySpan<object?> values)
    {
        var command = this[statement];
        var parameters = command.Parameters;
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    private SqliteCommand Prepare(Statement statement)
    {
        var (sql, names) = s_statements[(int)statement];
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return _commands[(int)statement] = command;
    }

    private static (string, string[])[] Build()
    {
        var statements = new (string, string[])[(int)Statement.Count];
        void Add(Statement statement, string sql, params string[] parameters) => statements[(int)statement] = (sql, parameters);

        // IMMEDIATE takes the write lock at BEGIN, so a writer in another process makes this one wait (busy timeout)
        // instead of failing when a read inside the transaction would have to be upgraded.
        Add(Statement.Begin, "BEGIN IMMEDIATE");
        Add(Statement.BeginRead, "BEGIN");
        Add(Statement.Commit, "COMMIT");
        Add(Statement.Rollback, "ROLLBACK");

        // The check that a checkpoint follows its thread's latest and the insert, in one statement: a statement is
        // atomic, so no other writer (in any process) can come between them. A checkpoint that does not follow gets a
        // NULL step, which the NOT NULL column refuses (SQLITE_CONSTRAINT_NOTNULL, and nothing is written). The same
        // check as INSERT ... SELECT ... WHERE would make SQLite copy the row through a temporary table first, because
        // the SELECT reads the table it inserts into: measurably slower than this VALUES row.
        Add(
            Statement.PutCheckpoint,
            "INSERT OR REPLACE INTO checkpoints (thread_id, ns, id, parent_id, step, source, created_at, schema_version, body, blobs) " +
            $"VALUES ($t, $n, $id, $p, CASE WHEN ({LatestId}) IS $p OR ({LatestId}) = $id THEN $s END, $src, $at, $sv, $body, $blobs)",
            "$t", "$n", "$id", "$p", "$s", "$src", "$at", "$sv", "$body", "$blobs");
        Add(
            Statement.InsertCheckpoint,
            "INSERT OR REPLACE INTO checkpoints (thread_id, ns, id, parent_id, step, source, created_at, schema_version, body, blobs) " +
            "VALUES ($t, $n, $id, $p, $s, $src, $at, $sv, $body, $blobs)",
            "$t", "$n", "$id", "$p", "$s", "$src", "$at", "$sv", "$body", "$blobs");
        Add(Statement.InsertBlob, "INSERT OR REPLACE INTO blobs (thread_id, ns, field, version, data) VALUES ($t, $n, $f, $v, $d)", "$t", "$n", "$f", "$v", "$d");
        Add(
            Statement.InsertWrite,
            "INSERT OR REPLACE INTO writes (thread_id, ns, checkpoint_id, task_id, idx, kind, text, data) VALUES ($t, $n, $c, $task, $i, $k, $text, $d)",
            "$t", "$n", "$c", "$task", "$i", "$k", "$text", "$d");
        Add(Statement.SelectLatest, $"SELECT {CheckpointColumns} FROM checkpoints WHERE thread_id = $t AND ns = $n ORDER BY id DESC LIMIT 1", "$t", "$n");
        Add(Statement.SelectLatestId, LatestId, "$t", "$n");
        Add(Statement.SelectById, $"SELECT {CheckpointColumns} FROM checkpoints WHERE thread_id = $t AND ns = $n AND id = $id", "$t", "$n", "$id");
        Add(
            Statement.SelectPage,
            $"SELECT {CheckpointColumns} FROM checkpoints WHERE thread_id = $t AND ns = $n AND ($before IS NULL OR id < $before) ORDER BY id DESC",
            "$t", "$n", "$before");
        Add(Statement.SelectOwnBlobs, "SELECT blobs FROM checkpoints WHERE thread_id = $t AND ns = $n AND id = $id", "$t", "$n", "$id");
        Add(Statement.SelectBlob, "SELECT data FROM blobs WHERE thread_id = $t AND ns = $n AND field = $f AND version = $v", "$t", "$n", "$f", "$v");
        Add(
            Statement.SelectWrites,
            "SELECT task_id, idx, kind, text, data FROM writes WHERE thread_id = $t AND ns = $n AND checkpoint_id = $c ORDER BY task_id, idx",
            "$t", "$n", "$c");
        Add(Statement.DeleteCheckpoints, "DELETE FROM checkpoints WHERE thread_id = $t", "$t");
        Add(Statement.DeleteBlobs, "DELETE FROM blobs WHERE thread_id = $t", "$t");
        Add(Statement.DeleteWrites, "DELETE FROM writes WHERE thread_id = $t", "$t");
        Add(Statement.SelectThreads, "SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id");
        return statements;
    }
}
