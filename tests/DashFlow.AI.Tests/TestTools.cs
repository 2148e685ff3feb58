using System.ComponentModel;

namespace DashFlow.AI.Tests;

/// <summary>Small real tools the tests hand to the model.</summary>
internal sealed class TestTools
{
    private int _addCalls;

    public int AddCalls => _addCalls;

    public AIFunction Add => AIFunctionFactory.Create(AddNumbers, "add");

    public AIFunction Boom => AIFunctionFactory.Create(Explode, "boom");

    [Description("Adds two whole numbers.")]
    private int AddNumbers(int a, int b)
    {
        Interlocked.Increment(ref _addCalls);
        return a + b;
    }

    [Description("Always fails.")]
    private static string Explode(string reason) => throw new InvalidOperationException("the disk is on fire: " + reason);
}
