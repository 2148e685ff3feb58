using System.Net.Http.Json;
using System.Text.Json;
using DashFlow.AI.ScriptedServer;
using Microsoft.Extensions.AI;

namespace DashFlow.AI.ScriptedServer.Tests;

/// <summary>Deterministic vectors from /v1/embeddings, through the SDK and as plain JSON.</summary>
public sealed class EmbeddingTests
{
    [Fact]
    public async Task Embedding_generator_gets_one_deterministic_vector_per_input()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        var generator = server.CreateEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(["alpha", "beta", "alpha"]);

        Assert.Equal(3, embeddings.Count);
        var vectors = embeddings.Select(e => e.Vector.ToArray()).ToList();
        Assert.All(vectors, v => Assert.Equal(ScriptedOpenAIServer.DefaultEmbeddingDimensions, v.Length));
        Assert.Equal(ScriptedOpenAIServer.EmbeddingFor("alpha"), vectors[0]);
        Assert.Equal(ScriptedOpenAIServer.EmbeddingFor("beta"), vectors[1]);
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal(1.0, Math.Sqrt(vectors[1].Sum(x => (double)x * x)), 5);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal(ScriptedOpenAIServer.DefaultEmbeddingModel, request.Model);
    }

    [Fact]
    public async Task Embedding_generator_honours_dimensions()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        var generator = server.CreateEmbeddingGenerator();

        var embedding = await generator.GenerateAsync("a longer text", new EmbeddingGenerationOptions { Dimensions = 20 });

        Assert.Equal(ScriptedOpenAIServer.EmbeddingFor("a longer text", 20), embedding.Vector.ToArray());
    }

    [Fact]
    public async Task Plain_clients_get_arrays_of_numbers()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PostAsJsonAsync(new Uri(server.Endpoint, "embeddings"), new { model = "m", input = "alpha" });

        Assert.True(response.IsSuccessStatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
        var data = Assert.Single(json.RootElement.GetProperty("data").EnumerateArray().ToList());
        Assert.Equal(
            ScriptedOpenAIServer.EmbeddingFor("alpha"),
            data.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        Assert.Equal("m", json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task A_request_without_input_is_refused()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.PostAsJsonAsync(new Uri(server.Endpoint, "embeddings"), new { model = "m" });

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("no 'input'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
