using StateBehaviour;

namespace DashFlow.Generators.Tests;

/// <summary>
/// The generated merge, update and metadata of real <c>[GraphState]</c> types (declared in StateBehaviourStates.cs),
/// called through <see cref="IGraphState{TSelf}"/> the way the engine calls them.
/// </summary>
public sealed class StateBehaviourTests
{
    [Fact]
    public void UnsetFieldsAreNotWritten()
    {
        var before = new Research { Query = "q", Note = "n", Log = ["x"], Tokens = 5, Summary = "s" };

        var after = Apply(before, ("a", new Research.Update { Tokens = 1 }));

        Assert.Equal(before with { Tokens = 6 }, after);
        Assert.Equal("n", after.Note);
        Assert.Same(before.Log, after.Log);
    }

    [Fact]
    public void NoWriteReturnsTheSameState()
    {
        var before = new Research { Query = "q" };

        Assert.True(new Research.Update().IsEmpty);
        Assert.Same(before, Apply(before, ("a", new Research.Update()), ("b", new Research.Update())));
        Assert.Same(before, Apply(before));
    }

    [Fact]
    public void ReplaceTakesTheOneWrite()
    {
        var after = Apply(new Research { Query = "old" }, ("a", new Research.Update { Query = "new" }), ("b", new Research.Update { Tokens = 1 }));

        Assert.Equal("new", after.Query);
    }

    [Fact]
    public void NullIsAWrite()
    {
        var after = Apply(new Research { Note = "n" }, ("a", new Research.Update { Note = null }));

        Assert.Null(after.Note);
    }

