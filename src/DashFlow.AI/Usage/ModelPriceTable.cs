using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DashFlow.AI;

/// <summary>
/// Prices per model, for <see cref="TokenUsageMeter"/>. A model is looked up by its exact name, then by the longest
/// configured prefix (so <c>gpt-4o-mini</c> also prices <c>gpt-4o-mini-2024-07-18</c>).
/// </summary>
/// <example><code>
/// // appsettings.json: { "Prices": { "gpt-4o-mini": { "Input": 0.15, "Output": 0.60 } } }
/// var prices = ModelPriceTable.FromConfiguration(configuration.GetSection("Prices"));
/// </code></example>
public sealed class ModelPriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The prices by model name.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices => _prices;

    /// <summary>Sets a model's price.</summary>
    /// <param name="model">The model name (or a prefix of it).</param>
    /// <param name="price">The price.</param>
    /// <returns>This table.</returns>
    public ModelPriceTable Add(string model, ModelPrice price)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(price);
        _prices[model] = price;
        return this;
    }

    /// <summary>The price of <paramref name="model"/>: exact name first, then the longest matching prefix.</summary>
    /// <param name="model">The model name a response reported.</param>
    /// <returns>The price, or null when the table has none.</returns>
    public ModelPrice? Find(string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        if (_prices.TryGetValue(model, out var exact))
        {
            return exact;
        }

        return _prices.Where(p => model.StartsWith(p.Key, StringComparison.OrdinalIgnoreCase)).OrderByDescending(p => p.Key.Length).Select(p => p.Value).FirstOrDefault();
    }

    /// <summary>Reads prices from configuration: one child per model with <c>Input</c>, <c>Output</c> and optionally <c>CachedInput</c> per million tokens.</summary>
    /// <param name="section">The section.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ModelConfigurationException">A price is missing or not a number; names the setting.</exception>
    public static ModelPriceTable FromConfiguration(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var table = new ModelPriceTable();
        foreach (var model in section.GetChildren())
        {
            table.Add(model.Key, new ModelPrice(Read(model, "Input") ?? Missing(model, "Input"), Read(model, "Output") ?? Missing(model, "Output"), Read(model, "CachedInput")));
        }

        return table;
    }

    private static decimal Missing(IConfigurationSection model, string key) =>
        throw new ModelConfigurationException(model.Path + ":" + key, $"The price '{model.Path}:{key}' is missing: set it to the price of a million tokens.");

    private static decimal? Read(IConfigurationSection model, string key)
    {
        var text = model[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ModelConfigurationException(model.Path + ":" + key, $"The price '{model.Path}:{key}' is '{text}', which is not a number of 0 or more.");
    }
}
