/**
 * Redaction of secrets from free text (CI log excerpts, tool output, messages, log lines) before it
 * reaches Slack, the LLM or the log. Synchronous and cheap, because the logger calls it on every
 * error message and stack: a text without any of the literal hints below is returned after a single
 * regex scan.
 *
 * Why not secretlint itself: @secretlint/core's `lintSource` is async, works on whole files (several
 * of its rules only fire for a `.json` file or a complete PEM block with a valid body) and is tuned to
 * avoid false positives in source code. A redactor runs per line, must be synchronous, and should err
 * on the side of hiding. So the token formats below are taken from the maintained rule set
 * (@secretlint/secretlint-rule-preset-recommend 13: aws, gcp, privatekey, npm, basicauth, slack,
 * sendgrid, shopify, stripe, github, gitlab, grafana, openai, anthropic, groq, huggingface, linear,
 * notion, 1password, database-connection-string, hashicorp-vault, vercel, databricks, docker, figma,
 * cloudflare, tailscale) and widened where a redactor can afford it (AWS key ids always on, PEM blocks
 * without END, base64 key bodies line by line, Azure). test/unit/redact.test.ts runs secretlint over
 * the fake-secret corpus and checks that everything it finds is gone after redact().
 */

const REPLACEMENT = '[REDACTED]';

/**
 * Cheap gate: every pattern below needs one of these (case-insensitive) — or a long base64 run, for
 * private-key bodies printed line by line.
 */
const HINT =
  /gh[pousr]_|github_pat_|v1\.[0-9a-f]{40}|xox|xapp-|hooks\.slack|A3T|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|AIza|GOCSPX|ya29\.|PRIVATE KEY|eyJ|npm_|sk-|[sr]k_(?:live|test)|glpat-|glc_|glsa_|SG\.|dckr_pat|hf_|gsk_|shp(?:at|ca|pa|ss)_|hv[sbr]\.|dapi|lin_api|ntn_|ops_ey|figd_|tskey-|cf(?:k|ut|at)_|vc[pikra]_|:\/\/|auth|cookie|sig=|accountkey|sharedaccess|pass|pwd|secret|token|key|cred|private|dsn|Q~|-p\s|-u\s|--user|bearer|salt|hmac|nonce|seed|sig|hash|jwt|otp|cert|crt|pem|pfx|p12|jks|dockerc|_pat|pat_|_pin|[A-Za-z0-9+/]{60}|[^\s:@/]:[^\s@/]{1,256}@|data"?\s*:/i;

/** Token formats, replaced whole. */
const TOKENS: readonly RegExp[] = [
  // GitHub: classic/OAuth/user/server/refresh tokens, fine-grained PATs, old installation tokens
  /\bgh[pousr]_[A-Za-z0-9_]{30,255}(?:\.[A-Za-z0-9_-]+){0,2}/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,255}/g,
  /\bv1\.[0-9a-f]{40}\b/g,
  // Slack: bot/user/app/config/refresh tokens
  /\bxox[abposre]-[A-Za-z0-9-]{10,}/g,
  /\bxoxe\.xox[bp]-[A-Za-z0-9-]{10,}/g,
  /\bxapp-\d+-[A-Za-z0-9-]{10,}/g,
  // AWS access key ids (secret keys and session tokens are caught by name, below)
  /\b(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g,
  // GCP: API keys, OAuth client secrets, access tokens
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /\bGOCSPX-[A-Za-z0-9_-]{20,}/g,
  /\bya29\.[0-9A-Za-z_-]{20,}/g,
  // Azure AD client secrets (`xyz8Q~…`)
  /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  // npm
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  // OpenAI / Anthropic (`sk-…`, `sk-proj-…`, `sk-ant-api03-…`), Stripe secret and restricted keys
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
  // JWTs (also Slack/GitHub-App JWTs, OIDC tokens)
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
  // Others from secretlint's recommended preset
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bgl(?:c|sa)_[A-Za-z0-9+/_=-]{32,}/g,
  /\bSG\.[\w-]{16,}\.[\w-]{16,}/g,
  /\bdckr_pat_[A-Za-z0-9_-]{20,}/g,
  /\bhf_[A-Za-z]{30,}/g,
  /\bgsk_[A-Za-z0-9]{40,}/g,
  /\bshp(?:at|ca|pa|ss)_[a-zA-Z0-9]{32,}/g,
  /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g,
  /\bdapi[a-zA-Z0-9]{32}(?:-\d)?\b/g,
  /\blin_api_[A-Za-z0-9]{32,}/g,
  /\bntn_[0-9]{11}[A-Za-z0-9]{35}/g,
  /\bops_ey[A-Za-z0-9+/=]{60,}/g,
  /\bfigd_[A-Za-z0-9_-]{40,}/g,
  /\btskey-[a-z]+-[A-Za-z0-9_]{8,}-[A-Za-z0-9_]{16,}/g,
  /\bcf(?:k|ut|at)_[A-Za-z0-9]{40,}/g,
  /\bvc[pikra]_[A-Za-z0-9]{20,}/g,
];

