import { context } from '../../../tools/shared/block-kit.ts';
import { extractLog } from '../../../tools/shared/ci/extract.ts';
import { logTriageBlocks } from '../../../tools/shared/ci/log-render.ts';
import { type LogTriageResult, triageExtractedLog } from '../../../tools/shared/ci/log-triage.ts';
import { AppError } from '../../../tools/shared/errors.ts';
import type { Message } from '../../../tools/shared/message.ts';
import type { TriageExplainer } from '../../agent/explain-failure.ts';
import type { SlackFileInfo, SlackFiles } from '../../slack/files.ts';
import type { JobOutcome, JobRun } from '../queues.ts';
import type { CiTriageLogPayload } from '../specs/ci.ts';

export interface CiTriageLogDeps {
  redact: (text: string) => string;
  /** Absent outside Slack (the console has no shortcuts). */
  files: SlackFiles | undefined;
  explainer?: TriageExplainer;
}

/** File types Slack gives text files and snippets (its `filetype`), besides any text/* mimetype. */
const TEXT_FILETYPES = new Set([
  'text',
  'log',
  'txt',
  'shell',
  'bash',
  'sh',
  'javascript',
  'typescript',
  'python',
  'ruby',
  'go',
  'rust',
  'java',
  'kotlin',
  'c',
  'cpp',
  'csharp',
  'json',
  'yaml',
  'xml',
  'diff',
  'markdown',
  'csv',
  'sql',
  'toml',
  'ini',
  'dockerfile',
  'makefile',
  'groovy',
  'php',
  'perl',
  'scala',
  'swift',
  'powershell',
  'batch',
]);

export function isTextFile(f: SlackFileInfo): boolean {
  const mime = (f.mimetype ?? '').toLowerCase();
  return (
    f.mode === 'snippet' ||
    mime.startsWith('text/') ||
    /^application\/(?:json|x-ndjson|xml|x-yaml|yaml|x-sh|javascript)$/.test(mime) ||
    TEXT_FILETYPES.has((f.filetype ?? '').toLowerCase())
  );
}

/** What a file is, for an answer: "an image", "a PDF", else its type. */
function kindOf(f: SlackFileInfo): string {
  const mime = f.mimetype ?? '';
  if (mime.startsWith('image/')) return 'an image';
  if (mime.startsWith('video/')) return 'a video';
  if (mime.startsWith('audio/')) return 'a recording';
  if (mime === 'application/pdf') return 'a PDF';
  if (/zip|gzip|tar|compressed/.test(mime)) return 'an archive';
  return `not text (${f.filetype || mime || 'unknown type'})`;
}

/**
 * The log in a message's Slack text: links and escapes back to what was typed, code fences off.
 * Mentions stay as text; the messenger neutralises every special one in what is posted.
 */
export function logTextOf(slackText: string): string {
  return slackText
    .replace(/<((?:https?|ftp|mailto):[^<>|]*)(?:\|[^<>]*)?>/g, '$1')
    .replace(/^```|```$/gm, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const NOT_IN_CHANNEL =
  'Shipmate is not in this channel, so only you see this and it could not answer in the thread: invite it (`/invite @shipmate`) to have triage answered there.';

/**
 * "Triage this log": the message's attached text file (or snippet) if it has one, else its text —
 * the same extractor, kinds and redaction as a run's triage, answered in the message's thread.
 */
export async function processCiTriageLog(
  run: JobRun<CiTriageLogPayload>,
  deps: CiTriageLogDeps,
): Promise<JobOutcome> {
  const p = run.payload;
  const skipped: string[] = [];
  let result: LogTriageResult | undefined;
  if (p.files.length > 0 && deps.files) {
    for (const ref of p.files.slice(0, 10)) {
      const info = await deps.files.info(ref.id);
      if (!isTextFile(info)) {
        skipped.push(`${info.name} is ${kindOf(info)}`);
        continue;
      }
      run.progress(`Reading ${info.name}…`);
      const x = await deps.files.extract(info, run.signal);
      const others = p.files.length > 1 ? `Read ${info.name}, the message's first text file.` : undefined;
      result = triageExtractedLog(x, deps.redact, {
        source: 'file',
        name: info.name,
        link: info.permalink ?? null,
        bytesRead: x.bytesRead,
        ...(others ? { note: others } : {}),
      });
      break;
    }
  }
  const text = logTextOf(p.text).trim();
  if (!result && text) {
    run.progress('Reading the message…');
    const x = await extractLog(text.split('\n'), { signal: run.signal });
    result = triageExtractedLog(x, deps.redact, {
      source: 'message',
      name: 'the log in this message',
      link: null,
      bytesRead: Buffer.byteLength(text),
      ...(skipped.length ? { note: `Read the message's text: ${skipped.join('; ')}.` } : {}),
    });
  }
  if (!result) {
    throw new AppError({
      code: 'nothing_to_triage',
      userMessage: skipped.length
        ? `That message holds no log to triage: ${skipped.join('; ')}. Use Triage this log on a message whose text, snippet or attached text file (.log, .txt) is the log.`
        : 'That message has no text or text file to triage. Use Triage this log on a message whose text, snippet or attached text file (.log, .txt) is the log.',
    });
  }
  let message: Message = logTriageBlocks(result);
  if (deps.explainer)
    message = await deps.explainer.addTo(result, message, {
      log: run.log,
      signal: run.signal,
      progress: run.progress,
    });
  // The progress message went through the shortcut's response_url: the bot cannot post here.
  if (run.message() && !run.message()?.ts) message = withNote(message, NOT_IN_CHANNEL);
  return { message };
}

function withNote(m: Message, note: string): Message {
  return { text: `${m.text}\n${note}`, blocks: [...(m.blocks ?? []), context(note)] };
}
