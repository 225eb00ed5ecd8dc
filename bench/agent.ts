/**
 * The agent on a big cluster: `node bench/agent.ts [pods=10000]`
 *
 * Asks "how is prod?" through the real agent loop (LangChain createAgent + ChatOpenAI) against a
 * scripted OpenAI-compatible server (sandbox/fake-openai.ts: call cluster_status, then answer)
 * and the fake HTTPS Kubernetes API with `pods` pods, then with 100 pods, and prints per turn: model
 * calls, tool calls, and the size of every prompt the model received (characters and ≈tokens), so the
 * claim "tool summaries stay compact whatever the cluster size" is a measured one.
 */

import { startFakeKube } from '../sandbox/fake-kube.ts';
import { startFakeOpenAI } from '../sandbox/fake-openai.ts';
import { makeCluster } from '../sandbox/kube-objects.ts';
import { DEFAULT_LIMITS, runTurn } from '../src/agent/run-turn.ts';
import { createChatModel } from '../src/clients/chat-model.ts';
import { createKubePort } from '../src/clients/kube.ts';
import { ALL_TOOLS } from '../tools/index.ts';
import { redact } from '../tools/shared/redact.ts';

async function measure(pods: number) {
  const llm = await startFakeOpenAI();
  const fake = await startFakeKube({
    objects: makeCluster({
      pods,
      problems: { crashLoop: 3, imagePull: 2, unschedulable: 2, oomKilled: 1, nodeNotReady: 1 },
    }),
  });
  const kube = createKubePort({ kubeconfigPath: fake.kubeconfigPath, requestTimeoutMs: 60_000 });
  llm.script([
    { toolCalls: [{ name: 'cluster_status', args: {} }] },
    { content: 'Prod has a few problems; see below.' },
  ]);
  const model = createChatModel({
    model: 'gpt-bench',
    apiKey: 'sk-bench',
    baseUrl: llm.baseUrl,
    requestTimeoutMs: 60_000,
    turnTimeoutMs: 120_000,
    turnsPerMinute: 100,
  });
  const t0 = performance.now();
  const r = await runTurn({
    model,
    tools: ALL_TOOLS,
    deps: { redact, kube },
    ctx: { userId: 'UBENCH', traceId: 'bench', signal: new AbortController().signal, progress: () => {} },
    history: [],
    question: 'how is prod?',
    limits: DEFAULT_LIMITS,
  });
  const ms = performance.now() - t0;
  const prompts = llm.requests.map((q) => q.chars);
  const toolResult = llm.requests[1]?.body.messages.find((m) => m.role === 'tool');
  await kube.close();
  await Promise.all([llm.close(), fake.close()]);
  return {
    pods,
    ms,
    modelCalls: r.modelCalls,
    toolCalls: r.state.toolCalls,
    prompts,
    toolResultChars: String(toolResult?.content ?? '').length,
    answer: r.text,
  };
}

const big = Number(process.argv[2] ?? 10_000);
const rows = [await measure(100), await measure(big)];
console.log('question: "how is prod?" (model scripted: cluster_status, then answer)');
console.log(
  'pods     model calls  tool calls  prompt chars (≈tokens) per model call           tool result chars  turn ms',
);
for (const r of rows) {
  const prompts = r.prompts.map((c) => `${c} (≈${Math.ceil(c / 4)})`).join(', ');
  console.log(
    `${String(r.pods).padEnd(8)} ${String(r.modelCalls).padEnd(12)} ${String(r.toolCalls).padEnd(11)} ${prompts.padEnd(45)} ${String(r.toolResultChars).padEnd(18)} ${r.ms.toFixed(0)}`,
  );
}
const [small, large] = rows;
if (small && large) {
  const ratio = (large.prompts[1] ?? 0) / (small.prompts[1] ?? 1);
  console.log(`second prompt at ${large.pods} pods vs 100 pods: ${ratio.toFixed(2)}×`);
}
process.exit(0);
