using Microsoft.Data.Sqlite;

namespace DashFlow.Benchmarks.Graphs;

/// <summary>
/// Where the hand-written S2 and S5 programs keep their checkpoints: the serialized state after each step, and a large
/// field once. What a person would write who needed durable steps and nothing else: no ids, no history queries, no
/// pending writes, no framing or checksums.
/// </summary>
public interface IStateLog
{
    /// <summary>Stores the state a thread reached at a step.</summary>
    /// <param name="thread">The thread.</param>
    /// <param name="step">The step (0 for the input).</param>
    /// <param name="state">The serialized state.</param>
    void Save(string thread, int step, byte[] state);

    /// <summary>Stores the state a thread reached at a step together with a field kept apart from it, atomically.</summary>
    /// <param name="thread">The thread.</param>
    /// <param name="step">The step.</param>
    /// <param name="state">The serialized state, without the field.</param>
    /// <param name="field">The field's name.</param>
    /// <param name="data">The serialized field.</param>
    void Save(string thread, int step, byte[] state, string field, byte[] data);

    /// <summary>How many steps and how many separate fields a thread has stored (for the checks).</summary>
    /// <param name="thread">The thread.</param>
    (int Steps, int Fields) Count(string thread);
}

/// <summary>The in-memory log: two dictionaries behind a lock, so that runs on several threads may share it.</summary>
public sealed class MemoryStateLog : IStateLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Thread, int Step), byte[]> _states = [];
    private readonly Dictionary<(string Thread, string Field), byte[]> _fields = [];

    /// <inheritdoc/>
    public void Save(string thread, int step, byte[] state)
    {
        lock (_lock)
        {
            _states[(thread, step)] = state;
        }
    }

    /// <inheritdoc/>
    public void Save(string thread, int step, byte[] state, string field, byte[] data)
    {
        lock (_lock)
        {
            _fields[(thread, field)] = data;
            _states[(thread, step)] = state;
        }
    }

    /// <inheritdoc/>
    public (int Steps, int Fields) Count(string thread)
    {
        lock (_lock)
        {
            return (_states.Keys.Count(k => k.Thread == thread), _fields.Keys.Count(k => k.Thread == thread));
        }
    }
}

/// <summary>
/// The SQLite log: one file in WAL mode with <c>synchronous = NORMAL</c>, as <c>SqliteCheckpointer</c> sets it, one open
/// connection and prepared statements; each <see cref="Save(string, int, byte[])"/> is its own transaction, as a
/// checkpoint is under <see cref="Persistence.Durability.Sync"/>.
/// </summary>
public sealed class SqliteStateLog : IStateLog, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _saveState;
    private readonly SqliteCommand _saveField;

    /// <summary>Creates the file and its tables.</summary>
    /// <param name="path">The database file (new).</param>
    /// <param name="exclusive">Whether the connection holds the file (<c>locking_mode = EXCLUSIVE</c>), with no shared-memory locks per transaction.</param>
    public SqliteStateLog(string path, bool exclusive = false)
    {
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using (var setup = _connection.CreateCommand())
        {
            setup.CommandText = (exclusive ? "PRAGMA locking_mode = EXCLUSIVE;\n" : "") + """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE states (thread_id TEXT NOT NULL, step INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (thread_id, step)) WITHOUT ROWID;
                CREATE TABLE fields (thread_id TEXT NOT NULL, field TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (thread_id, field)) WITHOUT ROWID;
                """;
            setup.ExecuteNonQuery();
        }

        _saveState = Prepare("INSERT INTO states (thread_id, step, data) VALUES ($t, $s, $d)", "$s", SqliteType.Integer);
        _saveField = Prepare("INSERT INTO fields (thread_id, field, data) VALUES ($t, $f, $d)", "$f", SqliteType.Text);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void Save(string thread, int step, byte[] state) => Insert(_saveState, thread, step, state);

    /// <inheritdoc/>
    public void Save(string thread, int step, byte[] state, string field, byte[] data)
    {
        using var transaction = _connection.BeginTransaction();
        _saveField.Transaction = transaction;
        _saveState.Transaction = transaction;
        Insert(_saveField, thread, field, data);
        Insert(_saveState, thread, step, state);
        transaction.Commit();
        _saveField.Transaction = null;
        _saveState.Transaction = null;
    }

    /// <inheritdoc/>
    public (int Steps, int Fields) Count(string thread) => (CountRows("states", thread), CountRows("fields", thread));

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _saveState.Dispose();
        _saveField.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, string key, SqliteType keyType)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$t", SqliteType.Text);
        command.Parameters.Add(key, keyType);
        command.Parameters.Add("$d", SqliteType.Blob);
        command.Prepare();
        return command;
    }

    private static void Insert(SqliteCommand command, string thread, object key, byte[] data)
    {
        command.Parameters[0].Value = thread;
        command.Parameters[1].Value = key;
        command.Parameters[2].Value = data;
        command.ExecuteNonQuery();
    }

    private int CountRows(string table, string thread)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE thread_id = $t";
        command.Parameters.AddWithValue("$t", thread);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
