using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace DashFlow.Postgres.Tests;

/// <summary>What a user sees when the server cannot be reached; needs no server, so it runs whatever the fixture finds.</summary>
public sealed class PostgresConnectionTests
{
    [Fact]
    public async Task A_refused_connection_is_an_error_naming_host_port_database_and_user_but_not_the_password()
    {
        // A port that was free a moment ago: nothing listens there, so the connection is refused at once.
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var store = new PostgresCheckpointer($"Host=127.0.0.1;Port={port};Database=orders;Username=flows;Password=s3cret;Timeout=10");

        var error = await Assert.ThrowsAsync<NpgsqlException>(() => store.GetAsync("t", "", null).AsTask());

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("database 'orders'", error.Message, StringComparison.Ordinal);
        Assert.Contains("user 'flows'", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Check that the server is running", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);

        // Nothing was half-initialized: the next call tries again and says the same.
        await Assert.ThrowsAsync<NpgsqlException>(() => store.ListThreadsAsync().ToListAsync());
    }
}
