namespace DashFlow.Persistence;

/// <summary>
/// Upgrades checkpoints written by schema version <see cref="FromVersion"/> of a state to version
/// <see cref="FromVersion"/> + 1. Register one per step in <see cref="CompileOptions.Migrations"/>; a checkpoint several
/// versions old goes through each in turn.
/// </summary>
/// <param name="fromVersion">The version it upgrades from.</param>
/// <param name="migrate">Renames, removes, converts or adds fields.</param>
public sealed class StateMigration(int fromVersion, Action<StateMigrationContext> migrate)
{
    /// <summary>The version it upgrades from.</summary>
    public int FromVersion { get; } = fromVersion;

    /// <summary>The version it upgrades to.</summary>
    public int ToVersion => FromVersion + 1;

    internal void Apply(StateMigrationContext context) => migrate(context);
}

/// <summary>The stored fields of one checkpoint being migrated, by name. Fields not touched are kept as they are.</summary>
public sealed class StateMigrationContext
{
    private readonly Dictionary<string, byte[]> _fields;
    private readonly ICheckpointSerializer _serializer;

    internal StateMigrationContext(Dictionary<string, byte[]> fields, ICheckpointSerializer serializer, int fromVersion)
    {
        _fields = fields;
        _serializer = serializer;
        FromVersion = fromVersion;
    }

    /// <summary>The version being migrated from.</summary>
    public int FromVersion { get; }

    /// <summary>The fields the checkpoint holds.</summary>
    public IReadOnlyCollection<string> Fields => _fields.Keys;

    /// <summary>Whether the checkpoint holds <paramref name="field"/>.</summary>
    /// <param name="field">The field's name.</param>
    /// <returns>Whether it is there.</returns>
    public bool Has(string field) => _fields.ContainsKey(field);

    /// <summary>Reads a stored field as the type it had in the old version.</summary>
    /// <typeparam name="T">The old type.</typeparam>
    /// <param name="field">The field's name.</param>
    /// <returns>The value.</returns>
    public T? Read<T>(string field) => (T?)_serializer.Deserialize(_fields[field], typeof(T));

    /// <summary>Writes a field as the type it has in the new version.</summary>
    /// <typeparam name="T">The new type.</typeparam>
    /// <param name="field">The field's name.</param>
    /// <param name="value">The value.</param>
    public void Write<T>(string field, T value) => _fields[field] = _serializer.Serialize(value, typeof(T));

    /// <summary>Renames a field.</summary>
    /// <param name="from">The old name.</param>
    /// <param name="to">The new name.</param>
    public void Rename(string from, string to)
    {
        if (_fields.Remove(from, out var data))
        {
            _fields[to] = data;
        }
    }

    /// <summary>Drops a field.</summary>
    /// <param name="field">The field's name.</param>
    public void Remove(string field) => _fields.Remove(field);
}
