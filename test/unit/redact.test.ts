import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { tailLog } from '../../tools/shared/kube/pod-details.ts';
import { redact, redactLines } from '../../tools/shared/redact.ts';

const DIR = join(import.meta.dirname, '../fixtures/secrets');
const MARKED = readdirSync(DIR).filter((f) => f.endsWith('.txt') && f !== 'clean.txt');

/** `«secret»` marks in a corpus line: the plain line and the secrets in it. */
function unmark(line: string): { plain: string; secrets: string[] } {
  const secrets = [...line.matchAll(/«([^»]+)»/g)].map((m) => m[1] as string);
  return { plain: line.replace(/[«»]/g, ''), secrets };
}

/** No secret, nor any 12-character piece of it, survives (a half-redacted token is still a leak). */
function expectGone(out: string, secret: string, context: string): void {
  const piece = Math.min(12, secret.length);
  for (let i = 0; i + piece <= secret.length; i++) {
    const part = secret.slice(i, i + piece);
    if (out.includes(part)) {
      throw new Error(`secret piece ${JSON.stringify(part)} survived in ${context}:\n${out}`);
    }
  }
}

describe('redact: corpus of fake secrets', () => {
  for (const file of MARKED) {
    const lines = readFileSync(join(DIR, file), 'utf8')
      .split('\n')
      .filter((l) => l.includes('«') && !l.startsWith('#'));
    it(`${file}: every marked secret is gone, line by line and as one text (${lines.length} lines)`, () => {
      expect(lines.length).toBeGreaterThan(2);
      const whole = redact(lines.map((l) => unmark(l).plain).join('\n'));
      for (const line of lines) {
        const { plain, secrets } = unmark(line);
        const out = redact(plain);
        expect(out).toContain('[REDACTED]');
        for (const s of secrets) {
          expectGone(out, s, `${file}: ${plain}`);
          expectGone(whole, s, `${file} (whole text)`);
        }
      }
    });
  }

  it('private keys: PEM blocks, whole or line by line as a logger sees them', () => {
    for (const file of ['private-key.pem', 'ec-key.pem']) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const body = text
        .split('\n')
        .filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l))
        .join('');
      expect(body.length).toBeGreaterThan(100);
      const whole = redact(text);
      expectGone(whole.replace(/\n/g, ''), body, `${file} whole`);
      const perLine = text.split('\n').map(redact).join('');
      // Full-width body lines go line by line; the short last line of a body is at most 63 characters
      // of a key no one can use without the rest.
      const fullLines = text.split('\n').filter((l) => /^[A-Za-z0-9+/=]{64}$/.test(l));
      for (const l of fullLines) expect(perLine).not.toContain(l);
    }
  });

  it('a GCP service-account JSON: the private key (with \\n escapes) and its id', () => {
    const text = readFileSync(join(DIR, 'gcp-service-account.json'), 'utf8');
    const sa = JSON.parse(text) as { private_key: string; private_key_id: string; client_email: string };
    const out = redact(text);
    const body = sa.private_key.split('\n').filter((l) => /^[A-Za-z0-9+/=]{64}$/.test(l));
    for (const l of body) expect(out).not.toContain(l);
    expect(out).not.toContain(sa.private_key_id);
    expect(out).toContain(sa.client_email);
    for (const line of text.split('\n')) {
      for (const l of body) expect(redact(line)).not.toContain(l);
    }
  });
});

