/**
 * Downloads a raw log over HTTP(S) under the rules of hosts.ts: only listed hosts, names resolved
 * here and the connection made to the address that was checked (a `lookup` hook, so DNS rebinding
 * cannot change it between check and connect), every redirect checked the same way (at most
 * MAX_REDIRECTS), a size limit counted on the decoded bytes (Content-Length is checked first), one
 * time limit for the whole download, and text only. Every refusal is an AppError whose message says
 * what happened and what to change.
 */

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { AppError } from '../../../tools/shared/errors.ts';
import { isLinkLocal, specialAddress } from './addresses.ts';
import { hostAndPort, ipOf, type LogHost, matchLogHost } from './hosts.ts';

export const MAX_REDIRECTS = 5;

/** `dns.lookup` with `{ all: true }`; tests inject one that maps names to chosen addresses. */
export type ResolveAll = (
  hostname: string,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: ResolveAll = (hostname, cb) => dnsLookup(hostname, { all: true }, cb);

export interface LogFetchPolicy {
  hosts: readonly LogHost[];
  /** Largest body read, in bytes (decoded). */
  maxBytes: number;
  /** The whole download, redirects included, in ms. */
  timeoutMs: number;
  /** Names the settings in answers: the host list and the two limits. */
  settings: { hosts: string; maxBytes: string; timeout: string };
  /** The refusal of a host not in `hosts`, `{host}` standing for it (default: name the setting and what to add). */
  notAllowed?: string;
  /** Extra request headers (a Slack file download's `Authorization`): sent only to `hosts`. */
  headers?: Record<string, string>;
  resolve?: ResolveAll;
  userAgent?: string;
}

/** An opened download: the final URL (after redirects), its type, and its body, counted and timed. */
export interface OpenedLog {
  url: URL;
  contentType: string | null;
  body: AsyncIterable<Uint8Array>;
}

const mb = (bytes: number) => `${Math.round((bytes / 1048576) * 10) / 10} MB`;
/** Host and path, never the query: it often carries a token or a signature. */
export const shownUrl = (u: URL) => `${u.host}${u.pathname}`;

function refused(code: string, userMessage: string, retryable = false, cause?: unknown): AppError {
  return new AppError({ code, userMessage, retryable, ...(cause ? { cause } : {}) });
}

/** A URL the policy lets Shipmate fetch (scheme, no credentials, a listed host), or the refusal. */
export function checkUrl(u: URL, policy: LogFetchPolicy): LogHost {
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw refused('log_bad_url', `Only https:// and http:// log URLs can be triaged, not ${u.protocol}//.`);
  if (u.username || u.password)
    throw refused(
      'log_bad_url',
      'That URL carries a user name or password; Shipmate does not send credentials from a URL. Use a link to the raw log that opens without signing in.',
    );
  const entry = matchLogHost(u, policy.hosts);
  if (!entry) {
    const { host } = hostAndPort(u);
    const add = u.port ? `${host}:${u.port}` : host;
    if (policy.notAllowed) throw refused('log_host_not_allowed', policy.notAllowed.replaceAll('{host}', add));
    throw refused(
      'log_host_not_allowed',
      `Shipmate fetches logs only from hosts listed in ${policy.settings.hosts}, and ${add} is not listed. ` +
        `To allow it, add \`${add}\` to ${policy.settings.hosts}.`,
    );
  }
  return entry;
}

function addressRefusal(host: string, address: string, what: string, policy: LogFetchPolicy): AppError {
  const named = ipOf(host) ? host : `${host} (${address})`;
  return refused(
    'log_address_not_allowed',
    `${named} is ${what} address. Shipmate reaches such addresses only for a host listed by its exact name or address in ${policy.settings.hosts}, not through a *. pattern. ` +
      `If that host is yours, add \`${host}\` to ${policy.settings.hosts}.`,
  );
}

function linkLocalRefusal(host: string, address: string, policy: LogFetchPolicy): AppError {
  const shown = address.includes(':') ? `[${address}]` : address;
  return refused(
    'log_address_not_allowed',
    `${host} (${address}) is a link-local address, where clouds serve instance metadata and credentials. ` +
      `Shipmate reaches a link-local address only when the address itself is listed in ${policy.settings.hosts} (\`${shown}\`), not through a name.`,
  );
}

/** The `lookup` of the request: resolves, keeps only the addresses `entry` may reach, connects to those. */
function guardedLookup(entry: LogHost, policy: LogFetchPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return ((hostname: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    resolve(hostname, (err, addresses) => {
      if (err) return cb(err);
      // A *. pattern reaches public addresses only; an exact name anything but link-local (cloud
      // metadata, 169.254.169.254): that is reached only when its address itself is listed.
      const allowed = entry.wildcard
        ? addresses.filter((a) => !specialAddress(a.address))
        : addresses.filter((a) => !isLinkLocal(a.address));
      const first = allowed[0];
      if (!first) {
        const a = addresses[0];
        return cb(
          a
            ? entry.wildcard
              ? addressRefusal(hostname, a.address, specialAddress(a.address) ?? 'a', policy)
              : linkLocalRefusal(hostname, a.address, policy)
            : Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
        );
      }
      if (options.all) cb(null, allowed);
      else cb(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;
}

function get(u: URL, entry: LogHost, policy: LogFetchPolicy, signal: AbortSignal): Promise<IncomingMessage> {
  const { host, port } = hostAndPort(u);
  const ip = ipOf(host);
  // An address in the URL is its own entry (wildcards never match one): nothing to resolve.
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        protocol: u.protocol,
        hostname: ip ?? host,
        port,
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        agent: false,
        headers: {
          'user-agent': policy.userAgent ?? 'shipmate',
          accept: 'text/plain, text/*;q=0.9, */*;q=0.5',
          'accept-encoding': 'gzip, deflate, br',
          ...policy.headers,
        },
        ...(ip ? {} : { lookup: guardedLookup(entry, policy) }),
        signal,
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

/** The encodings Shipmate asks for (Accept-Encoding) and decodes. */
const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The response's Content-Encoding, lower case; undefined when there is none (or `identity`). */
function encodingOf(res: IncomingMessage): string | undefined {
  const enc = (res.headers['content-encoding'] ?? '').toLowerCase().trim();
  return enc && enc !== 'identity' ? enc : undefined;
}

function decoded(res: IncomingMessage, enc: string | undefined): AsyncIterable<Uint8Array> {
  const z = enc ? DECODERS[enc]?.() : undefined;
  if (!z) return res;
  res.on('error', (e) => z.destroy(e));
  return res.pipe(z);
}

/**
 * What a failure while the body streamed was, in words: the server closed the connection before the
 * body's end, or the body does not decode as its Content-Encoding says. Undefined for anything else.
 */
function bodyProblem(e: unknown, u: URL, enc: string | undefined): AppError | undefined {
  if (e instanceof AppError || !(e instanceof Error)) return undefined;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || e.message === 'aborted')
    return refused(
      'log_incomplete',
      `${shownUrl(u)} closed the connection before the log ended; nothing was triaged. Try again — if it keeps happening, the server (or a proxy in front of it) cuts long downloads.`,
      true,
      e,
    );
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR) and Brotli's (ERR__ERROR_FORMAT_…, ERR_BROTLI_…).
  if (enc && DECODERS[enc] && /^(?:Z_|ERR__|ERR_BROTLI)/.test(code))
    return refused(
      'log_bad_encoding',
      `${shownUrl(u)} sent the log as Content-Encoding: ${enc}, but it does not decompress (${e.message}): the server's answer is corrupt or cut short; nothing was triaged. Link the raw log another way, or check the server.`,
      false,
      e,
    );
  return undefined;
}

/** Media types that are text whatever their name; `octet-stream` and none are sniffed. */
const TEXT_TYPE =
  /^(?:text\/[\w.+-]+|application\/(?:json|[\w.-]+\+json|x-ndjson|xml|[\w.-]+\+xml|javascript|x-sh|x-shellscript|yaml|x-yaml|toml))$/;
const SNIFFED = /^(?:application\/octet-stream|binary\/octet-stream|application\/unknown)$/;

/** Why a response of `type` is not a log, or undefined when it may be one. */
function typeProblem(type: string | null, u: URL): string | undefined {
  if (type === null || SNIFFED.test(type)) return undefined;
  if (type === 'text/html' || type === 'application/xhtml+xml')
    return `${shownUrl(u)} is a web page (${type}), not a raw log; it may also be a sign-in page. Link the raw text instead: GitLab's job Raw button (…/-/jobs/<id>/raw), Jenkins' …/consoleText, Buildkite's …/raw, a gist's Raw.`;
  if (TEXT_TYPE.test(type)) return undefined;
  return `${shownUrl(u)} is ${type}, not a text log; only plain-text logs can be triaged.`;
}

/** The body, counted against the limit (and its first bytes sniffed when the type did not say text). */
async function* limited(
  body: AsyncIterable<Uint8Array>,
  u: URL,
  sniff: boolean,
  policy: LogFetchPolicy,
  failure: () => AppError | undefined,
  enc: string | undefined,
): AsyncGenerator<Uint8Array> {
  let n = 0;
  let first = sniff;
  try {
    for await (const chunk of body) {
      n += chunk.length;
      if (n > policy.maxBytes)
        throw refused(
          'log_too_large',
          `The log at ${shownUrl(u)} is larger than ${mb(policy.maxBytes)}, the most Shipmate downloads (${policy.settings.maxBytes}); nothing was triaged. Link a smaller log, or raise ${policy.settings.maxBytes}.`,
        );
      if (first) {
        first = false;
        if (chunk.subarray(0, 4096).includes(0))
          throw refused(
            'log_not_text',
            `${shownUrl(u)} is binary data, not a text log; only plain-text logs can be triaged.`,
          );
      }
      yield chunk;
    }
  } catch (e) {
    throw failure() ?? bodyProblem(e, u, enc) ?? e;
  }
}

/**
 * Opens the log at `url` (already parsed) under `policy`. `signal` cancels (its reason is thrown);
 * the time limit covers everything up to the body's end. The caller must finish or break out of
 * `body` (a `return()` closes the connection).
 */
export async function openLogUrl(url: URL, policy: LogFetchPolicy, signal?: AbortSignal): Promise<OpenedLog> {
  signal?.throwIfAborted();
  const ctl = new AbortController();
  let timedOut = false;
  let current = url;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, policy.timeoutMs);
  timer.unref?.();
  const onAbort = () => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const done = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  /** What a failure really was: cancelled, or out of time; undefined otherwise. */
  const failure = (): AppError | undefined => {
    if (signal?.aborted) throw signal.reason;
    if (timedOut)
      return refused(
        'log_timeout',
        `Downloading the log from ${shownUrl(current)} took longer than ${policy.timeoutMs / 1000} s (${policy.settings.timeout}); nothing was triaged. Try again, or link a smaller log.`,
        true,
      );
    return undefined;
  };
  try {
    for (let hop = 0; ; hop++) {
      let entry: LogHost;
      try {
        entry = checkUrl(current, policy);
      } catch (e) {
        if (hop === 0 || !(e instanceof AppError)) throw e;
        throw refused(e.code, `${shownUrl(url)} redirected to ${shownUrl(current)}. ${e.userMessage}`);
      }
      const ip = ipOf(hostAndPort(current).host);
      const what = ip ? specialAddress(ip) : undefined;
      // A literal address is allowed by an exact entry only (checkUrl found one): nothing more to check.
      if (what && entry.wildcard) throw addressRefusal(entry.host, ip ?? '', what, policy);
      let res: IncomingMessage;
      try {
        res = await get(current, entry, policy, ctl.signal);
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw (
          failure() ??
          refused(
            'log_unreachable',
            `Could not connect to ${current.host} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the URL, or try again.`,
            true,
            e,
          )
        );
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        res.resume();
        if (hop >= MAX_REDIRECTS)
          throw refused(
            'log_too_many_redirects',
            `${shownUrl(url)} redirected more than ${MAX_REDIRECTS} times; link the log's final address.`,
          );
        let next: URL;
        try {
          next = new URL(res.headers.location, current);
        } catch {
          throw refused(
            'log_bad_redirect',
            `${shownUrl(current)} redirected to an address that is not a URL.`,
          );
        }
        current = next;
        continue;
      }
      if (status !== 200 && status !== 203 && status !== 206) {
        res.resume();
        throw statusRefusal(status, current, url);
      }
      const rawType = res.headers['content-type'];
      const type = rawType ? (rawType.split(';')[0] ?? '').trim().toLowerCase() : null;
      const problem = typeProblem(type, current);
      if (problem) {
        res.resume();
        throw refused('log_not_text', problem);
      }
      const declared = Number(res.headers['content-length']);
      if (!res.headers['content-encoding'] && Number.isFinite(declared) && declared > policy.maxBytes) {
        res.resume();
        throw refused(
          'log_too_large',
          `The log at ${shownUrl(current)} is ${mb(declared)}, more than ${mb(policy.maxBytes)}, the most Shipmate downloads (${policy.settings.maxBytes}); nothing was downloaded. Link a smaller log, or raise ${policy.settings.maxBytes}.`,
        );
      }
      const enc = encodingOf(res);
      // An encoding Shipmate did not ask for is read as it is (servers write `UTF-8` there), but only
      // if it looks like text: compressed bytes are not a log.
      const sniff = type === null || SNIFFED.test(type) || (enc !== undefined && !DECODERS[enc]);
      const body = limited(decoded(res, enc), current, sniff, policy, failure, enc);
      const final = current;
      return {
        url: final,
        contentType: type,
        body: {
          async *[Symbol.asyncIterator]() {
            try {
              yield* body;
            } finally {
              done();
              res.destroy();
            }
          },
        },
      };
    }
  } catch (e) {
    done();
    throw e;
  }
}

function statusRefusal(status: number, u: URL, asked: URL): AppError {
  const where = shownUrl(u);
  const moved = u.href !== asked.href ? ` (redirected from ${shownUrl(asked)})` : '';
  if (status === 401 || status === 403)
    return refused(
      'log_unauthorized',
      `${where}${moved} answered ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}: the log needs a login, and Shipmate sends no credentials. Link a raw log that opens without signing in (a public job's raw log, or a pre-signed link).`,
    );
  if (status === 404 || status === 410)
    return refused(
      'log_not_found',
      `${where}${moved} answered ${status} Not Found: check the link, or the log has expired or been deleted.`,
    );
  if (status === 429 || status >= 500)
    return refused(
      'log_http_error',
      `${where} answered ${status}; the server is busy or failing. Try again later.`,
      true,
    );
  return refused('log_http_error', `${where}${moved} answered ${status}, not the log; check the link.`);
}
