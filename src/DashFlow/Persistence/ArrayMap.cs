using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace DashFlow.Persistence;

/// <summary>
/// A small read-only string map over two arrays: a checkpoint's field versions (the keys are the schema's field names,
/// shared by every checkpoint of the state) and its metadata. A checkpoint per superstep must not pay for a hash table it
/// reads a few times at most: lookups walk the keys, which are few.
/// </summary>
internal sealed class ArrayMap : IReadOnlyDictionary<string, string>
{
    private readonly string[] _keys;
    private readonly string[] _values;

    /// <summary>Creates the map; the arrays are owned by it from now on (the keys may be shared, never changed).</summary>
    public ArrayMap(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<string> Values => _values;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The map has no key '{key}'.");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _values[index] : null;
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<string, string>(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Equal to another map with the same keys and values in the same order: the in-memory store makes a checkpoint it
    /// keeps as a frame anew at each read, and two reads of one checkpoint must compare equal, as records do.
    /// </summary>
    public override bool Equals(object? obj) =>
        ReferenceEquals(this, obj) || (obj is ArrayMap other && _keys.AsSpan().SequenceEqual(other._keys) && _values.AsSpan().SequenceEqual(other._values));

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var value in _values)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    private int IndexOf(string key)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
