using DashFlow.Persistence;
using DashFlow.Tests.Conformance;
using DashFlow.Tests.Reference;
using static DashFlow.Tests.Persistence.PersistenceSupport;

namespace DashFlow.Tests.Persistence;

/// <summary>Semantics §5: dynamic interrupts, answers, static breakpoints.</summary>
public sealed class InterruptTests
{
    [Fact]
    public async Task A_node_calling_Interrupt_twice_is_resumed_twice_and_sees_both_answers()
    {
        var runs = 0;
        var app = new StateGraph<DemoState>()
            .AddNode("ask", (s, c) =>
            {
                Interlocked.Increment(ref runs);
                var name = c.Interrupt<string>("name?");
                var city = c.Interrupt<string>("city?");
                return new(new DemoState.Update { Log = [name, city] });
            })
            .AddEdge(Graph.Start, "ask")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        var first = await app.InvokeAsync(new DemoState(), config);
        Assert.Empty(first.Log);
        var state = await app.GetStateAsync(config);
        Assert.Equal("name?", Assert.Single(state.Interrupts).Value);
        Assert.Equal(["ask"], state.Next);

        await app.InvokeAsync(new Command<DemoState> { Resume = "Ada" }, config);
        state = await app.GetStateAsync(config);
        Assert.Equal("city?", Assert.Single(state.Interrupts).Value);

        var final = await app.InvokeAsync(new Command<DemoState> { Resume = "London" }, config);
        Assert.Equal(["Ada", "London"], final.Log);
        Assert.Equal(3, runs);
        Assert.Empty((await app.GetStateAsync(config)).Next);
    }

    [Fact]
    public async Task An_interrupt_inside_a_validation_loop_asks_again_until_the_answer_is_valid()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("age", (s, c) =>
            {
                var question = "How old are you?";
                while (true)
                {
                    var answer = c.Interrupt<int>(question);
                    if (answer > 0)
                    {
                        return new(new DemoState.Update { Count = answer });
                    }

                    question = $"'{answer}' is not a valid age. How old are you?";
                }
            })
            .AddEdge(Graph.Start, "age")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        await app.InvokeAsync(new DemoState(), config);
        await app.InvokeAsync(new Command<DemoState> { Resume = -5 }, config);
        var state = await app.GetStateAsync(config);
        Assert.Equal("'-5' is not a valid age. How old are you?", Assert.Single(state.Interrupts).Value);
        await app.InvokeAsync(new Command<DemoState> { Resume = 0 }, config);

