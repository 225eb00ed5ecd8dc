/**
 * Kubernetes failures as AppErrors: what happened and what to do, per status (401, 403 with the verb
 * and resource the identity lacks, 404, 409, 410, 422, 429, 5xx) and per network or TLS failure.
 * Shared by the read port, the deploy port and the deployment watch.
 */

import { AppError, isAppError } from '../../tools/shared/errors.ts';
import { loadedKubeSdk } from './kube-sdk.ts';

/** Where a request was going, for error messages. */
export interface RequestSite {
  cluster: string;
  server: string;
  verb: 'list' | 'get' | 'patch' | 'watch';
  resource: string;
  namespace?: string;
  name?: string;
}

/** AppError `cancelled`, for a request the caller's signal stopped. */
export function cancelled(signal: AbortSignal): AppError {
  return new AppError({ code: 'cancelled', userMessage: 'The request was cancelled.', cause: signal.reason });
}

/** `pods/log` → `Pod`, `deployments` → `Deployment`. */
function singular(resource: string): string {
  const base = resource.split('/')[0] ?? resource;
  const one = base.endsWith('sets') || base.endsWith('s') ? base.slice(0, -1) : base;
  const names: Record<string, string> = {
    replicaset: 'ReplicaSet',
    statefulset: 'StatefulSet',
    daemonset: 'DaemonSet',
  };
  return names[one] ?? `${one.charAt(0).toUpperCase()}${one.slice(1)}`;
}

interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; group?: string };
}

function parseStatus(body: unknown): KubeStatus | undefined {
  if (body && typeof body === 'object') return body as KubeStatus;
  if (typeof body !== 'string' || body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as KubeStatus) : undefined;
  } catch {
    return { message: body.slice(0, 300) };
  }
}

const FORBIDDEN =
  /^(.*?) is forbidden: User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)?/;

