namespace DashFlow;

/// <summary>
/// Maps a parent state to a subgraph's state through the fields both declare with the same name and type, and the
/// subgraph's changes back to the parent.
/// </summary>
internal sealed class SharedFieldMapping<TParent, TChild>
    where TParent : class, IGraphState<TParent>
    where TChild : class, IGraphState<TChild>
{
    private readonly (int Parent, int Child)[] _pairs;

    private SharedFieldMapping((int Parent, int Child)[] pairs) => _pairs = pairs;

    public static SharedFieldMapping<TParent, TChild> Create(string node)
    {
        var parent = TParent.Schema.Fields;
        var child = TChild.Schema.Fields;
        var pairs = new List<(int, int)>();
        for (var c = 0; c < child.Length; c++)
        {
            var p = TParent.Schema.IndexOf(child[c].Name);
            if (p < 0)
            {
                continue;
            }

            if (parent[p].Type != child[c].Type)
            {
                throw new ArgumentException(
                    $"Subgraph node '{node}': field '{child[c].Name}' is a {parent[p].Type.Name} in {typeof(TParent).Name} but a " +
                    $"{child[c].Type.Name} in {typeof(TChild).Name}; give them one type or map the states explicitly.");
            }

            pairs.Add((p, c));
        }

        if (pairs.Count == 0)
        {
            throw new ArgumentException(
                $"Subgraph node '{node}': {typeof(TParent).Name} and {typeof(TChild).Name} share no field; map the states explicitly.");
        }

        return new([.. pairs]);
    }

    public TChild ToChild(TParent parent)
    {
        var update = TChild.CreateUpdate();
        foreach (var (p, c) in _pairs)
        {
            update.SetField(c, TParent.GetField(parent, p), overwrite: TChild.Schema.Fields[c].Reducer != ReducerKind.Replace);
        }

        return TChild.ApplyWrites(TChild.CreateDefault(), [new StateWrite<TChild>(Graph.Start, update)]);
    }

    /// <summary>An update that sets the shared fields of a kept subgraph state to the values <paramref name="input"/> holds.</summary>
    public StateUpdate<TChild> Refresh(TChild input) => RefreshFields(input, _pairs.Select(p => p.Child));

    /// <summary>
    /// An update that sets <paramref name="fields"/> of a kept subgraph state to the values <paramref name="input"/> holds
    /// (Replace fields written, reducer fields overwritten); every field that differs from its default when null.
    /// </summary>
    public static StateUpdate<TChild> RefreshFields(TChild input, IEnumerable<int>? fields)
    {
        var update = TChild.CreateUpdate();
        var schema = TChild.Schema.Fields;
        if (fields is null)
        {
            var defaults = TChild.CreateDefault();
            fields = Enumerable.Range(0, schema.Length).Where(i => !Equals(TChild.GetField(input, i), TChild.GetField(defaults, i)));
        }

        foreach (var c in fields)
        {
            update.SetField(c, TChild.GetField(input, c), overwrite: schema[c].Reducer != ReducerKind.Replace);
        }

        return update;
    }

    public StateUpdate<TParent>? ToParent(TChild input, TChild final)
    {
        var changes = TChild.Diff(input, final);
        if (changes.IsEmpty)
        {
            return null;
        }

        var update = TParent.CreateUpdate();
        var written = false;
        foreach (var (p, c) in _pairs)
        {
            if (changes.TryGetField(c, out var value, out var overwrite))
            {
                update.SetField(p, value, overwrite);
                written = true;
            }
        }

        // A child that changed only fields the parent does not have writes nothing, like a node returning no update.
        return written ? update : null;
    }
}