    [Fact]
    public void TwoReplaceWritesFailNamingTheFieldAndBothNodes()
    {
        var error = Assert.Throws<InvalidUpdateException>(() => Apply(
            new Research(),
            ("plan", new Research.Update { Query = "a" }),
            ("other", new Research.Update { Tokens = 1 }),
            ("search", new Research.Update { Query = "b" })));

        Assert.Equal("Query", error.Field);
        Assert.Equal(["plan", "search"], error.Nodes);
        Assert.Contains("'Query'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'plan'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'search'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AppendFollowsWriteOrder()
    {
        var after = Apply(
            new Research { Log = ["start"], Numbers = [0] },
            ("b", new Research.Update { Log = ["b1", "b2"], Numbers = [2] }),
            ("a", new Research.Update { Log = ["a1"], Numbers = [1, 1] }));

        Assert.Equal(["start", "b1", "b2", "a1"], after.Log);
        Assert.Equal([0, 2, 1, 1], after.Numbers.ToArray());
    }

    [Fact]
    public void OverwriteBeatsTheFieldsOtherWritesBeforeAndAfterIt()
    {
        var after = Apply(
            new Research { Log = ["start"], Tokens = 10 },
            ("a", new Research.Update { Log = ["a"], Tokens = 1 }),
            ("b", new Research.Update { OverwriteLog = ["reset"], OverwriteTokens = 100 }),
            ("c", new Research.Update { Log = ["c"], Tokens = 2 }));

        Assert.Equal(["reset"], after.Log);
        Assert.Equal(100, after.Tokens);
    }

    [Fact]
    public void TwoOverwritesFailNamingTheFieldAndBothNodes()
    {
        var error = Assert.Throws<InvalidUpdateException>(() => Apply(
            new Research(),
            ("left", new Research.Update { OverwriteLog = ["l"] }),
            ("right", new Research.Update { OverwriteLog = ["r"] })));

        Assert.Equal("Log", error.Field);
        Assert.Equal(["left", "right"], error.Nodes);
        Assert.Contains("Overwritten", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SumAddsEveryWrite()
    {
        var after = Apply(
            new Research { Tokens = 1, Elapsed = TimeSpan.FromSeconds(1) },
            ("a", new Research.Update { Tokens = 2, Elapsed = TimeSpan.FromSeconds(2) }),
            ("b", new Research.Update { Tokens = 3 }));

        Assert.Equal(6, after.Tokens);
        Assert.Equal(TimeSpan.FromSeconds(3), after.Elapsed);
    }

    [Fact]
    public void MaxAndMinKeepTheExtremes()
    {
        var after = Apply(
            new Research { Best = 0.5, Lowest = 10 },
            ("a", new Research.Update { Best = 0.9, Lowest = 7 }),
            ("b", new Research.Update { Best = 0.2, Lowest = 12 }));

        Assert.Equal(0.9, after.Best);
        Assert.Equal(7, after.Lowest);
        Assert.Equal(int.MaxValue, CreateDefault<Research>().Lowest);
    }

    [Fact]
    public void UnionUnitesSets()
    {
        var after = Apply(
            new Research { Tags = ["x"], Pages = [3] },
            ("a", new Research.Update { Tags = ["y", "x"], Pages = [1] }),
            ("b", new Research.Update { Tags = ["z"], Pages = [2, 3] }));

        Assert.Equal(["x", "y", "z"], after.Tags.Order(StringComparer.Ordinal));
        Assert.Equal([1, 2, 3], after.Pages);
    }

    [Fact]
    public void MergeLetsTheLaterWriteWinPerKey()
    {
        var after = Apply(
            new Research { Scores = ImmutableDictionary<string, int>.Empty.Add("keep", 1).Add("k", 0) },
            ("a", new Research.Update { Scores = ImmutableDictionary<string, int>.Empty.Add("k", 1), Labels = ImmutableSortedDictionary<string, string>.Empty.Add("l", "a") }),
            ("b", new Research.Update { Scores = ImmutableDictionary<string, int>.Empty.Add("k", 2).Add("new", 3), Labels = ImmutableSortedDictionary<string, string>.Empty.Add("l", "b") }));

        Assert.Equal(1, after.Scores["keep"]);
        Assert.Equal(2, after.Scores["k"]);
        Assert.Equal(3, after.Scores["new"]);
        Assert.Equal("b", after.Labels["l"]);
    }

    [Fact]
    public void CustomReducersFoldEachWriteInOrder()
    {
        var after = Apply(
            new Research { Summary = "mid", Path = "" },
            ("a", new Research.Update { Summary = "longest", Path = "a" }),
            ("b", new Research.Update { Summary = "short", Path = "b" }));

        Assert.Equal("longest", after.Summary);
        Assert.Equal("a/b", after.Path);
    }

    [Fact]
    public void ClassStatesAreRebuiltNotMutated()
    {
        var before = new Ticket { Title = "t", Comments = ["c1"] };

        var after = Apply(before, ("a", new Ticket.Update { Comments = ["c2"] }), ("b", new Ticket.Update { Title = "T", Priority = 2 }));

        Assert.NotSame(before, after);
        Assert.Equal("t", before.Title);
        Assert.Equal("T", after.Title);
        Assert.Equal(["c1", "c2"], after.Comments);
        Assert.Equal(2, after.Priority);
    }

    [Fact]
    public void NestedStatesWork()
    {
        var after = Apply(new Workflows.Nested { Steps = 1 }, ("a", new Workflows.Nested.Update { Steps = 2 }));

        Assert.Equal(3, after.Steps);
        Assert.Equal(4, Schema<Workflows.Nested>().Version);
    }

    [Fact]
    public void AReducerThatDoesNotFitFailsAtTheBarrierNamingTheFieldAndNode()
    {
        var error = Assert.Throws<InvalidUpdateException>(() => Apply(new Misfit(), ("writer", new Misfit.Update { Text = "x" })));

        Assert.Equal("Text", error.Field);
        Assert.Equal(["writer"], error.Nodes);
        Assert.Contains("[Reducer(Sum)]", error.Message, StringComparison.Ordinal);
        Assert.Contains("'writer'", error.Message, StringComparison.Ordinal);

        // Overwriting still works: the field keeps a usable update.
        Assert.Equal("y", Apply(new Misfit(), ("writer", new Misfit.Update { OverwriteText = "y" })).Text);
    }

    [Fact]
    public void SchemaListsFieldsInDeclarationOrder()
    {
        var schema = Schema<Research>();

        Assert.Equal(typeof(Research), schema.StateType);
        Assert.Equal(1, schema.Version);
        Assert.Equal(
            ["Query", "Note", "Log", "Numbers", "Tags", "Pages", "Scores", "Labels", "Tokens", "Elapsed", "Best", "Lowest", "Summary", "Path"],
            schema.Fields.Select(f => f.Name));
        Assert.Equal(new StateField("Log", typeof(ImmutableList<string>), ReducerKind.Append) { IsImmutable = true }, schema.Fields[2]);
        Assert.Equal(new StateField("Note", typeof(string), ReducerKind.Replace) { IsImmutable = true }, schema.Fields[1]);
        Assert.Equal(new StateField("Summary", typeof(string), ReducerKind.Custom, typeof(LongestString)) { IsImmutable = true }, schema.Fields[12]);
        Assert.Equal(new StateField("Path", typeof(string), ReducerKind.Custom, typeof(PathJoin)) { IsImmutable = true }, schema.Fields[13]);
        Assert.Equal(8, schema.IndexOf("Tokens"));
    }

    [Fact]
    public void FieldsAreReadAndWrittenByNumber()
    {
        var state = new Research { Query = "q", Tokens = 3 };
        var schema = Schema<Research>();

        Assert.Equal("q", GetField(state, schema.IndexOf("Query")));
        Assert.Equal(3, GetField(state, schema.IndexOf("Tokens")));
        Assert.Throws<ArgumentOutOfRangeException>(() => GetField(state, schema.Fields.Length));

        var update = CreateUpdate<Research>();
        Assert.True(update.IsEmpty);
        update.SetField(schema.IndexOf("Query"), "set", overwrite: false);
        update.SetField(schema.IndexOf("Log"), ImmutableList.Create("o"), overwrite: true);
        update.SetField(schema.IndexOf("Tokens"), 4, overwrite: false);
        Assert.False(update.IsEmpty);

        Assert.True(update.TryGetField(schema.IndexOf("Log"), out var log, out var overwrite));
        Assert.True(overwrite);
        Assert.Equal(["o"], (ImmutableList<string>)log!);
        Assert.False(update.TryGetField(schema.IndexOf("Note"), out _, out _));
        Assert.Equal("{ Query = \"set\", Log := [\"o\"], Tokens += 4 }", update.ToString());

        var after = Apply(new Research { Log = ["gone"], Tokens = 1 }, ("a", update));
        Assert.Equal("set", after.Query);
        Assert.Equal(["o"], after.Log);
        Assert.Equal(5, after.Tokens);
    }

    [Fact]
    public void DiffWritesWhatTurnsBeforeIntoAfter()
    {
        var before = new Research { Query = "q", Log = ["a"], Numbers = [1], Tokens = 3, Tags = ["x"], Best = 1 };
        var after = before with { Query = "q2", Log = ["a", "b"], Numbers = [1, 2], Tokens = 10, Tags = ["x", "y"], Best = 2 };

        var diff = Diff(before, after);
        var schema = Schema<Research>();

        Assert.Equal(("q2", false), Field(diff, schema.IndexOf("Query")));
        Assert.Equal(["b"], (ImmutableList<string>)Field(diff, schema.IndexOf("Log")).Value!);
        Assert.False(Field(diff, schema.IndexOf("Log")).Overwrite);
        Assert.Equal([2], ((ImmutableArray<int>)Field(diff, schema.IndexOf("Numbers")).Value!).ToArray());
        Assert.Equal((7, false), Field(diff, schema.IndexOf("Tokens")));
        Assert.True(Field(diff, schema.IndexOf("Tags")).Overwrite);
        Assert.True(Field(diff, schema.IndexOf("Best")).Overwrite);
        Assert.False(diff.TryGetField(schema.IndexOf("Summary"), out _, out _));

        // Applied to the parent's copy of 'before', the diff gives 'after'.
        var replayed = Apply(before, ("child", diff));
        Assert.Equal(after.Query, replayed.Query);
        Assert.Equal(after.Log, replayed.Log);
        Assert.Equal(after.Numbers.ToArray(), replayed.Numbers.ToArray());
        Assert.Equal(after.Tokens, replayed.Tokens);
        Assert.Equal(after.Tags, replayed.Tags);
        Assert.Equal(after.Best, replayed.Best);
    }

    [Fact]
    public void DiffOverwritesAListThatWasNotExtended()
    {
        var before = new Research { Log = ["a", "b"] };
        var after = before with { Log = ["c"] };

        var (value, overwrite) = Field(Diff(before, after), Schema<Research>().IndexOf("Log"));

        Assert.True(overwrite);
        Assert.Equal(["c"], (ImmutableList<string>)value!);
    }

    [Fact]
    public void DiffOfEqualStatesIsEmpty()
    {
        var before = new Research { Log = ["a"] };

        Assert.True(Diff(before, before with { Log = ["a"] }).IsEmpty);
    }

    [Fact]
    public void CreateDefaultUsesTheTypesOwnDefaults()
    {
        var state = CreateDefault<Research>();

        Assert.Equal("", state.Query);
        Assert.Empty(state.Log);
        Assert.Empty(state.Numbers);
        Assert.Equal(0, state.Tokens);
    }

    private static T Apply<T>(T state, params (string Node, StateUpdate<T> Update)[] writes)
        where T : class, IGraphState<T> =>
        T.ApplyWrites(state, writes.Select(w => new StateWrite<T>(w.Node, w.Update)).ToArray());

    private static T CreateDefault<T>()
        where T : class, IGraphState<T> => T.CreateDefault();

    private static StateSchema Schema<T>()
        where T : class, IGraphState<T> => T.Schema;

    private static object? GetField<T>(T state, int field)
        where T : class, IGraphState<T> => T.GetField(state, field);

    private static StateUpdate<T> CreateUpdate<T>()
        where T : class, IGraphState<T> => T.CreateUpdate();

    private static StateUpdate<T> Diff<T>(T before, T after)
        where T : class, IGraphState<T> => T.Diff(before, after);

    private static (object? Value, bool Overwrite) Field<T>(StateUpdate<T> update, int field)
        where T : class, IGraphState<T>
    {
        Assert.True(update.TryGetField(field, out var value, out var overwrite), $"Field {field} is not written.");
        return (value, overwrite);
    }
}