        var final = await app.InvokeAsync(new Command<DemoState> { Resume = 42 }, config);
        Assert.Equal(42, final.Count);
    }

    [Fact]
    public async Task A_node_before_the_interrupt_is_not_run_again_on_resume_and_siblings_keep_their_writes()
    {
        var ran = new ConformanceSupport.Journal<string>();
        var app = new StateGraph<DemoState>()
            .AddNode("before", s => { ran.Add("before"); return ConformanceSupport.Logs("before"); })
            .AddNode("ask", (s, c) => { ran.Add("ask"); return new(ConformanceSupport.Logs("ask:" + c.Interrupt<string>("ok?"))); })
            .AddNode("sibling", s => { ran.Add("sibling"); return ConformanceSupport.Logs("sibling"); })
            .AddNode("after", s => { ran.Add("after"); return ConformanceSupport.Logs("after"); })
            .AddEdge(Graph.Start, "before")
            .AddEdge("before", "ask")
            .AddEdge("before", "sibling")
            .AddEdge("ask", "after")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        await app.InvokeAsync(new DemoState(), config);
        var waiting = await app.GetStateAsync(config);
        Assert.Equal(["ask", "sibling"], waiting.Next);
        Assert.True(waiting.Tasks.Single(t => t.Node == "sibling").Finished);

        var final = await app.InvokeAsync(new Command<DemoState> { Resume = "yes" }, config);

        Assert.Equal(["before", "ask:yes", "sibling", "after"], final.Log);
        Assert.Equal(["before", "ask", "sibling", "ask", "after"], ran.ToArray());
    }

    [Fact]
    public async Task Several_pending_interrupts_are_answered_by_id_and_one_answer_for_several_is_an_error()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", (s, c) => new(ConformanceSupport.Logs("a:" + c.Interrupt<string>("a?"))))
            .AddNode("b", (s, c) => new(ConformanceSupport.Logs("b:" + c.Interrupt<string>("b?"))))
            .AddEdge(Graph.Start, "a")
            .AddEdge(Graph.Start, "b")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await app.InvokeAsync(new DemoState(), config);
        var state = await app.GetStateAsync(config);
        Assert.Equal(2, state.Interrupts.Count);

        var error = await Assert.ThrowsAsync<InvalidResumeException>(() => app.InvokeAsync(new Command<DemoState> { Resume = "x" }, config).AsTask());
        Assert.Contains("'" + config.ThreadId + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains(state.Checkpoint.Id, error.Message, StringComparison.Ordinal);

        var answers = state.Interrupts.ToDictionary(i => i.Id, i => (object?)(i.Node + "!"));
        var final = await app.InvokeAsync(new Command<DemoState> { ResumeById = answers }, config);
        Assert.Equal(["a:a!", "b:b!"], final.Log);
    }

    [Fact]
    public async Task A_resume_that_also_sets_an_update_or_goto_is_refused_and_the_interrupt_stays_answerable()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("ask", (s, c) => new(ConformanceSupport.Logs("ask:" + c.Interrupt<string>("ok?"))))
            .AddEdge(Graph.Start, "ask")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();
        await app.InvokeAsync(new DemoState(), config);

        var mixed = new Command<DemoState> { Resume = "yes", Update = ConformanceSupport.Logs("sneaky") };
        var error = await Assert.ThrowsAsync<InvalidResumeException>(() => app.InvokeAsync(mixed, config).AsTask());
        Assert.Contains("UpdateStateAsync", error.Message, StringComparison.Ordinal);
        Assert.Equal(config.ThreadId, error.ThreadId);

        var final = await app.InvokeAsync(new Command<DemoState> { Resume = "yes" }, config);
        Assert.Equal(["ask:yes"], final.Log);
    }

    [Fact]
    public async Task Resume_without_a_pending_interrupt_or_on_an_unknown_thread_is_a_specific_error()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => ConformanceSupport.Logs("a"))
            .AddEdge(Graph.Start, "a")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });
        var config = Thread();

        var unknown = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => app.InvokeAsync((DemoState?)null, config).AsTask());
        Assert.Contains(config.ThreadId!, unknown.Message, StringComparison.Ordinal);

        await app.InvokeAsync(new DemoState(), config);
        var none = await Assert.ThrowsAsync<InvalidResumeException>(() => app.InvokeAsync(new Command<DemoState> { Resume = "x" }, config).AsTask());
        Assert.Equal(config.ThreadId, none.ThreadId);

        var badId = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => app.InvokeAsync((DemoState?)null, config with { CheckpointId = "nope" }).AsTask());
        Assert.Contains("'nope'", badId.Message, StringComparison.Ordinal);

        // Nothing stored was lost.
        Assert.Equal(["a"], (await app.GetStateAsync(config)).Values.Log);
    }

    [Fact]
    public async Task Interrupt_without_a_checkpointer_is_a_clear_error()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("ask", (s, c) => new(ConformanceSupport.Logs(c.Interrupt<string>("?"))))
            .AddEdge(Graph.Start, "ask")
            .Compile();

        var error = await Assert.ThrowsAsync<NodeFailedException>(() => app.InvokeAsync(new DemoState()).AsTask());
        var cause = Assert.IsType<CheckpointerRequiredException>(error.InnerException);
        Assert.Contains("checkpointer", cause.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CheckpointerRequiredException>(() => app.InvokeAsync((DemoState?)null, new RunConfig { ThreadId = "t" }).AsTask());
    }

    [Fact]
    public async Task Static_breakpoints_stop_before_and_after_nodes_and_resume_continues()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => ConformanceSupport.Logs("a"))
            .AddNode("b", s => ConformanceSupport.Logs("b"))
            .AddNode("c", s => ConformanceSupport.Logs("c"))
            .AddEdge(Graph.Start, "a")
            .AddEdge("a", "b")
            .AddEdge("b", "c")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer(), InterruptBefore = ["b"] });
        var config = Thread() with { InterruptAfter = ["b"] };

        var stopped = await app.InvokeAsync(new DemoState(), config);
        Assert.Equal(["a"], stopped.Log);
        Assert.Equal(["b"], (await app.GetStateAsync(config)).Next);

        var afterB = await app.InvokeAsync((DemoState?)null, config);
        Assert.Equal(["a", "b"], afterB.Log);
        Assert.Equal(["c"], (await app.GetStateAsync(config)).Next);

        var final = await app.InvokeAsync((DemoState?)null, config);
        Assert.Equal(["a", "b", "c"], final.Log);
    }

    [Fact]
    public async Task Interrupts_are_streamed_as_updates()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("ask", (s, c) => new(ConformanceSupport.Logs(c.Interrupt<string>("approve?"))))
            .AddEdge(Graph.Start, "ask")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer() });

        var events = await app.StreamAsync(new DemoState(), StreamMode.Updates, Thread()).CollectAsync();

        var interrupt = Assert.IsType<InterruptEvent>(Assert.Single(events));
        Assert.Equal("approve?", interrupt.Interrupt.Value);
        Assert.Equal("ask", interrupt.Interrupt.Node);
    }

    [Fact]
    public async Task InvokeForResultAsync_says_which_interrupts_a_run_stopped_at_and_nothing_once_it_ends()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("ask", (s, c) => new(new DemoState.Update { Log = [c.Interrupt<string>("approve?")] }))
            .AddNode("b", s => new DemoState.Update { Log = ["b"] })
            .AddEdge(Graph.Start, "ask")
            .AddEdge("ask", "b")
            .Compile(new CompileOptions { Checkpointer = new InMemoryCheckpointer(), InterruptBefore = ["b"] });
        var config = Thread();

        var asked = await app.InvokeForResultAsync(new DemoState(), config);
        Assert.True(asked.IsInterrupted);
        var interrupt = Assert.Single(asked.Interrupts);
        Assert.Equal(("ask", "approve?"), (interrupt.Node, interrupt.Value));
        Assert.Equal((await app.GetStateAsync(config)).Checkpoint.Id, asked.CheckpointId);

        var atBreakpoint = await app.InvokeForResultAsync(new Command<DemoState> { Resume = "yes" }, config);
        Assert.Equal(["yes"], atBreakpoint.State.Log);
        Assert.Equal(("b", null), (Assert.Single(atBreakpoint.Interrupts).Node, Assert.Single(atBreakpoint.Interrupts).Value));

        var done = await app.InvokeForResultAsync((DemoState?)null, config);
        Assert.False(done.IsInterrupted);
        Assert.Equal(["yes", "b"], done.State.Log);
    }

    [Fact]
    public async Task InvokeForResultAsync_without_a_checkpointer_reports_no_interrupt_and_no_checkpoint()
    {
        var app = new StateGraph<DemoState>()
            .AddNode("a", s => new DemoState.Update { Log = ["a"] })
            .AddEdge(Graph.Start, "a")
            .Compile();

        var result = await app.InvokeForResultAsync(new DemoState());

        Assert.False(result.IsInterrupted);
        Assert.Null(result.CheckpointId);
        Assert.Equal(["a"], result.State.Log);
    }
}
