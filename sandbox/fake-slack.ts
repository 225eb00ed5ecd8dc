import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { createFakeSlackFiles, type FakeSharedFile, type FakeSlackUpload } from './fake-slack-files.ts';

/** One call the fake received: Web API method (or `response_url:<id>`) and its decoded arguments. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** What the fake answered (Web API calls only). */
  response?: Record<string, unknown>;
}

export interface FakeSlack {
  /** Base URL for SLACK_API_URL, e.g. http://127.0.0.1:5555/api/ */
  apiUrl: string;
  /** A response_url the fake accepts: posts to it are recorded as method `response_url`. */
  responseUrl(id?: string): string;
  calls: SlackCall[];
  /** Calls of one method. */
  of(method: string): SlackCall[];
  /**
   * Makes the next `times` calls of `method` answer `{ ok: false, error, ...extra }` (Slack's
   * `missing_scope` comes with `needed` and `provided`).
   */
  failNext(method: string, error: string, times?: number, extra?: Record<string, unknown>): void;
  /**
   * Files uploaded the files.uploadV2 way (getUploadURLExternal, the upload URL, completeUploadExternal),
   * with what was POSTed; a completed one also shows in its thread or channel as a message with `files`.
   */
  uploads: FakeSlackUpload[];
  /** Attaches a file as a person would (files.info and its download serve it); returns its id. */
  share(file: FakeSharedFile): string;
  /** Channels the bot is not a member of: posting there answers `channel_not_found`, their files `file_not_found`. */
  notMemberOf: Set<string>;
  /**
   * An outage, until {@link recover}: Web API methods (or `response_url`) whose name matches
   * `methods` answer HTTP `status` (default 500; 429 comes with `Retry-After: 0`) and do nothing. Such calls are recorded with
   * `response: { status }`. Driven by the test, not by a clock.
   */
  outage(methods: RegExp, status?: number): void;
  /** Ends the outage. */
  recover(): void;
  /**
   * The next `times` calls of `method` are carried out (a post is stored and shows in history) but
   * their answers are held back until {@link releaseHeld} — a Slack slower than the client's
   * timeout. Default once.
   */
  hold(method: string, times?: number): void;
  /** Sends every answer held back so far. */
  releaseHeld(): void;
  /** Resolves when `predicate` holds over the calls, or rejects after `timeoutMs`. */
  waitFor(predicate: (calls: SlackCall[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /**
   * Socket Mode: sends an envelope to the connected app and resolves with its ack's payload.
   * `type` is `slash_commands`, `events_api` or `interactive`.
   */
  socketSend(type: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  /** Resolves once a Socket Mode client has connected and been greeted. */
  socketConnected(timeoutMs?: number): Promise<void>;
  /** Messages of a thread, for conversations.replies. */
  threads: Map<string, Array<Record<string, unknown>>>;
  /** Top-level messages of each channel, oldest first, for conversations.history. */
  channels: Map<string, Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

function decode(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    // The Web API client JSON-encodes arrays and objects (blocks, attachments) in form bodies.
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}

/** What real Slack refuses in `blocks` (it answers `invalid_blocks`), as far as Shipmate's blocks go. */
function blockProblem(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > 50) return `${blocks.length} blocks (at most 50)`;
  for (const [i, b] of (blocks as Array<Record<string, unknown>>).entries()) {
    const text = (b.text as { text?: string } | undefined)?.text;
    if (b.type === 'section' && text !== undefined && text.length > 3000)
      return `blocks[${i}]: section text over 3000`;
    if (b.type === 'header' && text !== undefined && text.length > 150)
      return `blocks[${i}]: header over 150`;
    if (b.type === 'actions') {
      const ids = (b.elements as Array<{ action_id?: string }>).map((e) => e.action_id);
      if (new Set(ids).size !== ids.length) return `blocks[${i}]: action_id must be unique within a block`;
    }
  }
  return undefined;
}

/**
 * A loopback Slack Web API that records what it receives and answers like Slack for the methods
 * Shipmate uses. The real `@slack/web-api` client talks to it through SLACK_API_URL.
 */
export async function startFakeSlack(opts: { botUserId?: string } = {}): Promise<FakeSlack> {
  const botUserId = opts.botUserId ?? 'UBOT';
  const calls: SlackCall[] = [];
  const failures = new Map<string, { error: string; times: number; extra?: Record<string, unknown> }>();
  const threads = new Map<string, Array<Record<string, unknown>>>();
  const channels = new Map<string, Array<Record<string, unknown>>>();
  const waiters = new Set<() => void>();
  let down: { methods: RegExp; status: number } | undefined;
  const holds = new Map<string, number>();
  const notMemberOf = new Set<string>();
  const files = createFakeSlackFiles(
    () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    (channel) => !notMemberOf.has(channel),
  );
  const held: Array<() => void> = [];
  /** Real Slack returns a message's metadata only when asked (`include_all_metadata`). */
  const shown = (msgs: Array<Record<string, unknown>>, args: Record<string, unknown>) =>
    msgs
      .filter((m) => args.oldest === undefined || Number(m.ts) >= Number(args.oldest))
      .map((m) => {
        if (args.include_all_metadata === 'true' || args.include_all_metadata === true) return m;
        const { metadata: _metadata, ...rest } = m;
        return rest;
      });
  // Slack's ts is the post time in microseconds, unique per channel: later messages sort after earlier ones.
  let lastMicros = 0;
  const nextTs = () => {
    lastMicros = Math.max(lastMicros + 1, Date.now() * 1000);
    return (lastMicros / 1e6).toFixed(6);
  };

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const f = failures.get(method);
    if (f && f.times > 0) {
      f.times--;
      return { ...f.extra, ok: false, error: f.error };
    }
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: botUserId,
          bot_id: 'BBOT',
          team_id: 'T1',
          user: 'shipmate',
          team: 'Acme',
          url: 'https://acme.slack.com/',
        };
      case 'chat.postMessage':
      case 'chat.update':
      case 'chat.postEphemeral': {
        if (notMemberOf.has(String(args.channel))) return { ok: false, error: 'channel_not_found' };
        const problem = blockProblem(args.blocks);
        if (problem) return { ok: false, error: 'invalid_blocks', errors: [problem] };
        break;
      }
    }
    switch (method) {
      case 'chat.postMessage': {
        const t = nextTs();
        const channel = String(args.channel);
        const msg = { ...args, ts: t, user: botUserId, bot_id: 'BBOT' };
        if (args.thread_ts) {
          const key = `${channel}/${String(args.thread_ts)}`;
          threads.set(key, [...(threads.get(key) ?? []), msg]);
        } else {
          channels.set(channel, [...(channels.get(channel) ?? []), msg]);
        }
        return { ok: true, channel, ts: t, message: msg };
      }
      case 'chat.update': {
        // Keep the stored thread in step, so conversations.replies shows the edited text.
        for (const msgs of [...threads.values(), ...channels.values()]) {
          const m = msgs.find((x) => x.ts === args.ts);
          if (m) Object.assign(m, { text: args.text, blocks: args.blocks });
        }
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link` };
      case 'usergroups.users.list':
        return { ok: true, users: [] };
      case 'conversations.replies': {
        const key = `${String(args.channel)}/${String(args.ts)}`;
        return { ok: true, messages: shown(threads.get(key) ?? [], args), has_more: false };
      }
      case 'files.info':
      case 'files.getUploadURLExternal':
      case 'files.completeUploadExternal':
        return (
          files.answer(method, args, (channel, threadTs, done) => {
            const msg = {
              ts: nextTs(),
              user: botUserId,
              bot_id: 'BBOT',
              text: '',
              files: done.map((u) => ({ id: u.id, name: u.filename, title: u.title })),
            };
            if (threadTs)
              threads.set(`${channel}/${threadTs}`, [...(threads.get(`${channel}/${threadTs}`) ?? []), msg]);
            else channels.set(channel, [...(channels.get(channel) ?? []), msg]);
          }) ?? { ok: false, error: 'unknown_method' }
        );
      case 'conversations.history': {
        // Newest first, as Slack answers.
        const msgs = shown(channels.get(String(args.channel)) ?? [], args).reverse();
        return { ok: true, messages: msgs.slice(0, Number(args.limit ?? 100)), has_more: false };
      }
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = Buffer.concat(chunks);
      if (url.pathname.startsWith('/files-pri/')) {
        // A file's url_private(_download): Slack's files host, read with the bot token.
        const id = url.pathname.split('/')[2]?.replace(/^T1-/, '') ?? '';
        const got = files.download(id, req.headers.authorization);
        calls.push({
          method: 'file_download',
          args: { id },
          headers: req.headers,
          response: { status: got.status },
        });
        res.writeHead(got.status, { 'content-type': got.type }).end(got.body);
        for (const w of waiters) w();
        return;
      }
      if (url.pathname.startsWith('/upload/')) {
        // The upload URL files.getUploadURLExternal handed out (Slack's files host, not the Web API).
        const id = url.pathname.slice('/upload/'.length);
        void files.receive(id, req.headers['content-type'], raw).then((status) => {
          calls.push({
            method: 'file_upload',
            args: { id, bytes: raw.length },
            headers: req.headers,
            response: { status },
          });
          res
            .writeHead(status, { 'content-type': 'text/plain' })
            .end(status === 200 ? 'OK - 1' : 'not found');
          for (const w of waiters) w();
        });
        return;
      }
      const body = raw.toString('utf8');
      const args = { ...Object.fromEntries(url.searchParams), ...decode(body, req.headers['content-type']) };
      const method = url.pathname.startsWith('/response/')
        ? 'response_url'
        : url.pathname.replace(/^\/api\//, '');
      if (down?.methods.test(method)) {
        const status = down.status;
        calls.push({ method, args, headers: req.headers, response: { status } });
        // Slack's rate limit says when to come back (here: at once — the test decides when it ends).
        const headers: Record<string, string> = { 'content-type': 'text/html' };
        if (status === 429) headers['retry-after'] = '0';
        res.writeHead(status, headers).end('<html>Slack is having trouble</html>');
        for (const w of waiters) w();
        return;
      }
      if (url.pathname.startsWith('/response/')) {
        calls.push({
          method: 'response_url',
          args: { ...args, id: url.pathname.slice('/response/'.length) },
          headers: req.headers,
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else {
        const response = answer(method, args);
        calls.push({ method, args, headers: req.headers, response });
        const send = () =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
        const holding = holds.get(method) ?? 0;
        if (holding > 0) {
          holds.set(method, holding - 1);
          held.push(send);
        } else send();
      }
      for (const w of waiters) w();
    });
  });
  // Socket Mode: the app connects here after apps.connections.open and acks envelopes.
  const wss = new WebSocketServer({ server, path: '/link' });
  let socket: WebSocket | undefined;
  const acks = new Map<string, (payload: unknown) => void>();
  wss.on('connection', (ws, req) => {
    socket = ws;
    calls.push({ method: 'socket.connect', args: {}, headers: req.headers });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) acks.get(msg.envelope_id)?.(msg.payload);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
    for (const w of waiters) w();
  });
  let envelope = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const fake: FakeSlack = {
    apiUrl: `${base}/api/`,
    responseUrl: (id = 'r1') => `${base}/response/${id}`,
    calls,
    threads,
    channels,
    of: (method) => calls.filter((c) => c.method === method),
    failNext(method, error, times = 1, extra) {
      failures.set(method, { error, times, ...(extra ? { extra } : {}) });
    },
    uploads: files.uploads,
    share: (file) => files.share(file),
    notMemberOf,
    outage(methods, status = 500) {
      down = { methods, status };
    },
    recover() {
      down = undefined;
    },
    hold(method, times = 1) {
      holds.set(method, times);
    },
    releaseHeld() {
      for (const send of held.splice(0)) send();
    },
    waitFor(predicate, timeoutMs = 10_000, what = 'condition') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(calls)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `fake Slack: timed out after ${timeoutMs} ms waiting for ${what}; calls: ${calls.map((c) => c.method).join(', ')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    socketConnected(timeoutMs = 10_000) {
      return fake.waitFor(
        (c) => c.some((x) => x.method === 'socket.connect'),
        timeoutMs,
        'a Socket Mode connection',
      );
    },
    socketSend(type, payload, timeoutMs = 10_000) {
      const id = `env-${++envelope}`;
      return new Promise((resolve, reject) => {
        if (!socket) return reject(new Error('no Socket Mode client connected'));
        const timer = setTimeout(() => reject(new Error(`no ack for ${id} in ${timeoutMs} ms`)), timeoutMs);
        acks.set(id, (p) => {
          clearTimeout(timer);
          resolve(p);
        });
        socket.send(
          JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: type !== 'events_api' }),
        );
      });
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return fake;
}
