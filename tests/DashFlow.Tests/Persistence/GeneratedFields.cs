namespace DashFlow.Tests.Persistence;

/// <summary>A state's generated field members, called by field number, for the formatter tests.</summary>
/// <typeparam name="TState">The state.</typeparam>
internal static class GeneratedFields<TState>
    where TState : class, IGraphState<TState>
{
    /// <summary>Every field name, as theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var field in TState.Schema.Fields)
        {
            data.Add(field.Name);
        }

        return data;
    }

    /// <summary>The number and value of the field named <paramref name="name"/>.</summary>
    public static (int Index, object? Value) Of(TState state, string name)
    {
        var index = TState.Schema.IndexOf(name);
        Assert.True(index >= 0, $"No field {name}.");
        return (index, TState.GetField(state, index));
    }

    public static byte[] Serialize(int index, object? value) =>
        TState.SerializeField(index, value) ?? throw new InvalidOperationException($"Field {index} has no generated formatter.");

    public static object? Deserialize(int index, byte[] data) =>
        TState.TryDeserializeField(index, data, out var value) ? value : throw new InvalidOperationException($"Field {index} has no generated formatter.");
}
