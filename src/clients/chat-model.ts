import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config.ts';

/**
 * The chat model for the agent: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, vLLM,
 * Ollama, LiteLLM) through `@langchain/openai`, using Chat Completions. Retries 429/5xx with the
 * SDK's backoff a couple of times; the job retries beyond that.
 */
export function createChatModel(llm: NonNullable<Config['llm']>): ChatOpenAI {
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
  });
}
