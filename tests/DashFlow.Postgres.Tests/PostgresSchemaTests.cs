using DashFlow.Persistence;
using Npgsql;

namespace DashFlow.Postgres.Tests;

/// <summary>The checkpointer's own schema: creation on first use, its version, concurrent starts, a newer database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaTests(PostgresServer server)
{
    private async Task ExecuteAsync(string sql)
    {
        await using var command = server.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql, string? schema = null)
    {
        await using var command = server.DataSource.CreateCommand(sql);
        if (schema is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    private Task<long> TableCountAsync(string schema) =>
        ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = $1", schema);

    [Fact]
    public async Task First_use_creates_the_schema_and_its_tables_and_records_the_version()
    {
        await using var store = server.NewCheckpointer();
        Assert.Equal(0, await store.GetSchemaVersionAsync());
        Assert.Equal(0L, await TableCountAsync(store.Schema));

        Assert.Empty(await store.ListThreadsAsync().ToListAsync());

        Assert.Equal(PostgresCheckpointer.SchemaVersion, await store.GetSchemaVersionAsync());
        Assert.Equal(
            ["blobs", "checkpoints", "schema_version", "writes"],
            await ReadTablesAsync(store.Schema));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM \"{store.Schema}\".schema_version"));
    }

    private async Task<List<string>> ReadTablesAsync(string schema)
    {
        await using var command = server.DataSource.CreateCommand("SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    [Fact]
    public async Task Two_schemas_in_one_database_keep_their_threads_apart()
    {
        await using var billing = server.NewCheckpointer();
        await using var support = server.NewCheckpointer();
        await billing.PutAsync(new Checkpoint { ThreadId = "shared-name", Id = "1", Metadata = new Dictionary<string, string> { ["app"] = "billing" } }, []);
        await support.PutAsync(new Checkpoint { ThreadId = "shared-name", Id = "2", Metadata = new Dictionary<string, string> { ["app"] = "support" } }, []);

        Assert.Equal("billing", (await billing.GetAsync("shared-name", "", null))!.Checkpoint.Metadata["app"]);
        Assert.Equal("support", (await support.GetAsync("shared-name", "", null))!.Checkpoint.Metadata["app"]);
        await billing.DeleteThreadAsync("shared-name");
        Assert.NotNull(await support.GetAsync("shared-name", "", null));
    }

    [Fact]
    public async Task Checkpointers_starting_at_once_on_a_new_schema_create_it_once_and_all_work()
    {
        var schema = server.NewSchema();
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgresCheckpointer(server.ConnectionString, schema)).ToList();
        try
        {
            // Each has its own pool, so each initializes on its own connection, as separate processes would.
            using var go = new ManualResetEventSlim();
            var starts = stores.Select(s => Task.Run(async () =>
            {
                go.Wait();
                await s.InitializeAsync();
            })).ToList();
            go.Set();
            await Task.WhenAll(starts).Within();

            Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version"));
            Assert.Equal(PostgresCheckpointer.SchemaVersion, await stores[0].GetSchemaVersionAsync());
            await Task.WhenAll(stores.Select((s, i) => s.PutAsync(new Checkpoint { ThreadId = $"t{i}", Id = "1" }, []).AsTask())).Within();
            Assert.Equal(8, (await stores[^1].ListThreadsAsync().ToListAsync()).Count);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_schema_written_by_a_newer_version_is_refused_and_left_untouched()
    {
        await using var store = server.NewCheckpointer();
        await store.PutAsync(new Checkpoint { ThreadId = "t", Id = "1" }, []);
        await ExecuteAsync($"UPDATE \"{store.Schema}\".schema_version SET version = 99");

        await using var older = new PostgresCheckpointer(server.ConnectionString, store.Schema);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => older.GetAsync("t", "", null).AsTask());

        Assert.Contains($"'{store.Schema}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({PostgresCheckpointer.SchemaVersion})", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade DashFlow.Postgres", error.Message, StringComparison.Ordinal);
        Assert.Equal(99, await older.GetSchemaVersionAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => older.PutAsync(new Checkpoint { ThreadId = "t", Id = "2" }, []).AsTask());
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM \"{store.Schema}\".checkpoints"));
    }

    [Fact]
    public async Task A_schema_prepared_by_an_administrator_without_tables_is_migrated_from_version_0()
    {
        var schema = server.NewSchema();
        await ExecuteAsync($"CREATE SCHEMA \"{schema}\"");
        await ExecuteAsync($"CREATE TABLE \"{schema}\".schema_version (version integer NOT NULL)");
        await using var store = new PostgresCheckpointer(server.ConnectionString, schema);
        Assert.Equal(0, await store.GetSchemaVersionAsync());

        await store.InitializeAsync();

        Assert.Equal(PostgresCheckpointer.SchemaVersion, await store.GetSchemaVersionAsync());
        Assert.Equal(4L, await TableCountAsync(schema));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Billing")]
    [InlineData("billing-flows")]
    [InlineData("9lives")]
    [InlineData("pg_mine")]
    [InlineData("a; DROP TABLE x")]
    public void An_unusable_schema_name_is_refused_naming_it(string schema)
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresCheckpointer(server.DataSource, schema));

        Assert.Equal("schema", error.ParamName);
        Assert.Contains($"'{schema}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_named_after_a_keyword_works()
    {
        // Created and dropped here, so it must not be someone else's.
        Assert.False(await ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'user')"), "The test database already has a schema 'user'.");
        await using var store = new PostgresCheckpointer(server.ConnectionString, "user");
        try
        {
            await store.PutAsync(new Checkpoint { ThreadId = "t", Id = "1" }, []);
            Assert.Equal("user", store.Schema);
            Assert.NotNull(await store.GetAsync("t", "", null));
        }
        finally
        {
            await ExecuteAsync("DROP SCHEMA \"user\" CASCADE");
        }
    }
}
