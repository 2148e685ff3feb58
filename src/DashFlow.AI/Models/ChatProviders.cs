namespace DashFlow.AI;

/// <summary>The provider names <see cref="ChatModelOptions.Provider"/> accepts.</summary>
public static class ChatProviders
{
    /// <summary>OpenAI's own service.</summary>
    public const string OpenAI = "openai";

    /// <summary>Azure OpenAI (a resource endpoint and a deployment).</summary>
    public const string AzureOpenAI = "azure-openai";

    /// <summary>Any server speaking OpenAI's chat-completions protocol at <see cref="ChatModelOptions.Endpoint"/>.</summary>
    public const string OpenAICompatible = "openai-compatible";
}
