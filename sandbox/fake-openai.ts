import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted model reply: tool calls, a text answer, or an HTTP error. */
export interface ScriptStep {
  toolCalls?: Array<{ name: string; args: Record<string, unknown> }>;
  content?: string;
  /** Answer with this HTTP status and an OpenAI-style error body instead. */
  status?: number;
  /** Wait before answering (to exercise timeouts). */
  delayMs?: number;
}

export interface ChatRequest {
  model: string;
  stream?: boolean;
  messages: Array<{
    role: string;
    content: unknown;
    tool_calls?: unknown;
    tool_call_id?: string;
    name?: string;
  }>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
}

export interface FakeOpenAI {
  /** For OPENAI_BASE_URL, e.g. http://127.0.0.1:5555/v1 */
  baseUrl: string;
  /** Every chat completion request received, in order. */
  requests: Array<{ body: ChatRequest; headers: IncomingMessage['headers']; chars: number }>;
  /** Replaces the script: each request takes the next step; a function step sees the request. */
  script(steps: Array<ScriptStep | ((req: ChatRequest) => ScriptStep)>): void;
  close(): Promise<void>;
}

let callId = 0;

function completion(req: ChatRequest, step: ScriptStep, promptChars: number) {
  const toolCalls = step.toolCalls?.map((t) => ({
    id: `call_${++callId}`,
    type: 'function',
    function: { name: t.name, arguments: JSON.stringify(t.args) },
  }));
  const usage = {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: Math.ceil((step.content?.length ?? 20) / 4),
    total_tokens: Math.ceil(promptChars / 4) + Math.ceil((step.content?.length ?? 20) / 4),
  };
  return { toolCalls, usage, model: req.model };
}

/**
 * A loopback OpenAI-compatible server speaking /v1/chat/completions (plain JSON and SSE streams) that
 * plays scripted turns, so the real `@langchain/openai` client and LangChain's agent loop run end to
 * end. A request past the end of the script gets `opts.respond`'s step (the sample world's scripted
 * model, sample-model.ts), or else a plain "(script exhausted)" answer.
 */
export async function startFakeOpenAI(
  opts: { respond?: (req: ChatRequest) => ScriptStep } = {},
): Promise<FakeOpenAI> {
  let steps: Array<ScriptStep | ((req: ChatRequest) => ScriptStep)> = [];
  const requests: FakeOpenAI['requests'] = [];

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', async () => {
      if (!req.url?.endsWith('/chat/completions')) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(raw) as ChatRequest;
      const chars = JSON.stringify(body.messages).length + JSON.stringify(body.tools ?? []).length;
      requests.push({ body, headers: req.headers, chars });
      const next = steps.shift() ?? opts.respond ?? { content: '(script exhausted)' };
      const step = typeof next === 'function' ? next(body) : next;
      if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
      if (res.destroyed) return;
      if (step.status) {
        res
          // OpenAI sends retry-after-ms; the SDK honours it, which keeps retry tests fast.
          .writeHead(step.status, { 'content-type': 'application/json', 'retry-after-ms': '20' })
          .end(
            JSON.stringify({
              error: { message: `scripted ${step.status}`, type: 'server_error', code: null },
            }),
          );
        return;
      }
      const { toolCalls, usage, model } = completion(body, step, chars);
      const id = `chatcmpl-${requests.length}`;
      const created = Math.floor(Date.now() / 1000);
      const finish = toolCalls?.length ? 'tool_calls' : 'stop';
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: step.content ?? null, tool_calls: toolCalls },
                finish_reason: finish,
                logprobs: null,
              },
            ],
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (delta: unknown, finishReason: string | null, extra: Record<string, unknown> = {}) =>
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`,
        );
      send({ role: 'assistant', content: '' }, null);
      if (step.content)
        for (const piece of step.content.match(/.{1,12}/gs) ?? []) send({ content: piece }, null);
      toolCalls?.forEach((t, index) => {
        send(
          {
            tool_calls: [
              { index, id: t.id, type: 'function', function: { name: t.function.name, arguments: '' } },
            ],
          },
          null,
        );
        send({ tool_calls: [{ index, function: { arguments: t.function.arguments } }] }, null);
      });
      send({}, finish);
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(s) {
      steps = [...s];
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
