using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DashFlow.Postgres.Tests;

/// <summary>The tests that share one <see cref="PostgresServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

/// <summary>
/// A real PostgreSQL server for the tests. <c>DASHFLOW_POSTGRES</c>, if set, is the connection string of one to use (the
/// user must be allowed to create schemas in its database). Otherwise a throwaway cluster is created in a temporary
/// folder from PostgreSQL's binaries (<c>/usr/lib/postgresql/*/bin</c>, installed from Debian's packages when missing),
/// started on a free loopback port, and stopped and deleted at the end. When none of that works the tests fail with a
/// message that lists what was tried: they never skip.
/// </summary>
public sealed class PostgresServer(IMessageSink sink) : IAsyncLifetime
{
    public const string EnvironmentVariable = "DASHFLOW_POSTGRES";

    private const string Database = "dashflow_tests";
    private const string BinariesRoot = "/usr/lib/postgresql";

    /// <summary>A guard against an install or a server start that hangs, never a measurement.</summary>
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromMinutes(10);

    private readonly List<string> _tried = [];
    private readonly List<string> _schemas = [];
    private NpgsqlDataSource? _dataSource;
    private string? _bin;
    private string? _root;
    private bool _asPostgresUser;
    private bool _started;

    /// <summary>A connection string to the test database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A pool on the test database, for tests that look at or damage the tables directly.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The server is not ready.");

