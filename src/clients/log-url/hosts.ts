/**
 * `ci.log_hosts` in the team file: which hosts `/ops triage <url>` may fetch a raw log from, and the
 * rule for the addresses they lead to.
 *
 * The rule (README "Triage a log from anywhere"):
 * - A URL is fetched only when its host is listed; an unlisted host is refused before anything is
 *   resolved or sent.
 * - An entry is a name (`ci.example.com`), a name pattern (`*.example.com`: any name under it, not
 *   the name itself), or an IP address (`10.0.0.5`, `[fd00::5]`), each optionally with `:port`
 *   (then only that port).
 * - Loopback, link-local (cloud metadata), private, CGNAT, unspecified, multicast, documentation and
 *   other non-public addresses (addresses.ts), also written as IPv4-mapped IPv6, are reached only
 *   through an entry naming that exact host: the literal address, or the exact name that resolves
 *   there. A `*.` pattern reaches public addresses only. So a listed public name whose DNS starts
 *   answering 169.254.169.254 under a pattern is refused, and the team decides, host by host, which
 *   internal hosts may be read. Link-local addresses (cloud metadata) only through the literal
 *   address: an exact name resolving to 169.254.169.254 is refused too (fetch.ts).
 * - Names are resolved by Shipmate and the connection goes to the address that was checked (fetch.ts),
 *   so DNS rebinding cannot slip past the check. Every redirect target is checked the same way.
 */

import { isIP } from 'node:net';

export interface LogHost {
  /** As written in the team file. */
  entry: string;
  /** Canonical: lower case, punycode, IPv6 in brackets (`[fd00::5]`), no trailing dot. */
  host: string;
  /** Only this port; undefined: any. */
  port?: number;
  /** `*.example.com`: names under `host`, not `host` itself. */
  wildcard: boolean;
  /** `host` is an IP address. */
  literal: boolean;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The canonical host name the WHATWG URL parser makes of `host` (IPv4 forms like `127.1` → `127.0.0.1`), or undefined. */
function canonical(host: string): string | undefined {
  try {
    const h = new URL(`http://${host}/`).hostname;
    return h.endsWith('.') ? h.slice(0, -1) : h;
  } catch {
    return undefined;
  }
}

/** The IP address inside a canonical host (`[::1]` → `::1`), or undefined for a name. */
export function ipOf(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) ? bare : undefined;
}

/** One `ci.log_hosts` entry, parsed; or the problem with it, as the config error says it. */
export function parseLogHost(entry: string): LogHost | { problem: string } {
  const hint =
    'write a host name (ci.example.com), host:port, a pattern (*.example.com) or an IP address (10.0.0.5, [fd00::5])';
  const s = entry.trim();
  if (!s) return { problem: `is empty; ${hint}` };
  if (SCHEME.test(s)) return { problem: `"${entry}" is a URL; write the host alone (${hint})` };
  if (/[/@\s?#\\]/.test(s)) return { problem: `"${entry}" is not a host; ${hint}` };
  const wildcard = s.startsWith('*.');
  const rest = wildcard ? s.slice(2) : s;
  let host: string | undefined;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    if (isIP(bracketed[1] ?? '') !== 6)
      return { problem: `"${entry}": [${bracketed[1]}] is not an IPv6 address` };
    host = `[${bracketed[1]}]`;
    portText = bracketed[2];
  } else if ((rest.match(/:/g)?.length ?? 0) >= 2) {
    if (isIP(rest) !== 6) return { problem: `"${entry}" is not a host; ${hint}` };
    host = `[${rest}]`;
  } else {
    const m = /^([^:]+)(?::(\d*))?$/.exec(rest);
    if (!m) return { problem: `"${entry}" is not a host; ${hint}` };
    host = m[1];
    portText = m[2];
  }
  if (portText !== undefined && !/^\d{1,5}$/.test(portText))
    return { problem: `"${entry}": the port must be a number from 1 to 65535` };
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535))
    return { problem: `"${entry}": the port must be a number from 1 to 65535` };
  const h = host ? canonical(host) : undefined;
  if (!h || h.includes('*')) return { problem: `"${entry}" is not a host; ${hint}` };
  const literal = ipOf(h) !== undefined;
  if (wildcard && literal) return { problem: `"${entry}": a *. pattern must be a name, not an address` };
  return { entry: s, host: h, ...(port !== undefined ? { port } : {}), wildcard, literal };
}

/** The URL's host and port as entries are compared with them (the default port when none is written). */
export function hostAndPort(url: URL): { host: string; port: number } {
  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  return { host, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
}

/**
 * The entry that lets `url` be fetched, or undefined. An exact entry (name or address) wins over a
 * pattern, since only an exact entry may lead to a non-public address.
 */
export function matchLogHost(url: URL, hosts: readonly LogHost[]): LogHost | undefined {
  const { host, port } = hostAndPort(url);
  const portOk = (h: LogHost) => h.port === undefined || h.port === port;
  return (
    hosts.find((h) => !h.wildcard && portOk(h) && h.host === host) ??
    hosts.find((h) => h.wildcard && portOk(h) && ipOf(host) === undefined && host.endsWith(`.${h.host}`))
  );
}

/** What to add to `ci.log_hosts` for `url`: its host, with the port when it is not the scheme's default. */
export function entryFor(url: URL): string {
  const { host } = hostAndPort(url);
  return url.port ? `${host}:${url.port}` : host;
}
