/**
 * Reading a log by URL (src/clients/log-url/): real HTTP servers on loopback serving logs, the real
 * worker thread, and the host and address rules of ci.log_hosts. The log server records every
 * request, so "refused" also means "nothing was sent".
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { LOG_SETTINGS } from '../../src/clients/create-clients.ts';
import type { LogFetchPolicy, ResolveAll } from '../../src/clients/log-url/fetch.ts';
import { type LogHost, parseLogHost } from '../../src/clients/log-url/hosts.ts';
import { createLogUrlPort } from '../../src/clients/log-url/port.ts';
import { AppError } from '../../tools/shared/errors.ts';
import { type LogServer, startLogServer } from '../support/log-server.ts';

const FIX = join(import.meta.dirname, '../fixtures/ci-logs');
const jenkins = readFileSync(join(FIX, 'jenkins-maven.txt'), 'utf8');
const jenkinsExpect = JSON.parse(readFileSync(join(FIX, 'jenkins-maven.expect.json'), 'utf8')) as {
  kind: string;
  rule: string;
  mustContain: string[];
};
const gitlab = readFileSync(join(FIX, 'gitlab-mypy.txt'));

function hosts(...entries: string[]): LogHost[] {
  return entries.map((e) => {
    const h = parseLogHost(e);
    if ('problem' in h) throw new Error(h.problem);
    return h;
  });
}

function policy(entries: string[], o: Partial<LogFetchPolicy> = {}): LogFetchPolicy {
  return { hosts: hosts(...entries), maxBytes: 1 << 20, timeoutMs: 10_000, settings: LOG_SETTINGS, ...o };
}

/** A resolver that knows only `names` (name → address): what a DNS answer would be. */
const resolver =
  (names: Record<string, string>): ResolveAll =>
  (hostname, cb) => {
    const a = names[hostname];
    if (!a) return cb(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    cb(null, [{ address: a, family: a.includes(':') ? 6 : 4 }]);
  };

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('log URLs', () => {
  let server: LogServer;
  let other: LogServer;
  let listed: string;

  beforeAll(async () => {
    [server, other] = await Promise.all([startLogServer(), startLogServer()]);
    listed = `127.0.0.1:${server.port}`;
    server.route('/job/7/consoleText', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' }).end(jenkins),
    );
    server.route('/gz/raw', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(gitlab)),
    );
    server.route('/octet/raw', (_q, res) =>
      res.writeHead(200, { 'content-type': 'binary/octet-stream' }).end(gitlab),
    );
    server.route('/moved', (_q, res) => res.writeHead(302, { location: '/job/7/consoleText' }).end());
    server.route('/to-metadata', (_q, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/' }).end(),
    );
    server.route('/to-other', (_q, res) =>
      res.writeHead(307, { location: `http://localhost:${other.port}/log` }).end(),
    );
    server.route('/loop', (_q, res) => res.writeHead(302, { location: '/loop' }).end());
    server.route('/png', (_q, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('\x89PNG\r\n'));
    server.route('/binary', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/octet-stream' })
        .end(Buffer.from([0x50, 0x4b, 3, 4, 0, 0])),
    );
    server.route('/page', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>Sign in</html>'),
    );
    server.route('/gone', (_q, res) => res.writeHead(404).end());
    server.route('/private', (_q, res) => res.writeHead(401).end());
    server.route('/forbidden', (_q, res) => res.writeHead(403).end());
    server.route('/declared-big', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(5 << 20) });
      res.write('start\n');
    });
    server.route('/chunked-big', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const line = `${'building module, all fine so far '.repeat(3)}\n`;
      const chunk = line.repeat(Math.ceil(65536 / line.length));
      let sent = 0;
      const more = () => {
        while (sent < 3 << 20) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    server.route('/silent', () => undefined);
    other.route('/log', (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(jenkins));
  });
  afterAll(async () => {
    await Promise.all([server?.close(), other?.close()]);
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.headers.length = 0;
    other.requests.length = 0;
  });

  it('triages a Jenkins consoleText on a listed host, in the worker thread, with its kind and error lines', async () => {
    const port = createLogUrlPort(policy([listed]));
    const x = await port.extract(`${server.base}/job/7/consoleText`);
    expect(x.kind).toBe(jenkinsExpect.kind);
    expect(x.rule).toBe(jenkinsExpect.rule);
    const text = x.lines.map((l) => l.text);
    for (const line of jenkinsExpect.mustContain) expect(text).toContain(line);
    expect(x.finalUrl).toBe(`${server.base}/job/7/consoleText`);
    expect(x.bytesRead).toBe(Buffer.byteLength(jenkins));
    expect(server.requests).toEqual(['/job/7/consoleText']);
  });

  it('reads gzip-encoded and octet-stream text logs, and follows a redirect on a listed host', async () => {
    const port = createLogUrlPort(policy([listed]));
    const gz = await port.extract(`${server.base}/gz/raw`);
    expect(gz.firstError?.text).toContain('app/orders.py:41: error: Incompatible return value type');
    const octet = await port.extract(`${server.base}/octet/raw`);
    expect(octet.firstError?.text).toBe(gz.firstError?.text);
    const moved = await port.extract(`${server.base}/moved`);
    expect(moved.finalUrl).toBe(`${server.base}/job/7/consoleText`);
    expect(moved.kind).toBe('test');
  });

  it('refuses an unlisted host naming ci.log_hosts and what to add, and sends nothing', async () => {
    const port = createLogUrlPort(policy(['ci.example.com']));
    const e = await refusal(port.extract(`${server.base}/job/7/consoleText`));
    expect(e.code).toBe('log_host_not_allowed');
    expect(e.userMessage).toContain('`ci.log_hosts` in the team file');
    expect(e.userMessage).toContain(`add \`${listed}\``);
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1/x', '127.0.0.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://10.1.2.3:8080/log', '10.1.2.3:8080'],
    ['http://[::1]/log', '[::1]'],
    ['http://[::ffff:127.0.0.1]/log', '[::ffff:7f00:1]'],
    ['http://0x7f.1/log', '127.0.0.1'],
    ['http://100.64.0.1/log', '100.64.0.1'],
    ['http://[fe80::1]/log', '[fe80::1]'],
  ])('refuses %s unless it is listed (names it as %s)', async (url, shown) => {
    const port = createLogUrlPort(policy(['ci.example.com', '*.example.com']));
    const e = await refusal(port.extract(url));
    expect(e.code).toBe('log_host_not_allowed');
    expect(e.userMessage).toContain(`\`${shown}\``);
  });

  it('refuses a name that resolves to loopback when only the address is listed', async () => {
    const port = createLogUrlPort(policy([listed]));
    const e = await refusal(port.extract(`http://localhost:${server.port}/job/7/consoleText`));
    expect(e.code).toBe('log_host_not_allowed');
    expect(server.requests).toEqual([]);
  });

  it('a *. pattern reaches only public addresses: a name under it resolving to loopback is refused unsent', async () => {
    const port = createLogUrlPort(
      policy(['*.logs.test'], { resolve: resolver({ 'evil.logs.test': '127.0.0.1' }) }),
    );
    const e = await refusal(port.extract(`http://evil.logs.test:${server.port}/job/7/consoleText`));
    expect(e.code).toBe('log_address_not_allowed');
    expect(e.userMessage).toContain('evil.logs.test (127.0.0.1) is a loopback address');
    expect(e.userMessage).toContain('add `evil.logs.test`');
    expect(server.requests).toEqual([]);
  });

  it('a name listed exactly never leads to a link-local (cloud metadata) address: only the address listed itself does', async () => {
    const port = createLogUrlPort(
      policy([`metadata.internal.test:${server.port}`], {
        resolve: resolver({ 'metadata.internal.test': '169.254.169.254' }),
      }),
    );
    const e = await refusal(port.extract(`http://metadata.internal.test:${server.port}/latest/meta-data/`));
    expect(e.code).toBe('log_address_not_allowed');
    expect(e.userMessage).toContain('metadata.internal.test (169.254.169.254) is a link-local address');
    expect(e.userMessage).toContain('`169.254.169.254`');
    expect(server.requests).toEqual([]);
  });

  it('a name listed exactly may resolve to a private address, and the connection goes to the address checked', async () => {
    const port = createLogUrlPort(
      policy([`jenkins.internal.test:${server.port}`], {
        resolve: resolver({ 'jenkins.internal.test': '127.0.0.1' }),
      }),
    );
    const x = await port.extract(`http://jenkins.internal.test:${server.port}/job/7/consoleText`);
    expect(x.kind).toBe('test');
    expect(server.requests).toEqual(['/job/7/consoleText']);
    expect(server.headers[0]?.host).toBe(`jenkins.internal.test:${server.port}`);
  });

  it('follows redirects only to listed hosts: not to cloud metadata, not to an unlisted name', async () => {
    const port = createLogUrlPort(policy([listed, `127.0.0.1:${other.port}`]));
    const meta = await refusal(port.extract(`${server.base}/to-metadata`));
    expect(meta.code).toBe('log_host_not_allowed');
    expect(meta.userMessage).toContain('redirected to 169.254.169.254/latest/meta-data/iam/');
    const away = await refusal(port.extract(`${server.base}/to-other`));
    expect(away.code).toBe('log_host_not_allowed');
    expect(away.userMessage).toContain(`add \`localhost:${other.port}\``);
    expect(other.requests).toEqual([]);
    const loop = await refusal(port.extract(`${server.base}/loop`));
    expect(loop.code).toBe('log_too_many_redirects');
    expect(server.requests.filter((r) => r === '/loop')).toHaveLength(6);
  });

  it('answers a too-large log by its Content-Length, and a chunked one while it streams, naming the limit', async () => {
    const port = createLogUrlPort(policy([listed], { maxBytes: 1 << 20 }));
    const declared = await refusal(port.extract(`${server.base}/declared-big`));
    expect(declared.code).toBe('log_too_large');
    expect(declared.userMessage).toContain('5 MB, more than 1 MB');
    expect(declared.userMessage).toContain('LOG_DOWNLOAD_MAX_MB');
    const streamed = await refusal(port.extract(`${server.base}/chunked-big`));
    expect(streamed.code).toBe('log_too_large');
    expect(streamed.userMessage).toContain('larger than 1 MB');
    expect(streamed.userMessage).toContain('LOG_DOWNLOAD_MAX_MB');
  });

  it('answers a server that never answers within the time limit, naming the setting', async () => {
    const port = createLogUrlPort(policy([listed], { timeoutMs: 300 }));
    const e = await refusal(port.extract(`${server.base}/silent`));
    expect(e.code).toBe('log_timeout');
    expect(e.userMessage).toContain('took longer than 0.3 s (LOG_DOWNLOAD_TIMEOUT_SECONDS)');
  });

  it('answers images, binary data and web pages as not a text log', async () => {
    const port = createLogUrlPort(policy([listed]));
    const png = await refusal(port.extract(`${server.base}/png`));
    expect([png.code, png.userMessage]).toEqual([
      'log_not_text',
      expect.stringContaining('is image/png, not a text log'),
    ]);
    const bin = await refusal(port.extract(`${server.base}/binary`));
    expect([bin.code, bin.userMessage]).toEqual(['log_not_text', expect.stringContaining('binary data')]);
    const page = await refusal(port.extract(`${server.base}/page`));
    expect([page.code, page.userMessage]).toEqual([
      'log_not_text',
      expect.stringContaining('a web page (text/html)'),
    ]);
  });

  it('answers 404, 401 and 403 each in its own words', async () => {
    const port = createLogUrlPort(policy([listed]));
    const gone = await refusal(port.extract(`${server.base}/gone`));
    expect([gone.code, gone.userMessage]).toEqual([
      'log_not_found',
      expect.stringContaining('answered 404 Not Found'),
    ]);
    const priv = await refusal(port.extract(`${server.base}/private`));
    expect([priv.code, priv.userMessage]).toEqual([
      'log_unauthorized',
      expect.stringContaining('401 Unauthorized'),
    ]);
    const forb = await refusal(port.extract(`${server.base}/forbidden`));
    expect([forb.code, forb.userMessage]).toEqual([
      'log_unauthorized',
      expect.stringContaining('403 Forbidden'),
    ]);
  });

  it('refuses other schemes and credentials in the URL before anything is sent', async () => {
    const port = createLogUrlPort(policy([listed]));
    const ftp = await refusal(port.extract(`ftp://${listed}/log`));
    expect(ftp.userMessage).toContain('Only https:// and http://');
    const creds = await refusal(port.extract(`http://user:pw@${listed}/job/7/consoleText`));
    expect(creds.userMessage).toContain('user name or password');
    expect(server.requests).toEqual([]);
  });
});
