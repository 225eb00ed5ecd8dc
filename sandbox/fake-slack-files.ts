/**
 * Slack's external file upload, as `files.uploadV2` of @slack/web-api drives it: files.getUploadURLExternal
 * hands out an upload URL and a file id, the client POSTs the bytes there (multipart, field `body`),
 * then files.completeUploadExternal shares the files into a channel or thread. Part of the fake Slack
 * (sandbox/fake-slack.ts), which serves the upload URL on its own port.
 */

/** A file the fake received, complete once files.completeUploadExternal shared it. */
export interface FakeSlackUpload {
  id: string;
  filename: string;
  /** The length the client announced. */
  length: number;
  /** What was POSTed to the upload URL; undefined until then. */
  content?: string;
  title?: string;
  /** Where files.completeUploadExternal shared it. */
  channel?: string;
  threadTs?: string;
  completed: boolean;
}

export function createFakeSlackFiles(base: () => string) {
  const uploads: FakeSlackUpload[] = [];
  let n = 0;
  return {
    uploads,
    /** The two Web API methods; undefined for any other. */
    answer(
      method: string,
      args: Record<string, unknown>,
      share: (channel: string, threadTs: string | undefined, files: FakeSlackUpload[]) => void,
    ): Record<string, unknown> | undefined {
      if (method === 'files.getUploadURLExternal') {
        if (!args.filename || !args.length) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(++n).padStart(8, '0')}`;
        uploads.push({ id, filename: String(args.filename), length: Number(args.length), completed: false });
        return { ok: true, upload_url: `${base()}/upload/${id}`, file_id: id };
      }
      if (method === 'files.completeUploadExternal') {
        const list = (Array.isArray(args.files) ? args.files : []) as Array<{ id?: string; title?: string }>;
        const found = list.map((f) => uploads.find((u) => u.id === f.id && u.content !== undefined));
        if (!list.length || found.some((u) => !u)) return { ok: false, error: 'invalid_arguments' };
        const done = found as FakeSlackUpload[];
        for (const [i, u] of done.entries()) {
          u.title = list[i]?.title ?? u.filename;
          u.completed = true;
          if (args.channel_id) u.channel = String(args.channel_id);
          if (args.thread_ts) u.threadTs = String(args.thread_ts);
        }
        if (args.channel_id)
          share(String(args.channel_id), args.thread_ts ? String(args.thread_ts) : undefined, done);
        return { ok: true, files: done.map((u) => ({ id: u.id, title: u.title, name: u.filename })) };
      }
      return undefined;
    },
    /** POST /upload/<id>: the bytes of one file (200 as Slack's upload host answers; 404 for an unknown id). */
    async receive(id: string, contentType: string | undefined, body: Buffer): Promise<number> {
      const u = uploads.find((x) => x.id === id);
      if (!u) return 404;
      const form = await new Request('http://upload', {
        method: 'POST',
        headers: { 'content-type': contentType ?? '' },
        body: new Uint8Array(body),
      }).formData();
      const part = form.get('body') ?? form.get('file');
      u.content = typeof part === 'string' ? part : part ? await part.text() : body.toString('utf8');
      return 200;
    },
  };
}