/** `-----BEGIN … PRIVATE KEY-----` through END (or to the end of the text, when it was cut). */
const PEM =
  /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g;

/** A line that is only base64 of PEM width: a private key's body printed line by line. */
const PEM_BODY_LINE = /^([ \t"']*)([A-Za-z0-9+/]{60,76}={0,2})([ \t"',]*(?:\\n)?[ \t"',]*)$/gm;

/** Slack incoming webhooks: the path is the secret. */
const SLACK_WEBHOOK = /(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g;

/**
 * A DSN without a scheme, as Go's MySQL driver and others write it: `user:password@tcp(host:3306)/db`,
 * `user:password@unix(/run/mysqld.sock)/db`, `user:password@host:5432/db` → keeps user and host.
 */
const BARE_DSN =
  /(?<![A-Za-z0-9+.:/@-])([A-Za-z_][A-Za-z0-9_.%+-]{0,63}:)([^\s:@/'"`]{1,256})@(?=(?:tcp|udp|unix|tcp6)\(|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?\/)/g;

/** A bearer or basic credential after any header name (`X-Upstream-Auth: Bearer …`), or none. */
const BEARER = /\b((?:bearer|basic)\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi;

/**
 * An Azure storage account key (64 random bytes: 86 base64 characters and `==`) wherever it stands —
 * but not an npm/SRI `sha512-…` integrity digest, which has the same shape.
 */
const AZURE_STORAGE_KEY = /(?<![A-Za-z0-9+/-])(?<!sha512-)[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g;

/** `scheme://user:password@host` → keeps user and host. */
const URL_PASSWORD = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]{0,256}:)([^\s@/]{1,512})@/gi;

/** `Authorization: Bearer abc`, `authorization=token abc`, `"Authorization": "Basic abc"`; keeps the scheme. */
const AUTH_HEADER =
  /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|token|basic|digest|apikey|bot|sso-key)\s+)?)([^\s"',;]+)/gi;

/** Other credential headers: `X-Api-Key: abc`, `Private-Token: abc`, `Cookie: a=b`. */
const OTHER_HEADER =
  /\b((?:x-api-key|api-key|x-auth-token|private-token|x-access-token|cookie|set-cookie)\s*:\s*)([^\r\n"']+)/gi;

/** Azure storage / service bus connection strings and SAS signatures: `AccountKey=…;`, `sig=…&`. */
const AZURE = /\b((?:AccountKey|SharedAccessKey|SharedAccessSignature|sig)=)([^;&\s"']+)/gi;

/** CLI flags: `--password hunter2`, `--token=abc`, `docker login -p abc`. */
const CLI_FLAG =
  /(--(?:password|passwd|pass|token|secret|api-key|apikey|access-token|auth-token|client-secret)(?:=|\s+)|\bdocker login\b[^\n]*?\s-p\s+)(?!-)([^\s"']+)/gi;

/** `curl -u admin:s3cr3t`, `--user admin:s3cr3t`: keep the user, drop the password. */
const CURL_USER = /((?:\s-u|--user)(?:=|\s+)["']?[^\s:"']+:)([^\s"']+)/g;

/** Docker's config.json / DOCKER_AUTH_CONFIG: `"auth": "<base64 user:password>"`. */
const DOCKER_AUTH = /("auth"\s*:\s*")([A-Za-z0-9+/=]{8,})(")/g;

/**
 * `DB_PASSWORD=hunter2`, `"api_key": "abc def"`, `aws_secret_access_key = abc`, `token: abc`: a name
 * that says secret, then `=` or `:`, then a quoted or bare value.
 */
const SECRET_NAME =
  '[A-Za-z0-9_.-]*(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|account[_-]?key|client[_-]?secret|credentials?|_auth|auth[_-]?token|session[_-]?(?:id|key)|cookie|sas[_-]?token|connection[_-]?string|conn[_-]?str|dsn)[A-Za-z0-9_.-]*';
/**
 * Names that only may hold a secret (`AZURE_STORAGE_KEY`, `tls.key`, `sentry_key`, `WEBHOOK_SALT`):
 * their values are redacted when they look random (see `looksRandom`), so `sort_key=name` stays. A
 * bare `key:` (a cache key, a map key) is not one of them.
 */
const MAYBE_SECRET_NAME =
  '[A-Za-z0-9_.-]*(?:key|salt|sig(?:nature)?|hash|hmac|nonce|seed|pat|jwt|bearer|auth|pass|pin|otp|cert|crt|pem|p12|pfx|jks|keystore|dockerconfigjson|dockercfg)[A-Za-z0-9_.-]*';
const MAYBE_SECRET_ASSIGNMENT = new RegExp(
  `(?<![A-Za-z0-9_.-])(?!key["']?\\s*[:=])(${MAYBE_SECRET_NAME}["']?\\s*(?:=>|[:=])\\s*["']?)([A-Za-z0-9+/_~.=-]{16,2000})`,
  'gi',
);

/**
 * Whether a value looks like generated key material rather than a word, path or id: long enough,
 * three character classes (or base64/hex of a typical key length), and high Shannon entropy.
 */
export function looksRandom(v: string): boolean {
  if (v.length < 16) return false;
  // `node-cache-Linux-x64-<hash>`, `checkout-7d4b9c8f6-x2x9z`: an identifier made of words.
  if (v.split(/[-_.]/).filter((w) => /^[A-Za-z]{3,}$/.test(w)).length >= 2) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[+/_~=-]/].filter((r) => r.test(v)).length;
  const hexKey = /^[0-9a-f]{32,}$/i.test(v);
  if (classes < 3 && !hexKey) return false;
  const counts = new Map<string, number>();
  for (const ch of v) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / v.length) * Math.log2(n / v.length);
  return bits >= (hexKey ? 3.2 : 3.5);
}

/** `token.test.ts:12:26` is a file name and a position, not an assignment. */
const NOT_A_FILE = '(?<!\\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|cs|php|json|ya?ml|toml|txt|md|sh|log))';
const SECRET_ASSIGNMENT = new RegExp(
  `(?<![A-Za-z0-9_.-])(?<!unexpected )(${SECRET_NAME}${NOT_A_FILE}["']?\\s*(?:=>|[:=])\\s*)(?!\\$\\{\\{)(?:"((?:[^"\\\\\\n]|\\\\.){1,2000})"|'([^'\\n]{1,2000})'|([^\\s"',;}\\]]{1,2000}))`,
  'gi',
);

/** Values that are not secrets: masks, placeholders, references, booleans, small numbers. */
const NOT_A_SECRET =
  /^(?:\*+|\[REDACTED\]|<[^>]*>|\$\{\{[^}]*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%|null|nil|none|true|false|undefined|\d{1,6}|)$/i;

function redactValue(prefix: string, value: string, quote: string): string {
  // Already redacted (a bare value stops before `]`, so it reads `[REDACTED`).
  if (NOT_A_SECRET.test(value) || value.startsWith(REPLACEMENT.slice(0, -1)))
    return `${prefix}${quote}${value}${quote}`;
  return `${prefix}${quote}${REPLACEMENT}${quote}`;
}

/** A PEM body line is base64 with upper, lower case and digits (hex digests and words are not). */
function looksLikeKeyMaterial(b64: string): boolean {
  return /[A-Z]/.test(b64) && /[a-z]/.test(b64) && /[0-9]/.test(b64);
}

export function redact(text: string): string {
  if (text.length === 0 || !HINT.test(text)) return text;
  let out = text;
  if (out.includes('\n')) out = redactLines(out.split('\n')).join('\n');
  out = out.replace(PEM, REPLACEMENT);
  out = out.replace(PEM_TAIL, REPLACEMENT);
  out = out.replace(SECRET_JSON_DATA, (_m, pre: string, body: string) => `${pre}${redactJsonValues(body)}}`);
  out = out.replace(PEM_BODY_LINE, (m, pre: string, b64: string, post: string) =>
    looksLikeKeyMaterial(b64) ? `${pre}${REPLACEMENT}${post}` : m,
  );
  for (const p of TOKENS) out = out.replace(p, REPLACEMENT);
  out = out.replace(SLACK_WEBHOOK, `$1${REPLACEMENT}`);
  out = out.replace(AZURE_STORAGE_KEY, REPLACEMENT);
  out = out.replace(URL_PASSWORD, (m, pre: string, pw: string) =>
    pw === REPLACEMENT ? m : `${pre}${REPLACEMENT}@`,
  );
  out = out.replace(BARE_DSN, (m, pre: string, pw: string) =>
    pw === REPLACEMENT || NOT_A_SECRET.test(pw) ? m : `${pre}${REPLACEMENT}@`,
  );
  out = out.replace(AUTH_HEADER, (_m, pre: string, v: string) => redactValue(pre, v, ''));
  out = out.replace(BEARER, (m, pre: string, v: string) =>
    /\d/.test(v) || v.length >= 20 ? `${pre}${REPLACEMENT}` : m,
  );
  out = out.replace(OTHER_HEADER, (_m, pre: string, v: string) => redactValue(pre, v.trimEnd(), ''));
  out = out.replace(AZURE, (_m, pre: string, v: string) => redactValue(pre, v, ''));
  out = out.replace(CLI_FLAG, (_m, pre: string, v: string) => redactValue(pre, v, ''));
  out = out.replace(CURL_USER, (_m, pre: string, v: string) => redactValue(pre, v, ''));
  out = out.replace(DOCKER_AUTH, `$1${REPLACEMENT}$3`);
  out = out.replace(
    SECRET_ASSIGNMENT,
    (_m, pre: string, dq: string | undefined, sq: string | undefined, bare: string | undefined) => {
      if (dq !== undefined) return redactValue(pre, dq, '"');
      if (sq !== undefined) return redactValue(pre, sq, "'");
      return redactValue(pre, bare ?? '', '');
    },
  );
  out = out.replace(MAYBE_SECRET_ASSIGNMENT, (m, pre: string, v: string) =>
    looksRandom(v) ? `${pre}${REPLACEMENT}` : m,
  );
  return out;
}

/** The rest of a private key whose BEGIN line was cut off (a log tail, a chunk): base64 lines up to END. */
const PEM_TAIL =
  /(?:^|(?<=\n))(?:[ \t]*[A-Za-z0-9+/=]{1,100}[ \t]*\r?\n)+[ \t]*-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/g;

/** A Secret's `data`/`stringData` as JSON (also escaped, in `last-applied-configuration`). */
const SECRET_JSON_DATA = /(\\?"(?:data|stringData)\\?"\s*:\s*\{)([^{}]{0,100000})\}/g;

/** Every string value of a flat JSON object body: `"k":"v"` → `"k":"[REDACTED]"`. */
function redactJsonValues(body: string): string {
  return body.replace(
    /(\\?"[^"\\]*\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)(\\?")/g,
    (_m, k: string, _v: string, q: string) => `${k}${REPLACEMENT}${q}`,
  );
}

const PEM_BEGIN = /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/;
/** A key body line, after any log prefix: base64 only. */
const BASE64_LINE = /^[ \t"']*[A-Za-z0-9+/]+={0,2}[ \t"',]*(?:\\n)?[ \t"',]*$/;
/** What a log line may start with before the payload: a timestamp (kubectl logs --timestamps, CI runners). */
const LOG_PREFIX = /^(?:\S*\d{4}-\d\d-\d\dT[\d:.,]+(?:Z|[+-]\d\d:?\d\d)?\s+)?/;
/** `data:` or `stringData:` opening a YAML block: a Secret's (a ConfigMap's data is not base64). */
const YAML_DATA = /^(\s*)(?:- )?(data|stringData):\s*$/;
const YAML_ENTRY = /^(\s*)("?[^\s:"]+"?\s*:\s*)(.*)$/;

function prefixOf(line: string): string {
  return LOG_PREFIX.exec(line)?.[0] ?? '';
}

/**
 * Redaction that needs more than one line, for text read line by line (pod logs, CI logs, YAML):
 * every line of a private key from `BEGIN … PRIVATE KEY` to `END` — also when the BEGIN line was
 * cut off above (a tail, a chunk boundary): base64 lines back from an END — and the values of a
 * YAML `data:`/`stringData:` block (a Kubernetes Secret's: base64 values of `data`, every value of
 * `stringData`, whatever their keys are called: `tls.key`, `.dockerconfigjson`). A line's log
 * prefix (timestamp) is kept. Returns a new array of the same length.
 */
export function redactLines(lines: readonly string[]): string[] {
  const out = [...lines];
  let inKey = false;
  let data: { indent: number; all: boolean } | undefined;
  for (let i = 0; i < out.length; i++) {
    const line = out[i] ?? '';
    const pre = prefixOf(line);
    const body = line.slice(pre.length);
    if (inKey) {
      out[i] = PEM_END.test(body)
        ? line.replace(/^([\s\S]*?)[A-Za-z0-9+/=]*-----END/, `${pre}-----END`)
        : `${pre}${REPLACEMENT}`;
      if (PEM_END.test(body)) inKey = false;
      continue;
    }
    if (PEM_BEGIN.test(body) && !PEM_END.test(body)) {
      inKey = true;
      continue;
    }
    if (PEM_END.test(body) && !PEM_BEGIN.test(body)) {
      // The block began above what we have: everything base64 back from here is the key.
      for (let j = i - 1; j >= 0; j--) {
        const prev = out[j] ?? '';
        const p = prefixOf(prev);
        if (!BASE64_LINE.test(prev.slice(p.length)) || prev.slice(p.length).trim() === '') break;
        out[j] = `${p}${REPLACEMENT}`;
      }
      continue;
    }
    if (data) {
      const entry = YAML_ENTRY.exec(body);
      const indent = body.length - body.trimStart().length;
      if (body.trim() === '' || indent <= data.indent || !entry) {
        data = undefined;
      } else {
        const value = (entry[3] ?? '').trim();
        if (value && value !== REPLACEMENT && (data.all || /^["']?[A-Za-z0-9+/]{4,}={0,2}["']?$/.test(value)))
          out[i] = `${pre}${entry[1]}${entry[2]}${REPLACEMENT}`;
        continue;
      }
    }
    const open = YAML_DATA.exec(body);
    if (open) data = { indent: (open[1] ?? '').length, all: open[2] === 'stringData' };
  }
  return out;
}

/** Redacts every string inside a Block Kit message. */
export function redactMessage<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactMessage) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactMessage(v)])) as T;
  }
  return value;
}
