import type { CallbackHandlerMethods } from '@langchain/core/callbacks/base';
import type { AIMessage } from '@langchain/core/messages';
import type { ChatGeneration } from '@langchain/core/outputs';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config.ts';
import { type Metrics, secondsSince } from '../metrics/metrics.ts';

/**
 * The chat model for the agent: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, vLLM,
 * Ollama, LiteLLM) through `@langchain/openai`, using Chat Completions. Retries 429/5xx with the
 * SDK's backoff a couple of times; the job retries beyond that. With `metrics`, every model call
 * (the agent's and CI explanations alike) is timed and its token usage counted.
 */
export function createChatModel(llm: NonNullable<Config['llm']>, metrics?: Metrics): ChatOpenAI {
  return new ChatOpenAI({
    model: llm.model,
    // Local servers (Ollama, vLLM) take any key; the SDK insists on one.
    apiKey: llm.apiKey ?? 'not-needed',
    configuration: llm.baseUrl ? { baseURL: llm.baseUrl } : undefined,
    temperature: 0,
    maxRetries: 2,
    timeout: llm.requestTimeoutMs,
    // Not streamed: LangChain's invoke() over a stream estimates token counts with tiktoken, which
    // downloads its encodings at run time; plain responses carry the server's own usage.
    streaming: false,
    useResponsesApi: false,
    callbacks: metrics ? [modelMetrics(llm.model, metrics)] : undefined,
  });
}

/** LangChain callbacks that time each model call and count the tokens the server reported. */
function modelMetrics(model: string, metrics: Metrics): CallbackHandlerMethods {
  const started = new Map<string, number>();
  const end = (runId: string, ok: boolean) => {
    const t0 = started.get(runId);
    started.delete(runId);
    if (t0 !== undefined) metrics.externalCall('llm', 'chat.completions', ok, secondsSince(t0));
  };
  return {
    handleChatModelStart(_llm, _messages, runId) {
      started.set(runId, performance.now());
    },
    handleLLMEnd(output, runId) {
      end(runId, true);
      const message = (output.generations[0]?.[0] as ChatGeneration | undefined)?.message as
        | AIMessage
        | undefined;
      const usage = message?.usage_metadata;
      const fallback = output.llmOutput?.tokenUsage as
        | { promptTokens?: number; completionTokens?: number }
        | undefined;
      metrics.llmTokens(
        model,
        usage?.input_tokens ?? fallback?.promptTokens ?? 0,
        usage?.output_tokens ?? fallback?.completionTokens ?? 0,
      );
    },
    handleLLMError(_err, runId) {
      end(runId, false);
    },
  };
}
