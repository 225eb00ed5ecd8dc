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

/** A file a person attached to a message (or a snippet), served by files.info and its download URL. */
export interface FakeSharedFile {
  name: string;
  mimetype: string;
  filetype: string;
  content: string | Buffer;
  /** The channel it was shared in: files.info answers `file_not_found` where the bot is not a member. */
  channel: string;
  mode?: 'hosted' | 'snippet';
  /** Where files.info says it is downloaded from (default: the fake's own files host). */
  downloadUrl?: string;
}

export function createFakeSlackFiles(
  base: () => string,
  isMember: (channel: string) => boolean = () => true,
) {
  const uploads: FakeSlackUpload[] = [];
  const shared = new Map<string, FakeSharedFile>();
  let n = 0;
  return {
    uploads,
    /** Makes `file` exist (as if a person had attached it) and returns its id. */
    share(file: FakeSharedFile): string {
      const id = `F${String(++n).padStart(8, '0')}`;
      shared.set(id, file);
      return id;
    },
    /**
     * GET /files-pri/<id>/<name>: the bytes, for a request with a bot token; as Slack, a sign-in page
     * for anyone else.
     */
    download(
      id: string,
      authorization: string | undefined,
    ): { status: number; type: string; body: string | Buffer } {
      const f = shared.get(id);
      if (!f) return { status: 404, type: 'text/plain', body: 'not found' };
      if (!/^Bearer xoxb-/.test(authorization ?? ''))
        return { status: 200, type: 'text/html', body: '<html>Sign in to Slack</html>' };
      return { status: 200, type: f.mimetype, body: f.content };
    },
    /** The two Web API methods; undefined for any other. */
    answer(
      method: string,
      args: Record<string, unknown>,
      share: (channel: string, threadTs: string | undefined, files: FakeSlackUpload[]) => void,
    ): Record<string, unknown> | undefined {
      if (method === 'files.info') {
        const id = String(args.file ?? '');
        const f = shared.get(id);
        if (!f || !isMember(f.channel)) return { ok: false, error: 'file_not_found' };
        const size = typeof f.content === 'string' ? Buffer.byteLength(f.content) : f.content.length;
        const url = `${base()}/files-pri/T1-${id}/${encodeURIComponent(f.name)}`;
        return {
          ok: true,
          file: {
            id,
            name: f.name,
            title: f.name,
            mimetype: f.mimetype,
            filetype: f.filetype,
            mode: f.mode ?? 'hosted',
            size,
            url_private: url,
            url_private_download: f.downloadUrl ?? `${url}?download=1`,
            permalink: `https://acme.slack.com/files/U1ALICE/${id}/${encodeURIComponent(f.name)}`,
          },
        };
      }
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
