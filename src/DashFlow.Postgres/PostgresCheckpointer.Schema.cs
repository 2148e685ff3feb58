using System.Globalization;
using System.Text;
using Npgsql;

namespace DashFlow.Postgres;

public sealed partial class PostgresCheckpointer
{
    /// <summary>The version of the tables' layout this build writes; recorded in the schema's <c>schema_version</c> table.</summary>
    /// <example><code>
    /// var stored = await checkpointer.GetSchemaVersionAsync();
    /// Console.WriteLine(stored == PostgresCheckpointer.SchemaVersion ? "up to date" : $"at version {stored}");
    /// </code></example>
    public const int SchemaVersion = 2;

    /// <summary>Step n brings the tables from version n to n + 1. Only ever append: a database may be at any earlier version.</summary>
    private static readonly Func<string, string[]>[] s_migrations =
    [
        // Version 1. Keys use the "C" collation, so ORDER BY and the before cursor compare ids byte by byte, the way the
        // other checkpointers compare them ordinally, whatever the database's locale. created_at holds UTC ticks:
        // timestamptz would round them to microseconds. versions and metadata are jsonb so that SQL can join the blobs
        // and filter by metadata; body holds the rest (next nodes, sends, join progress) as MessagePack.
        schema =>
        [
            $"""
            CREATE TABLE {schema}.checkpoints (
                thread_id text COLLATE "C" NOT NULL, ns text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
                parent_id text COLLATE "C", step integer NOT NULL, source integer NOT NULL, created_at bigint NOT NULL,
                schema_version integer NOT NULL, versions jsonb NOT NULL, metadata jsonb NOT NULL, body bytea NOT NULL,
                PRIMARY KEY (thread_id, ns, id))
            """,
            $"""
            CREATE TABLE {schema}.blobs (
                thread_id text COLLATE "C" NOT NULL, ns text COLLATE "C" NOT NULL, field text COLLATE "C" NOT NULL,
                version text COLLATE "C" NOT NULL, data bytea NOT NULL,
                PRIMARY KEY (thread_id, ns, field, version))
            """,
            $"""
            CREATE TABLE {schema}.writes (
                thread_id text COLLATE "C" NOT NULL, ns text COLLATE "C" NOT NULL, checkpoint_id text COLLATE "C" NOT NULL,
                task_id text COLLATE "C" NOT NULL, idx integer NOT NULL, kind integer NOT NULL, text text, data bytea,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx))
            """,
        ],

        // Version 2. The check that a checkpoint follows its thread's latest, run in the put's own transaction: the
        // transaction lock on the thread's namespace makes a second writer wait until the first commits, then see its
        // checkpoint. The latest id travels in the message (details are hidden unless the connection asks for them).
        schema =>
        [
            $"""
            CREATE FUNCTION {schema}.check_latest(p_thread text, p_ns text, p_parent text, p_id text) RETURNS void
            LANGUAGE plpgsql AS $body$
            DECLARE latest text;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext(p_thread), hashtext(p_ns));
                SELECT id INTO latest FROM {schema}.checkpoints WHERE thread_id = p_thread AND ns = p_ns ORDER BY id DESC LIMIT 1;
                IF latest IS DISTINCT FROM p_parent AND latest IS DISTINCT FROM p_id THEN
                    RAISE EXCEPTION USING ERRCODE = '{ConflictState}', MESSAGE = coalesce(latest, '');
                END IF;
            END
            $body$
            """,
        ],
    ];

    /// <summary>The SQLSTATE <c>check_latest</c> raises when a checkpoint does not follow its thread's latest.</summary>
    private const string ConflictState = "DF409";

    private readonly SemaphoreSlim _init = new(1, 1);
    private volatile bool _ready;

