/**
 * Redaction of secrets from free text (logs, tool output, messages) before it reaches Slack, the LLM
 * or the log. The patterns cover the credentials Shipmate itself handles (Slack, GitHub, OpenAI,
 * bearer headers, passwords in URLs) and `KEY=value` lines with secret-looking names.
 */

const REPLACEMENT = '[REDACTED]';

const PATTERNS: readonly RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g, // Slack bot/user/app tokens
  /\bxapp-[A-Za-z0-9-]{8,}/g, // Slack app-level token
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, // OpenAI keys
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
];

/** `Authorization: Bearer abc`, `token abc` */
const BEARER = /\b(authorization\s*[:=]\s*)(?:bearer|token|basic)?\s*[^\s"',]+/gi;
/** `https://user:password@host` */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;
/** `DB_PASSWORD=hunter2`, `"api_key": "abc"` */
const SECRET_ASSIGNMENT =
  /\b([A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?)([^\s"',;]{3,})/gi;

export function redact(text: string): string {
  let out = text;
  for (const p of PATTERNS) out = out.replace(p, REPLACEMENT);
  out = out.replace(BEARER, `$1${REPLACEMENT}`);
  out = out.replace(URL_PASSWORD, `$1${REPLACEMENT}@`);
  out = out.replace(SECRET_ASSIGNMENT, (_m, key: string) => `${key}${REPLACEMENT}`);
  return out;
}