describe('redact: ordinary text is untouched', () => {
  const clean = readFileSync(join(DIR, 'clean.txt'), 'utf8').split('\n');
  it.each(clean.filter((l) => l.length > 0 && !l.startsWith('#')))('%s', (line) => {
    expect(redact(line)).toBe(line);
  });

  it('keeps the structure around a secret: key names, users, hosts, auth schemes', () => {
    expect(redact('DB_PASSWORD=hunter2secret')).toBe('DB_PASSWORD=[REDACTED]');
    expect(redact('"api_key": "abc def ghi"')).toBe('"api_key": "[REDACTED]"');
    expect(redact('postgres://shop:s3cr3t-pw@db.internal:5432/shop')).toBe(
      'postgres://shop:[REDACTED]@db.internal:5432/shop',
    );
    expect(redact('Authorization: Bearer abc.def.ghi')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('x ghp_abcdefghijklmnopqrstuvwxyz0123456789 y')).toBe('x [REDACTED] y');
  });

  it('is idempotent', () => {
    for (const file of MARKED) {
      const text = readFileSync(join(DIR, file), 'utf8').replace(/[«»]/g, '');
      const once = redact(text);
      expect(redact(once)).toBe(once);
    }
  });

  it('is linear on adversarial input (no catastrophic backtracking)', () => {
    const inputs = [
      `password=${'a'.repeat(200_000)}`,
      `-----BEGIN PRIVATE KEY-----${'A'.repeat(200_000)}`,
      `https://${'a:'.repeat(50_000)}@`,
      `eyJ${'a'.repeat(100_000)}.${'b'.repeat(100_000)}`,
      'token '.repeat(50_000),
    ];
    for (const input of inputs) {
      const t0 = performance.now();
      redact(input);
      // Generous bound: a quadratic pattern takes minutes here, a linear one milliseconds.
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});

describe('redact: maintained rule set as the oracle', () => {
  // secretlint's recommended preset is async and file-oriented, so redact() does not call it (see
  // tools/shared/redact.ts); instead it must remove everything the preset finds in the corpus.
  const files = readdirSync(DIR);
  it.each(files)('%s: nothing secretlint finds survives redact()', async (file) => {
    const content = readFileSync(join(DIR, file), 'utf8').replace(/[«»]/g, '');
    const result = await lintSource({
      source: {
        content,
        filePath: `/corpus/${file}`,
        ext: file.slice(file.lastIndexOf('.')),
        contentType: 'text',
      },
      options: {
        config: {
          rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended, options: {} }],
        },
      },
    });
    const whole = redact(content);
    const perLine = content.split('\n').map(redact).join('\n');
    for (const m of result.messages) {
      const found = content.slice(m.range[0], m.range[1]);
      expect({ rule: m.ruleId, leakedInWhole: whole.includes(found) }).toEqual({
        rule: m.ruleId,
        leakedInWhole: false,
      });
      if (!found.includes('\n')) {
        expect({ rule: m.ruleId, leakedPerLine: perLine.includes(found) }).toEqual({
          rule: m.ruleId,
          leakedPerLine: false,
        });
      }
    }
  });

  it('the oracle works: secretlint finds secrets in most corpus files', async () => {
    let withFindings = 0;
    for (const file of files) {
      const content = readFileSync(join(DIR, file), 'utf8').replace(/[«»]/g, '');
      const r = await lintSource({
        source: {
          content,
          filePath: `/corpus/${file}`,
          ext: file.slice(file.lastIndexOf('.')),
          contentType: 'text',
        },
        options: {
          config: {
            rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended, options: {} }],
          },
        },
      });
      if (r.messages.length > 0) withFindings++;
    }
    expect(withFindings).toBeGreaterThanOrEqual(10);
  });
});

describe('credentials in command lines and Docker auth configs', () => {
  it('drops the password of curl -u / --user and the base64 of a Docker "auth"', () => {
    expect(redact('curl -sf -u admin:s3cr3t https://nexus/x')).toBe(
      'curl -sf -u admin:[REDACTED] https://nexus/x',
    );
    expect(redact('curl --user=ci:hunter2-long https://x')).toBe('curl --user=ci:[REDACTED] https://x');
    const docker = '{"auths":{"registry.example.com":{"auth":"Y2k6aHVudGVyMi1sb25n"}}}';
    expect(redact(docker)).not.toContain('Y2k6aHVudGVyMi1sb25n');
    expect(redact('docker run -u 1000 img --user root')).toBe('docker run -u 1000 img --user root');
  });
});