    /// <summary>A schema name no other test uses.</summary>
    public string NewSchema()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return schema;
    }

    /// <summary>A checkpointer with a pool of its own, on a new schema unless one is given.</summary>
    public PostgresCheckpointer NewCheckpointer(string? schema = null) => new(ConnectionString, schema ?? NewSchema());

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            Progress($"Using the server {EnvironmentVariable} names.");
            ConnectionString = external;
            await CheckReachableAsync($"{EnvironmentVariable} ({Describe(external)})").ConfigureAwait(false);
            _dataSource = NpgsqlDataSource.Create(ConnectionString);
            return;
        }

        _tried.Add($"{EnvironmentVariable}: not set.");
        try
        {
            _bin = FindBinaries() ?? await InstallAsync().ConfigureAwait(false);
            await StartClusterAsync().ConfigureAwait(false);
            _dataSource = NpgsqlDataSource.Create(ConnectionString);
        }
        catch
        {
            // A cluster started before a later step failed must not outlive the test run.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            if (!_started)
            {
                // On a server the tests do not own, leave nothing behind.
                string[] schemas;
                lock (_schemas)
                {
                    schemas = [.. _schemas];
                }

                foreach (var schema in schemas)
                {
                    await using var drop = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                    await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }

            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        NpgsqlConnection.ClearAllPools();
        if (_started)
        {
            await RunAsync(Tool("pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w"], asPostgres: _asPostgresUser).ConfigureAwait(false);
        }

        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string DataDirectory => Path.Combine(_root!, "data");

    private string Tool(string name) => Path.Combine(_bin!, name);

    private static string? FindBinaries()
    {
        if (!Directory.Exists(BinariesRoot))
        {
            return null;
        }

        // The newest major version installed.
        return Directory.GetDirectories(BinariesRoot)
            .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Dir, "bin", "initdb")) && File.Exists(Path.Combine(d.Dir, "bin", "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Dir, "bin"))
            .FirstOrDefault();
    }

    private async Task<string> InstallAsync()
    {
        _tried.Add($"PostgreSQL binaries: no initdb and pg_ctl under {BinariesRoot}/*/bin.");
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
        {
            throw Unavailable("Installing PostgreSQL: this machine has no apt-get (only Debian's packages are installed automatically).");
        }

        if (!IsRoot)
        {
            throw Unavailable($"Installing PostgreSQL: apt-get needs root, and the tests run as '{Environment.UserName}'. Run 'apt-get install -y postgresql' as root.");
        }

        Progress("PostgreSQL is not installed; installing Debian's 'postgresql' package (apt-get update, apt-get install). This can take a minute.");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        foreach (var args in new[] { new[] { "update" }, ["install", "-y", "--no-install-recommends", "postgresql"] })
        {
            var (exit, output) = await RunAsync("/usr/bin/apt-get", args, showProgress: true, environment: environment).ConfigureAwait(false);
            if (exit != 0)
            {
                throw Unavailable($"Installing PostgreSQL: 'apt-get {string.Join(' ', args)}' exited with {exit}: {Tail(output)}");
            }
        }

        return FindBinaries()
            ?? throw Unavailable($"Installing PostgreSQL: apt-get installed 'postgresql', but there is still no initdb and pg_ctl under {BinariesRoot}/*/bin.");
    }

    private async Task StartClusterAsync()
    {
        // PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user the package creates.
        _asPostgresUser = IsRoot;
        if (_asPostgresUser && (await RunAsync("id", ["-u", "postgres"]).ConfigureAwait(false)).Exit != 0)
        {
            var (exit, output) = await RunAsync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/bin/sh", "postgres"]).ConfigureAwait(false);
            if (exit != 0)
            {
                throw Unavailable($"Running as root, PostgreSQL needs an OS user 'postgres'; there is none and 'useradd' failed: {Tail(output)}");
            }
        }

        _root = Directory.CreateTempSubdirectory("dashflow-pg-").FullName;
        var sockets = Path.Combine(_root, "sock");
        Directory.CreateDirectory(sockets);
        if (_asPostgresUser)
        {
            var (exit, output) = await RunAsync("chown", ["-R", "postgres:postgres", _root]).ConfigureAwait(false);
            if (exit != 0)
            {
                throw Unavailable($"Giving the temporary folder {_root} to the postgres user failed: {Tail(output)}");
            }
        }

        Progress($"Creating a throwaway cluster with {Tool("initdb")} in {DataDirectory}.");
        var init = await RunAsync(
            Tool("initdb"),
            ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            asPostgres: _asPostgresUser).ConfigureAwait(false);
        if (init.Exit != 0)
        {
            throw Unavailable($"'initdb -D {DataDirectory}'{(_asPostgresUser ? " as the postgres user" : "")} exited with {init.Exit}: {Tail(init.Output)}");
        }

        // A port taken between choosing and binding it is retried with another.
        var log = Path.Combine(_root, "server.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var start = await RunAsync(
                Tool("pg_ctl"),
                ["start", "-D", DataDirectory, "-l", log, "-w", "-t", "120", "-o", $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -F"],
                asPostgres: _asPostgresUser).ConfigureAwait(false);
            if (start.Exit == 0)
            {
                _started = true;
                Progress($"PostgreSQL is listening on 127.0.0.1:{port}.");
                await CreateDatabaseAsync(port).ConfigureAwait(false);
                return;
            }

            var serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log).ConfigureAwait(false) : "";
            if (attempt == 3)
            {
                throw Unavailable($"'pg_ctl start' on port {port} exited with {start.Exit}: {Tail(start.Output)} Server log: {Tail(serverLog)}");
            }
        }
    }

    private async Task CreateDatabaseAsync(int port)
    {
        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false }.ConnectionString;
        await CheckReachableAsync($"the cluster on 127.0.0.1:{port}", admin).ConfigureAwait(false);
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            try
            {
                // A linguistic collation by default, so a query that forgot COLLATE "C" would order ids and thread names
                // differently and the ordering tests would catch it.
                await using var icu = new NpgsqlCommand($"CREATE DATABASE {Database} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'", connection);
                await icu.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                Progress($"No ICU collation ({e.MessageText}); the test database uses the C locale.");
                await using var plain = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
                await plain.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }

        ConnectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = Database }.ConnectionString;
    }

    /// <summary>
    /// Opens one connection, or fails saying what was tried. No polling: the cluster this fixture starts is ready when
    /// <c>pg_ctl start -w</c> returns (pg_ctl waits for the server to report that it accepts connections), and a server
    /// named by the environment variable must already be running.
    /// </summary>
    private async Task CheckReachableAsync(string what, string? connectionString = null)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString ?? ConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw Unavailable($"Connecting to {what}: {e.Message}");
        }
    }

    private async Task<(int Exit, string Output)> RunAsync(
        string file, IReadOnlyList<string> args, bool asPostgres = false, bool showProgress = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!asPostgres)
        {
            info.FileName = file;
            args.ToList().ForEach(info.ArgumentList.Add);
        }
        else if (File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser"))
        {
            info.FileName = "runuser";
            new[] { "-u", "postgres", "--", file }.Concat(args).ToList().ForEach(info.ArgumentList.Add);
        }
        else
        {
            info.FileName = "su";
            var command = string.Join(' ', new[] { file }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
            new[] { "postgres", "-s", "/bin/sh", "-c", command }.ToList().ForEach(info.ArgumentList.Add);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (showProgress)
            {
                Progress(line);
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"could not start '{info.FileName}': {e.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var guard = new CancellationTokenSource(s_hangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"'{info.FileName}' did not finish within {s_hangGuard.TotalMinutes} minutes. {output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 2000 ? trimmed : "..." + trimmed[^2000..];
    }

    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}, database '{builder.Database}'";
        }
        catch (ArgumentException e)
        {
            return $"not a valid connection string: {e.Message}";
        }
    }

    private InvalidOperationException Unavailable(string failure)
    {
        _tried.Add(failure);
        return new InvalidOperationException(
            "No PostgreSQL server for the DashFlow.Postgres tests. Tried, in order:" + Environment.NewLine +
            string.Join(Environment.NewLine, _tried.Select(t => " - " + t)) + Environment.NewLine +
            $"Set {EnvironmentVariable} to the connection string of a server whose user may create schemas, or install PostgreSQL " +
            "(Debian: apt-get install postgresql).");
    }

    private void Progress(string message)
    {
        sink.OnMessage(new DiagnosticMessage("[PostgreSQL] " + message));
        Console.Error.WriteLine("[PostgreSQL] " + message);
    }
}