    /// <summary>
    /// Creates the schema and its tables, or migrates them to <see cref="SchemaVersion"/>, now rather than on first use:
    /// for an application that prepares its database at deployment. Safe to call from several processes at once.
    /// </summary>
    /// <param name="cancellationToken">Stops the work; nothing is half-created, it runs in one transaction.</param>
    /// <returns>A task that completes when the tables are ready.</returns>
    /// <exception cref="InvalidOperationException">The schema was written by a newer DashFlow.Postgres.</exception>
    /// <example><code>
    /// await using var checkpointer = new PostgresCheckpointer(connectionString);
    /// await checkpointer.InitializeAsync();   // at startup: fail fast if the database is not usable
    /// </code></example>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the version recorded in the schema without creating or migrating anything: 0 when the schema has no
    /// DashFlow tables yet.
    /// </summary>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The version.</returns>
    /// <example><code>
    /// if (await checkpointer.GetSchemaVersionAsync() &lt; PostgresCheckpointer.SchemaVersion) { Console.WriteLine("will migrate on first use"); }
    /// </code></example>
    public async ValueTask<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var (_, tableExists) = await ProbeAsync(connection, null, cancellationToken).ConfigureAwait(false);
        return tableExists ? await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false) : 0;
    }

    /// <summary>Brings the schema up to <see cref="SchemaVersion"/>, once per instance.</summary>
    private async ValueTask EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _init.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // Two processes starting at once on a new database would both see no tables and both create them; the
            // lock (released with the transaction) makes the second wait and then find them. It is keyed by the schema,
            // so applications with schemas of their own never wait for each other.
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey(Schema) });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Checked rather than CREATE ... IF NOT EXISTS: a role allowed to use an existing schema but not to create
            // one in the database can still run.
            var (schemaExists, tableExists) = await ProbeAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (!schemaExists)
            {
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA {_sql.Schema}", cancellationToken).ConfigureAwait(false);
            }

            if (!tableExists)
            {
                await ExecuteAsync(connection, transaction, $"CREATE TABLE {_sql.Schema}.schema_version (version integer NOT NULL)", cancellationToken).ConfigureAwait(false);
            }

            var version = tableExists ? await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false) : 0;
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL schema '{Schema}' of database '{connection.Database}' holds DashFlow checkpoints in layout version {version}, " +
                    $"newer than this DashFlow.Postgres knows ({SchemaVersion}). Upgrade DashFlow.Postgres to use it, or give this application another schema.");
            }

            if (version < SchemaVersion)
            {
                for (var step = version; step < SchemaVersion; step++)
                {
                    foreach (var statement in s_migrations[step](_sql.Schema))
                    {
                        await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                    }
                }

                await ExecuteAsync(connection, transaction, $"DELETE FROM {_sql.Schema}.schema_version", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection, transaction,
                    $"INSERT INTO {_sql.Schema}.schema_version (version) VALUES ({SchemaVersion.ToString(CultureInfo.InvariantCulture)})",
                    cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _init.Release();
        }
    }

    private async ValueTask<(bool SchemaExists, bool TableExists)> ProbeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), " +
            "EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_version')",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetBoolean(0), reader.GetBoolean(1));
    }

    private async ValueTask<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {_sql.Schema}.schema_version", connection, transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async ValueTask ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A stable 64-bit key for the schema's advisory lock (FNV-1a of the name): the same in every process, unlike
    /// <see cref="string.GetHashCode()"/>, and prefixed so it is unlikely to meet another application's keys.
    /// </summary>
    private static long LockKey(string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes("DashFlow.Postgres/" + schema))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }

    /// <summary>
    /// Lowercase letters, digits and underscores only, so the quoted name the checkpointer uses is the one a user gets
    /// by typing it unquoted in psql (where unquoted names fold to lowercase); quoting keeps words like <c>user</c> legal.
    /// </summary>
    private static string ValidateSchema(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var valid = schema.Length is > 0 and <= 63
            && (schema[0] is (>= 'a' and <= 'z') or '_')
            && schema.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            && !schema.StartsWith("pg_", StringComparison.Ordinal);
        return valid
            ? schema
            : throw new ArgumentException(
                $"The schema name '{schema}' cannot be used: use 1 to 63 lowercase letters, digits and underscores, starting with a letter or " +
                "underscore and not with 'pg_' (for example 'dashflow' or 'billing_flows').",
                nameof(schema));
    }
}