describe('redact: what spans lines', () => {
  const log = readFileSync(join(DIR, 'pod-log-keys.out'), 'utf8');
  const logLines = log.split('\n').filter((l) => l && !l.startsWith('#'));
  const payload = (l: string) => l.replace(/^\S+Z /, '');
  /** Every key body line, short last lines included. */
  const bodies = logLines.map(payload).filter((l) => /^[A-Za-z0-9+/]+={0,2}$/.test(l) && l.length > 20);

  it('the fixture has two keys whose last body lines are shorter than a full one', () => {
    expect(logLines.filter((l) => /BEGIN (RSA|OPENSSH) PRIVATE KEY/.test(l))).toHaveLength(2);
    expect(bodies.length).toBeGreaterThan(40);
    expect(bodies.some((b) => b.length < 60)).toBe(true);
  });

  it('a private key in a pod log is gone whole, last line too, from BEGIN to END, as one text', () => {
    const out = redact(logLines.join('\n'));
    for (const b of bodies) expectGone(out, b, 'the whole log');
    expect(out).toContain('bootstrap done in 1.2s');
    expect(out).toContain('writing /home/app/.ssh/id_rsa:');
  });

  it('a log tail that starts inside a key (its BEGIN cut off) shows none of it', () => {
    for (let n = 1; n <= logLines.length; n++) {
      const t = tailLog(logLines.join('\n'), redact, { maxLines: n, maxChars: 100_000 });
      const out = t.lines.join('\n');
      for (const b of bodies) expectGone(out, b, `a tail of ${n} lines`);
    }
  });

  it('a log read in chunks: a key split across any chunk boundary shows none of it', () => {
    for (let k = 1; k < logLines.length; k++) {
      const out = [...redactLines(logLines.slice(0, k)), ...redactLines(logLines.slice(k))]
        .map(redact)
        .join('\n');
      for (const b of bodies) expectGone(out, b, `chunks split at line ${k}`);
    }
  });

  const values = (text: string) =>
    [...text.matchAll(/(?:^|\s)(?:[.\w-]+):\s+(\S.*)$/gm)].map((m) => m[1] as string);

  it('never shows a Kubernetes Secret’s data, whatever its keys are called (YAML)', () => {
    const yaml = readFileSync(join(DIR, 'kube-secret.yaml'), 'utf8');
    const lines = yaml.split('\n');
    const data = [
      ...lines.slice(
        lines.findIndex((l) => l.trim() === 'data:') + 1,
        lines.findIndex((l) => l.trim() === 'kind: Secret'),
      ),
      ...lines.slice(
        lines.findIndex((l) => l.trim() === 'stringData:') + 1,
        lines.findIndex((l) => l.startsWith('type: Opaque')),
      ),
    ];
    const secrets = values(data.join('\n'));
    expect(secrets.length).toBe(7);
    const whole = redact(yaml);
    const perLine = redactLines(lines).map(redact).join('\n');
    const tail = tailLog(yaml, redact, { maxLines: 1000, maxChars: 100_000 }).lines.join('\n');
    for (const out of [whole, perLine, tail]) {
      for (const v of secrets) expectGone(out, v, 'a Secret printed as YAML');
      expect(out).toContain('name: edge-tls');
      expect(out).toContain('tls.key: [REDACTED]');
    }
  });

  it('never shows a Kubernetes Secret’s data (JSON, and its last-applied-configuration)', () => {
    const json = readFileSync(join(DIR, 'kube-secret.json'), 'utf8');
    const obj = JSON.parse(json) as { data: Record<string, string> };
    const out = redact(json);
    for (const v of Object.values(obj.data)) expectGone(out, v, 'a Secret printed as JSON');
    expect(out).toContain('"name":"edge-tls"');
  });
});
