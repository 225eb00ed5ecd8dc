/**
 * The log storage host of the fake GitHub API (fake-github.ts): the signed `/_storage/logs/{job}` URL a
 * job's log redirects to, streamed with backpressure (a generated log costs no memory, and stops when the
 * client hangs up), `Range` requests answered with 206 for jobs that allow them, and every download
 * recorded (bytes sent, finished or aborted) for tests to wait on.
 */

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeJob, FakeLog } from './fake-github-actions.ts';

export interface LogDownload {
  jobId: number;
  bytes: number;
  /** The whole log was sent. */
  finished: boolean;
  /** The client closed the connection before the end. */
  aborted: boolean;
  authorizationSent: boolean;
  /** The byte range `[start, end)` that was asked for and sent (a 206), when it was a range request. */
  range?: [number, number];
}

/** The storage host over the jobs `findJobAnywhere` finds; its downloads and their waiters. */
export function createLogStorage(findJobAnywhere: (jobId: number) => { job: FakeJob } | undefined) {
  const logDownloads: LogDownload[] = [];
  const downloadWaiters: { jobId: number; resolve: (d: LogDownload) => void }[] = [];

  const recordDownload = (d: LogDownload) => {
    for (const w of downloadWaiters.filter((x) => x.jobId === d.jobId)) w.resolve(d);
    downloadWaiters.splice(0, downloadWaiters.length, ...downloadWaiters.filter((x) => x.jobId !== d.jobId));
  };

  const streamLog = async (
    req: IncomingMessage,
    res: ServerResponse,
    jobId: number,
    log: FakeLog,
    ranges = false,
  ) => {
    const d: LogDownload = {
      jobId,
      bytes: 0,
      finished: false,
      aborted: false,
      authorizationSent: Boolean(req.headers.authorization),
    };
    logDownloads.push(d);
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (ranges && range && typeof log === 'string') {
      const all = Buffer.from(log, 'utf8');
      const start = Number(range[1]);
      const end = Math.min(all.length - 1, range[2] ? Number(range[2]) : all.length - 1);
      const part = all.subarray(start, end + 1);
      d.range = [start, end + 1];
      res.writeHead(206, {
        'content-type': 'text/plain; charset=utf-8',
        'content-range': `bytes ${start}-${end}/${all.length}`,
        'content-length': part.length,
      });
      d.bytes = part.length;
      d.finished = true;
      res.end(part);
      recordDownload(d);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-ms-blob-type': 'BlockBlob' });
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const write = async (chunk: string) => {
      if (closed) return false;
      d.bytes += Buffer.byteLength(chunk);
      if (!res.write(chunk)) {
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      return !closed;
    };
    try {
      if (typeof log === 'string') {
        await write(log);
      } else if ('lines' in log) {
        // Batch lines into ~64 KiB writes; respect backpressure; stop when the client hangs up.
        let buf = '';
        for await (const line of log.lines()) {
          buf += `${line}\n`;
          if (buf.length >= 64 * 1024) {
            if (!(await write(buf))) break;
            buf = '';
          }
        }
        if (buf && !closed) await write(buf);
      }
    } finally {
      if (closed) {
        d.aborted = true;
      } else {
        d.finished = true;
        res.end();
      }
      recordDownload(d);
    }
  };

  /** Answers `GET /_storage/logs/{job}`; false when `path` is not a storage URL. */
  const storageRoute = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    method: string,
    url: URL,
  ): unknown => {
    // The storage host: signed URL, no GitHub credentials expected.
    const m = /^\/_storage\/logs\/(\d+)$/.exec(path);
    if (m && method === 'GET') {
      const hit = findJobAnywhere(Number(m[1]));
      if (!hit || url.searchParams.get('sig') !== 'fake-signature') {
        res.writeHead(403, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>AuthenticationFailed</Code></Error>');
      }
      const log = hit.job.log ?? '';
      if (typeof log === 'object' && 'status' in log) {
        res.writeHead(log.status, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>BlobNotFound</Code></Error>');
      }
      return streamLog(req, res, hit.job.id, log, hit.job.ranges);
    }
    return false;
  };

  return { logDownloads, downloadWaiters, storageRoute };
}
