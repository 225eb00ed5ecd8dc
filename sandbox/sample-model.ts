/**
 * The sample world's offline "model": a scripted responder for the OpenAI-compatible fake
 * (fake-openai.ts), so that mentions in the demo run the real agent loop — LangChain, tool calls,
 * Shipmate's tools against the sample cluster and GitHub — with no network and no API key.
 *
 * It is not a language model: it picks one tool by keywords in the question (a workload name → its
 * details and logs; build/CI words → the latest failed run's triage; deploy/rollback words → a
 * request; otherwise the cluster's status), and then answers with the start of that tool's own
 * summary. It only calls tools the request offers, with arguments the tools' schemas accept.
 */

import type { ChatRequest, ScriptStep } from './fake-openai.ts';

/** Workloads of the sample cluster (sample-cluster.ts) a question may name. */
const WORKLOADS = [
  'payments',
  'recommendations',
  'checkout',
  'cart',
  'search',
  'notifications',
  'report-builder',
  'inventory',
];

const ANSWER_CHARS = 1200;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : ''))
      .join(' ');
  return '';
}

/** The tool call (or answer) the sample model gives for `req`. */
export function sampleModelStep(req: ChatRequest): ScriptStep {
  const lastUser = req.messages.findLastIndex((m) => m.role === 'user');
  const results = req.messages.slice(lastUser + 1).filter((m) => m.role === 'tool');
  if (results.length) return { content: answerFrom(textOf(results.at(-1)?.content)) };
  const asked = textOf(req.messages[lastUser]?.content);
  if (asked.includes('<ci_failure>')) return { content: explainFailure(asked) };
  if (asked.includes('<digest>')) return { content: digestLead(asked) };
  if (asked.includes('<repository>')) return { content: draftTests(asked) };
  const question = asked.toLowerCase();
  const offered = new Set((req.tools ?? []).map((t) => t.function.name));
  const call = chooseTool(question, offered);
  if (!call) {
    return {
      content:
        'I am the sample world\'s scripted model: ask about a workload ("why is payments crashing?"), the builds ("why did the last build fail?") or the cluster ("what is broken?").',
    };
  }
  return { toolCalls: [call] };
}

function chooseTool(
  q: string,
  offered: ReadonlySet<string>,
): { name: string; args: Record<string, unknown> } | undefined {
  const pick = (name: string, args: Record<string, unknown>) =>
    offered.has(name) ? { name, args } : undefined;
  const repo = /\b([a-z0-9-]+\/[a-z0-9._-]+)\b/.exec(q)?.[1] ?? 'acme/shop';
  const env = /\b(prod|staging)\b/.exec(q)?.[1];
  const workload = WORKLOADS.find((w) => new RegExp(`\\b${w}\\b`).test(q));
  if (/\broll ?back\b/.test(q) && workload && env)
    return pick('propose_rollback', { service: workload, environment: env });
  const version = /\b(\d+\.\d+\.\d+[\w.-]*)\b/.exec(q)?.[1];
  if (/\bdeploy\b/.test(q) && workload && env && version)
    return pick('propose_deploy', { service: workload, version, environment: env });
  if (/\b(build|ci|pipeline|workflow|run|tests?)\b/.test(q) && !workload)
    return pick('triage_build', { repo });
  if (workload) return pick('workload_details', { name: workload });
  return pick('cluster_status', {});
}

function answerFrom(result: string): string {
  const body = result
    .replace(/^<tool_result[^>]*>\n?/, '')
    .replace(/\n?<\/tool_result>$/, '')
    .trim();
  const cut = body.length > ANSWER_CHARS ? `${body.slice(0, ANSWER_CHARS)}…` : body;
  return `Here is what I found (the sample world's scripted model quotes the tool):\n${cut}`;
}

/** A CI failure explanation (src/agent/explain-failure.ts): the most telling error line of the excerpt. */
function explainFailure(input: string): string {
  const lines = input
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*\d+\s*(│|:)\s?/, '')
        .replace(/^##\[error\]/, '')
        .trim(),
    )
    .filter((l) => l && !/Process completed with exit code/.test(l));
  const telling =
    [/●|\bExpected\b|\bInvalid\b|not found|exceeded/, /\berror\b/i, /\bfail/i]
      .map((re) => lines.find((l) => re.test(l)))
      .find(Boolean) ??
    lines.at(-1) ??
    '';
  return `The run stops at: "${telling.slice(0, 200)}". Fix that and re-run the failed jobs. (Scripted sample model: a real one explains the failure in its own words.)`;
}

/**
 * A drafted test file (tools/shared/tests/prompt.ts asks for one code block and a COVERS line): the
 * sample repository's cart total, in the style of its capture test.
 */
function draftTests(input: string): string {
  if (!input.includes('Source file: src/cart/total.ts'))
    return 'The scripted sample model drafts tests only for src/cart/total.ts.';
  return [
    '```ts',
    "import { describe, expect, it } from '@jest/globals';",
    "import { deliveryFee, total } from './total.ts';",
    '',
    "describe('total', () => {",
    "  it('sums price times quantity', () => {",
    '    expect(total([{ price: 250, qty: 2 }, { price: 100, qty: 1 }])).toBe(600);',
    '  });',
    "  it('is 0 for an empty cart', () => {",
    '    expect(total([])).toBe(0);',
    '  });',
    '});',
    '',
    "describe('deliveryFee', () => {",
    "  it('is free from 50.00', () => {",
    '    expect(deliveryFee(5000)).toBe(0);',
    '    expect(deliveryFee(4999)).toBe(499);',
    '  });',
    '});',
    '```',
    'COVERS: total of several lines and of an empty cart, and the free-delivery threshold. (Scripted sample model.)',
  ].join('\n');
}

/** A digest's lead (src/digests/lead.ts): its first critical item, else its first item. */
function digestLead(input: string): string {
  const items = input.split('\n').filter((l) => /^\s*(🔴|🟠|:red_circle:|:large_orange_circle:)/.test(l));
  const first = (items.find((l) => /🔴|:red_circle:/.test(l)) ?? items[0] ?? '')
    .replace(/^\s*(🔴|🟠|:red_circle:|:large_orange_circle:)\s*/, '')
    .split(' — ')[0];
  return first
    ? `Most urgent: ${first}. The scripted sample model picked the first critical item; a real one weighs them.`
    : 'Most urgent: nothing; the digest lists no open problem.';
}
