using System.Globalization;

namespace DashFlow.Persistence;

/// <summary>The metadata the engine writes on a checkpoint: its source and step.</summary>
internal static class EngineMetadata
{
    /// <summary>Each <see cref="CheckpointSource"/> as the engine writes it.</summary>
    private static readonly string[] s_sources = [.. Enum.GetValues<CheckpointSource>().Select(v => v.ToString().ToLowerInvariant())];

    private static readonly string[] s_keys = ["source", "step"];

    /// <summary>The maps of the first steps, by source and step, made once: a map cannot be changed, so checkpoints share it.</summary>
    private static readonly ArrayMap?[,] s_shared = new ArrayMap?[s_sources.Length, 64];

    public static ArrayMap Of(CheckpointSource source, int step)
    {
        ArrayMap Make() => new(s_keys, [s_sources[(int)source], step.ToString(CultureInfo.InvariantCulture)]);
        return (uint)step < (uint)s_shared.GetLength(1) ? s_shared[(int)source, step] ??= Make() : Make();
    }
}
