using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DashFlow.AI.ScriptedServer;

/// <summary>
/// A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions protocol (<c>POST /v1/chat/completions</c>,
/// plain and streamed) and embeddings protocol (<c>POST /v1/embeddings</c>), and answers chat requests from a script,
/// so that code using the real OpenAI SDK or <c>Microsoft.Extensions.AI</c> takes a deterministic path.
/// </summary>
/// <example><code>
/// await using var server = await ScriptedOpenAIServer.StartAsync();
/// server.Enqueue(ScriptedReply.ToolCalls(("get_weather", """{"city":"Paris"}""")), ScriptedReply.Text("Sunny."));
/// IChatClient chat = server.CreateChatClient();
/// </code></example>
public sealed partial class ScriptedOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Queue<ScriptedReply> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private int _toolCallCount;
    private int _disposed;

    private ScriptedOpenAIServer(WebApplication app)
    {
        _app = app;
        Endpoint = new Uri("http://127.0.0.1/v1/");
    }

    /// <summary>
    /// The base address of the API, such as <c>http://127.0.0.1:43123/v1/</c>: what
    /// <c>OpenAIClientOptions.Endpoint</c> takes.
    /// </summary>
    public Uri Endpoint { get; private set; }

    /// <summary>
    /// Decides the reply to each chat request before the queue is asked; returning null takes the next queued reply.
    /// It is called on the server's threads, possibly for several requests at once.
    /// </summary>
    public Func<RecordedRequest, ScriptedReply?>? Responder { get; set; }

    /// <summary>
    /// When set, every request whose <c>Authorization</c> header is not <c>Bearer</c> and this key is answered with
    /// 401 and OpenAI's <c>invalid_api_key</c> error, without taking a reply from the script.
    /// </summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>Every request received, on any path, in the order it arrived.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many queued replies no request has taken yet.</summary>
    public int PendingReplyCount
    {
        get
        {
            lock (_gate)
            {
                return _script.Count;
            }
        }
    }

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    /// <param name="ct">Cancels the start.</param>
    public static async Task<ScriptedOpenAIServer> StartAsync(CancellationToken ct = default)
    {
        // The empty builder reads no configuration and logs nothing: environment variables such as ASPNETCORE_URLS
        // cannot move the server off loopback, and a test's output stays its own.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedOpenAIServer(app);
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1/");
        return server;
    }

    /// <summary>Adds replies to the script; chat requests take them in order, one each.</summary>
    /// <param name="replies">The replies, in the order requests should get them.</param>
    public void Enqueue(params ScriptedReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        for (var i = 0; i < replies.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(replies[i], $"{nameof(replies)}[{i}]");
        }

        lock (_gate)
        {
            foreach (var reply in replies)
            {
                _script.Enqueue(reply);
            }
        }
    }

    /// <summary>Stops the server; requests still hanging are aborted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var path = context.Request.Path.Value ?? "/";
        var authorization = context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null;
        var request = RequestReader.Read(path, body, authorization, out var isJson);

        // The SDK joins its endpoint and the operation's path; tolerate a doubled slash at the seam.
        var route = path.Replace("//", "/", StringComparison.Ordinal).TrimEnd('/');
        var isPost = HttpMethods.IsPost(context.Request.Method);
        var isChat = isPost && route.EndsWith("/chat/completions", StringComparison.Ordinal);
        var requiredKey = RequiredApiKey;
        var authorized = requiredKey is null || authorization == "Bearer " + requiredKey;
        var responder = Responder;

        int number;
        ScriptedReply? reply = null;
        lock (_gate)
        {
            _requests.Add(request);
            number = _requests.Count;

            // Without a Responder the reply is taken in the same step as the request is numbered, so that requests
            // arriving together still get the script in arrival order.
            if (isChat && isJson && authorized && responder is null)
            {
                _script.TryDequeue(out reply);
            }
        }

        if (!authorized)
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, authorization is null
                ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                : $"Incorrect API key provided: '{authorization}' does not match the key this server requires.",
                "invalid_request_error", "invalid_api_key").ConfigureAwait(false);
            return;
        }

        if (!isPost || !(isChat || route.EndsWith("/embeddings", StringComparison.Ordinal)))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound,
                $"Invalid URL ({context.Request.Method} {path}): this server answers POST /v1/chat/completions and POST /v1/embeddings.",
                "invalid_request_error", null).ConfigureAwait(false);
            return;
        }

        if (!isJson)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                $"We could not parse the JSON body of request #{number} ({path}).", "invalid_request_error", null).ConfigureAwait(false);
            return;
        }

        if (request.Model.Length == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                $"Request #{number} ({path}) has no 'model'; you must provide a model parameter.", "invalid_request_error", null, "model").ConfigureAwait(false);
            return;
        }

        if (!isChat)
        {
            await HandleEmbeddingsAsync(context, request, number).ConfigureAwait(false);
            return;
        }

        if (responder is not null)
        {
            try
            {
                reply = responder(request);
            }
            catch (Exception e)
            {
                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError,
                    $"The scripted server's Responder threw for request #{number} ({path}, model '{request.Model}'): {e}",
                    "server_error", null).ConfigureAwait(false);
                return;
            }

            if (reply is null)
            {
                lock (_gate)
                {
                    _script.TryDequeue(out reply);
                }
            }
        }

        if (reply is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError,
                $"The script ran out: request #{number} ({path}, model '{request.Model}') arrived, but no reply was left in the queue"
                + (responder is null ? " and no Responder is set." : " and the Responder returned null.")
                + " Enqueue one more reply per request the code under test makes.",
                "server_error", null).ConfigureAwait(false);
            return;
        }

        await AnswerChatAsync(context, request, number, reply).ConfigureAwait(false);
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message, string type, string? code, string? param = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(OpenAIWire.Error(message, type, code, param), context.RequestAborted).ConfigureAwait(false);
    }

    private static void SetRetryAfter(HttpContext context, TimeSpan retryAfter)
    {
        // Retry-After carries whole seconds; retry-after-ms, which OpenAI also sends, keeps the exact value.
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["retry-after-ms"] = ((long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
    }
}
