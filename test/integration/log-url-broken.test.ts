/**
 * Reading a log by URL from a server that misbehaves (src/clients/log-url/fetch.ts): the connection
 * cut before the body ends, a body that does not decode as its Content-Encoding says, an encoding
 * Shipmate did not ask for, a compressed body that expands past the limit. Each gets an answer that
 * says what happened, through the real worker thread as `/ops triage <url>` and the Triage this log
 * shortcut use it — never the bare `aborted` or `incorrect header check` of the stream underneath.
 */

import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOG_SETTINGS } from '../../src/clients/create-clients.ts';
import { parseLogHost } from '../../src/clients/log-url/hosts.ts';
import { createLogUrlPort } from '../../src/clients/log-url/port.ts';
import { AppError } from '../../tools/shared/errors.ts';
import { type LogServer, startLogServer } from '../support/log-server.ts';

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const LOG = `${'building module, all fine so far\n'.repeat(50)}error: the build broke\n`;

describe('log URLs from a server that misbehaves', () => {
  let server: LogServer;
  let port: ReturnType<typeof createLogUrlPort>;

  beforeAll(async () => {
    server = await startLogServer();
    const host = parseLogHost(`127.0.0.1:${server.port}`);
    if ('problem' in host) throw new Error(host.problem);
    port = createLogUrlPort({ hosts: [host], maxBytes: 1 << 20, timeoutMs: 10_000, settings: LOG_SETTINGS });
    // Promises 100 kB, sends 2 kB, then closes the connection (once the bytes are on their way).
    server.route('/cut', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      res.write(LOG, () => res.socket?.end());
    });
    server.route('/not-gzip', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(LOG),
    );
    server.route('/not-br', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'br' }).end(LOG),
    );
    server.route('/gzip-cut-short', (_q, res) => {
      const gz = gzipSync(LOG);
      res
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
        .end(gz.subarray(0, gz.length - 12));
    });
    // zstd was not in Accept-Encoding: its frame is bytes Shipmate cannot read, not text.
    server.route('/zstd', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'zstd' })
        .end(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x61, 0x00, 0x00, 0x01])),
    );
    // 1 MB limit; 8 MB of text that compresses to a few kB: counted on the decoded bytes.
    const bomb = Buffer.from('building module, all fine so far\n'.repeat(8 << 15));
    const gzBomb = gzipSync(bomb);
    const brBomb = brotliCompressSync(bomb);
    server.route('/gzip-bomb', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzBomb),
    );
    server.route('/br-bomb', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'br' }).end(brBomb),
    );
    // A server that names the charset where the encoding goes: the text is plain, and read.
    server.route('/utf8-encoding', (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'UTF-8' }).end(LOG),
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('says the server closed the connection before the log ended (retryable), not "aborted"', async () => {
    const e = await refusal(port.extract(`${server.base}/cut`));
    expect(e.code).toBe('log_incomplete');
    expect(e.retryable).toBe(true);
    expect(e.userMessage).toContain(
      `127.0.0.1:${server.port}/cut closed the connection before the log ended`,
    );
    expect(e.userMessage).toContain('nothing was triaged');
    expect(e.userMessage).not.toMatch(/failed: aborted/);
  });

  it('says a body that does not decompress as its Content-Encoding says is corrupt', async () => {
    for (const [path, enc] of [
      ['/not-gzip', 'gzip'],
      ['/gzip-cut-short', 'gzip'],
      ['/not-br', 'br'],
    ]) {
      const e = await refusal(port.extract(`${server.base}${path}`));
      expect([e.code, e.retryable]).toEqual(['log_bad_encoding', false]);
      expect(e.userMessage).toContain(`127.0.0.1:${server.port}${path}`);
      expect(e.userMessage).toContain(`Content-Encoding: ${enc}`);
      expect(e.userMessage).toContain('does not decompress');
    }
  });

  it('stops a compressed body that expands past the limit, counted on the decoded bytes (a decompression bomb)', async () => {
    for (const path of ['/gzip-bomb', '/br-bomb']) {
      const e = await refusal(port.extract(`${server.base}${path}`));
      expect(e.code).toBe('log_too_large');
      expect(e.userMessage).toContain('larger than 1 MB');
      expect(e.userMessage).toContain('LOG_DOWNLOAD_MAX_MB');
    }
  });

  it('reads the body of an encoding it did not ask for only when it is text', async () => {
    const zstd = await refusal(port.extract(`${server.base}/zstd`));
    expect([zstd.code, zstd.userMessage]).toEqual(['log_not_text', expect.stringContaining('binary data')]);
    const x = await port.extract(`${server.base}/utf8-encoding`);
    expect(x.firstError?.text).toBe('error: the build broke');
  });
});