/** "list pods cluster-wide", "get pods/log in namespace prod" */
export function describeForbidden(
  message: string,
): { user: string; verb: string; resource: string; group: string; namespace?: string } | undefined {
  const m = FORBIDDEN.exec(message);
  if (!m) return undefined;
  const out: { user: string; verb: string; resource: string; group: string; namespace?: string } = {
    user: m[2] as string,
    verb: m[3] as string,
    resource: m[4] as string,
    group: m[5] as string,
  };
  if (m[6]) out.namespace = m[6];
  return out;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TLS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a client-node failure to an AppError whose userMessage says what happened and what to do:
 * 401, 403 (which verb on which resource the identity lacks), 404 (namespace or object), 410, 429,
 * 5xx, connection refused / DNS / reset (retryable), TLS verification failures.
 */
export function toKubeError(e: unknown, site: RequestSite): AppError {
  if (isAppError(e)) return e;
  const where = `cluster "${site.cluster}"`;
  // Only the library throws ApiException, and no request runs before it is loaded.
  const ApiException = loadedKubeSdk()?.ApiException;
  if (ApiException && e instanceof ApiException) {
    const st = parseStatus(e.body);
    const msg = st?.message ?? '';
    switch (e.code) {
      case 401:
        return new AppError({
          code: 'kube_unauthorized',
          userMessage: `The Kubernetes API of ${where} rejected the bot's credentials (401 Unauthorized): the token or client certificate in the kubeconfig is missing, expired or revoked.`,
          cause: e,
        });
      case 403: {
        const f = describeForbidden(msg);
        const userMessage = f
          ? `The bot's Kubernetes identity "${f.user}" is not allowed to ${f.verb} ${f.resource}${f.group ? ` (API group ${f.group})` : ''} ${
              f.namespace ? `in namespace "${f.namespace}"` : 'cluster-wide'
            } on ${where}. Grant it "${f.verb}" on "${f.resource}" with a ${f.namespace ? 'Role' : 'ClusterRole'} and binding${f.verb === 'list' ? ', or ask about one namespace it can read' : ''}.`
          : `Kubernetes RBAC on ${where} denied ${site.verb} ${site.resource}${site.namespace ? ` in namespace "${site.namespace}"` : ''}: ${msg || 'forbidden'}`;
        return new AppError({ code: 'kube_forbidden', userMessage, cause: e });
      }
      case 404:
        if (st?.details?.kind === 'namespaces' || (site.resource === 'namespaces' && site.name)) {
          const ns = st?.details?.name ?? site.name ?? site.namespace;
          return new AppError({
            code: 'kube_namespace_not_found',
            userMessage: `Namespace "${ns}" not found on ${where}.`,
            cause: e,
          });
        }
        return new AppError({
          code: 'kube_not_found',
          userMessage: site.name
            ? `${singular(st?.details?.kind ?? site.resource)} "${st?.details?.name ?? site.name}" not found${site.namespace ? ` in namespace "${site.namespace}"` : ''} on ${where}.`
            : `The Kubernetes API of ${where} does not serve ${site.resource}${msg ? `: ${msg}` : ''}.`,
          cause: e,
        });
      case 409:
        return new AppError({
          code: 'kube_conflict',
          userMessage: `${singular(st?.details?.kind ?? site.resource)}${site.name ? ` "${site.name}"` : ''} on ${where} was changed by someone else at the same time (409 Conflict${msg ? `: ${msg}` : ''}). Try again.`,
          retryable: true,
          cause: e,
        });
      case 422:
        return new AppError({
          code: 'kube_invalid',
          userMessage: `Kubernetes rejected the change to ${singular(st?.details?.kind ?? site.resource)}${site.name ? ` "${site.name}"` : ''}${site.namespace ? ` in namespace "${site.namespace}"` : ''} on ${where} as invalid: ${msg.replace(/^[\w.]+ "[^"]*" is invalid: /, '') || 'no reason given'}`,
          cause: e,
        });
      case 410:
        return new AppError({
          code: 'kube_list_expired',
          userMessage: `The cluster changed too much while ${site.resource} were being listed on ${where} (the list expired). Try again.`,
          retryable: true,
          cause: e,
        });
      case 429:
        return new AppError({
          code: 'kube_throttled',
          userMessage: `The Kubernetes API of ${where} is throttling requests (429). Try again in a minute.`,
          retryable: true,
          cause: e,
        });
      default:
        if (e.code >= 500) {
          return new AppError({
            code: 'kube_api_error',
            userMessage: `The Kubernetes API of ${where} failed (${e.code}${msg ? `: ${msg}` : ''}). Try again shortly.`,
            retryable: true,
            cause: e,
          });
        }
        return new AppError({
          code: 'kube_bad_request',
          userMessage: `Kubernetes refused to ${site.verb} ${site.resource}${site.name ? ` "${site.name}"` : ''} on ${where} (${e.code}${msg ? `: ${msg}` : ''}).`,
          cause: e,
        });
    }
  }
  const code = errorCode(e);
  if (code && TLS.has(code)) {
    return new AppError({
      code: 'kube_tls',
      userMessage: `The Kubernetes API server of ${where} (${site.server}) presented a certificate that the kubeconfig's CA does not verify (${code}). Check certificate-authority in the kubeconfig.`,
      cause: e,
    });
  }
  if (code && UNREACHABLE.has(code)) {
    const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found' : code;
    return new AppError({
      code: 'kube_unreachable',
      userMessage: `Cannot reach the Kubernetes API of ${where} at ${site.server} (${why}). Check the network path and that the API server is up.`,
      retryable: true,
      cause: e,
    });
  }
  return new AppError({
    code: 'kube_api_error',
    userMessage: `The request to the Kubernetes API of ${where} failed (${site.verb} ${site.resource}): ${code ?? (e as Error)?.message ?? 'unknown error'}.`,
    cause: e,
  });
}
