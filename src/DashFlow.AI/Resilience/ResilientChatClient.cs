using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Fallback;
using Polly.Retry;
using Polly.Timeout;

namespace DashFlow.AI;

/// <summary>
/// Runs model calls through Polly pipelines built from <see cref="ChatResilienceOptions"/>: per model, retries (exponential
/// backoff, jitter, <c>Retry-After</c>), a circuit breaker and an attempt timeout; across models, a fallback chain. What
/// finally fails is a <see cref="ModelCallException"/> naming node, model and HTTP status (or the timeout, or the open
/// circuit). A streamed call is retried or handed to a fallback only until its first update arrives.
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<Func<IChatClient, CancellationToken, ValueTask<ChatResponse>>> ResponseCall = new("dashflow.response-call");
    private static readonly ResiliencePropertyKey<Func<IChatClient, CancellationToken, ValueTask<IAsyncEnumerator<ChatResponseUpdate>>>> StreamCall = new("dashflow.stream-call");

    private readonly ChatResilienceOptions _options;
    private readonly IChatClient[] _models;
    private readonly ResiliencePipeline[] _perModel;
    private readonly ResiliencePipeline<ChatResponse> _responseChain;
    private readonly ResiliencePipeline<IAsyncEnumerator<ChatResponseUpdate>> _streamChain;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The model to call first.</param>
    /// <param name="options">Retries, timeout, breaker, fallbacks.</param>
    public ResilientChatClient(IChatClient innerClient, ChatResilienceOptions options)
        : base(DashFlowChatClientBuilderExtensions.WithModelErrors(innerClient))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRetryAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRetryAttempts, $"ChatResilienceOptions.MaxRetryAttempts is {options.MaxRetryAttempts}; use 0 or more.");
        }

        _options = options;
        _models = [InnerClient, .. options.Fallbacks.Select(DashFlowChatClientBuilderExtensions.WithModelErrors)];
        _perModel = [.. _models.Select(BuildPerModel)];
        _responseChain = BuildChain<ChatResponse>(ResponseCall);
        _streamChain = BuildChain<IAsyncEnumerator<ChatResponseUpdate>>(StreamCall);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Retries send the same messages again, so a lazy sequence is read once.
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(ResponseCall, (client, ct) => new ValueTask<ChatResponse>(client.GetResponseAsync(history, options, ct)));
            return await _responseChain.ExecuteAsync(
                static (ctx, self) => self.ExecuteOnModelAsync(0, ctx.Properties.GetValue(ResponseCall, null!), ctx),
                context, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        IAsyncEnumerator<ChatResponseUpdate> updates;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(StreamCall, (client, ct) => FirstUpdateAsync(client, history, options, ct));
            updates = await _streamChain.ExecuteAsync(
                static (ctx, self) => self.ExecuteOnModelAsync(0, ctx.Properties.GetValue(StreamCall, null!), ctx),
                context, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        // The first update was read inside the pipeline; hand it out, then the rest as they come.
        await using (updates.ConfigureAwait(false))
        {
            do
            {
                yield return updates.Current;
            }
            while (await updates.MoveNextAsync().ConfigureAwait(false));
        }
    }

    private static async ValueTask<IAsyncEnumerator<ChatResponseUpdate>> FirstUpdateAsync(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var updates = client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            if (!await updates.MoveNextAsync().ConfigureAwait(false))
            {
                throw new ModelCallException($"Model '{ModelErrorChatClient.ModelOf(client, options) ?? "(unknown)"}' ({ModelErrorChatClient.Origin(ChatNodeScope.Current)}) ended its streamed answer without any update.",
                    ModelCallFailure.MalformedResponse, ChatNodeScope.Current?.Node, ModelErrorChatClient.ModelOf(client, options), null, null, null);
            }

            return new Prefetched(updates);
        }
        catch
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One model's call through its own retries, breaker and timeout; Polly's own exceptions become <see cref="ModelCallException"/>s.</summary>
    private async ValueTask<T> ExecuteOnModelAsync<T>(int index, Func<IChatClient, CancellationToken, ValueTask<T>> call, ResilienceContext context)
    {
        var model = _models[index];
        try
        {
            return await _perModel[index].ExecuteAsync(static (ctx, state) => state.call(state.model, ctx.CancellationToken), context, (call, model)).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new ModelCallException(
                $"Model '{Name(model)}' ({ModelErrorChatClient.Origin(ChatNodeScope.Current)}) did not answer within {e.Timeout} (ChatResilienceOptions.AttemptTimeout), {_options.MaxRetryAttempts + 1} attempt(s).",
                ModelCallFailure.Timeout, ChatNodeScope.Current?.Node, Name(model), null, null, e);
        }
        catch (BrokenCircuitException e)
        {
            throw new ModelCallException(
                $"Model '{Name(model)}' ({ModelErrorChatClient.Origin(ChatNodeScope.Current)}) was not called: its circuit breaker is open after repeated failures (retry after {e.RetryAfter?.ToString() ?? "the break"}).",
                ModelCallFailure.CircuitOpen, ChatNodeScope.Current?.Node, Name(model), null, e.RetryAfter, e);
        }
    }

    private static string Name(IChatClient client) => ModelErrorChatClient.ModelOf(client, null) ?? "(unknown)";

    private ResiliencePipeline BuildPerModel(IChatClient model)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _options.TimeProvider };
        if (_options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = _options.UseJitter,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<ModelCallException>(e => e.IsTransient).Handle<TimeoutRejectedException>(),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is ModelCallException { RetryAfter: { } wait } ? (wait < _options.MaxDelay ? wait : _options.MaxDelay) : null),
                OnRetry = args => _options.OnRetry is { } onRetry
                    ? onRetry(new ChatRetryInfo(Name(model), ChatNodeScope.Current?.Node, args.AttemptNumber, args.Outcome.Exception, args.RetryDelay))
                    : default,
            });
        }

        if (_options.CircuitBreaker is { } breaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<ModelCallException>(e => e.IsTransient).Handle<TimeoutRejectedException>(),
            });
        }

        if (_options.AttemptTimeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder.Build();
    }

    /// <summary>Fallbacks: when model i (after its retries) fails, model i+1 is tried, and so on.</summary>
    private ResiliencePipeline<T> BuildChain<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>(ResiliencePropertyKey<Func<IChatClient, CancellationToken, ValueTask<T>>> call)
    {
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = _options.TimeProvider };
        // The first strategy added is the outermost, so the last model's fallback goes in first.
        for (var i = _models.Length - 1; i >= 1; i--)
        {
            var index = i;
            builder.AddFallback(new FallbackStrategyOptions<T>
            {
                ShouldHandle = new PredicateBuilder<T>().Handle<ModelCallException>(),
                FallbackAction = async args => Outcome.FromResult(await ExecuteOnModelAsync(index, args.Context.Properties.GetValue(call, null!), args.Context).ConfigureAwait(false)),
            });
        }

        return builder.Build();
    }

    /// <summary>An enumerator whose first item was already read.</summary>
    private sealed class Prefetched(IAsyncEnumerator<ChatResponseUpdate> inner) : IAsyncEnumerator<ChatResponseUpdate>
    {
        public ChatResponseUpdate Current => inner.Current;

        public ValueTask<bool> MoveNextAsync() => inner.MoveNextAsync();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
