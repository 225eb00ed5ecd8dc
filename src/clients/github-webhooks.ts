import type { Webhooks } from '@octokit/webhooks';

/**
 * Checks a GitHub webhook delivery: `signature` is the `x-hub-signature-256` header
 * (`sha256=<hex HMAC of the raw body>`), `rawBody` the body exactly as received. Resolves false —
 * never throws — for a missing, malformed or wrong signature.
 */
export type WebhookVerifier = (rawBody: string, signature: string | undefined) => Promise<boolean>;

/**
 * The verifier over @octokit/webhooks (HMAC-SHA256 with a constant-time comparison), for
 * `GITHUB_WEBHOOK_SECRET`. Only verification is used: routing and parsing of the deliveries is ours
 * (src/http/github-webhook.ts), so the body is read once, with a size limit, and checked before it is
 * parsed. The package is loaded on the first delivery (a dynamic `import()`, cached), so a role
 * that never receives one never loads it.
 */
export function createWebhookVerifier(secret: string): WebhookVerifier {
  let webhooks: Promise<Webhooks> | undefined;
  return async (rawBody, signature) => {
    if (!signature?.startsWith('sha256=') || !rawBody) return false;
    try {
      webhooks ??= import('@octokit/webhooks').then((m) => new m.Webhooks({ secret }));
      return await (await webhooks).verify(rawBody, signature);
    } catch {
      return false;
    }
  };
}
