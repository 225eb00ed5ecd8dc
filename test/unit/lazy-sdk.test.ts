import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(import.meta.dirname, '../..');
const url = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, file)).href);

/**
 * Runs in a fresh `node` (its own module cache). A synchronous resolve hook (`module.registerHooks`)
 * records every module URL resolved — ESM imports, dynamic `import()` and `require()` alike — so
 * "not loaded" means not even resolved. The script builds the ports the way the composition root
 * does, then makes one call of each kind as the positive control: the hook does see the SDKs once a
 * call needs them, and first-use failures still map to the same AppErrors.
 */
const SCRIPT = `
import { registerHooks } from 'node:module';
const resolved = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    const r = nextResolve(specifier, context);
    resolved.push(r.url);
    return r;
  },
});
const heavy = () => [...new Set(resolved.filter((u) => u.includes('/@kubernetes/client-node/') || u.includes('/@octokit/')))];
const kubeSdk = () => heavy().filter((u) => u.includes('/@kubernetes/client-node/'));
const octokit = (pkg) => heavy().filter((u) => u.includes('/@octokit/' + pkg + '/'));

const { createKubePort } = await import(${url('src/clients/kube.ts')});
const { createKubeContextPool } = await import(${url('src/clients/kube-pool.ts')});
const { createKubeDeployPort } = await import(${url('src/clients/kube-deploy.ts')});
const { createGitHubPort } = await import(${url('src/clients/github.ts')});
const { createWebhookVerifier } = await import(${url('src/clients/github-webhooks.ts')});
const afterImport = heavy();

const kubeOptions = { kubeconfigPath: '/nonexistent/shipmate-kubeconfig' };
const pool = createKubeContextPool(kubeOptions);
const kube = createKubePort(kubeOptions, pool);
const deploy = createKubeDeployPort({ ...kubeOptions, pool });
const alone = createKubePort({ kubeconfigPath: '/nonexistent/shipmate-kubeconfig' });
const github = createGitHubPort({ baseUrl: 'http://127.0.0.1:1', token: 'ghp_test', retries: 0 });
const githubApp = createGitHubPort({ baseUrl: 'http://127.0.0.1:1', appId: '1', privateKey: 'not a key' });
const verify = createWebhookVerifier('secret');
const afterConstruction = heavy();

const code = (p) => p.then(() => 'resolved', (e) => e?.code ?? String(e));
const kubeError = await code(kube.listContexts());
const deployError = await code(deploy.getDeployment({ namespace: 'prod', name: 'api' }));
const afterKubeCall = { kube: kubeSdk().length, octokit: octokit('rest').length };
const githubError = await code(github.getDefaultBranch({ owner: 'acme', repo: 'shop' }));
const afterGitHubCall = { rest: octokit('rest').length, authApp: octokit('auth-app').length };
await verify('{}', 'sha256=00');
const afterWebhook = octokit('webhooks').length;
await Promise.all([kube.close(), deploy.close(), alone.close()]);
void githubApp;
process.stdout.write(JSON.stringify({ afterImport, afterConstruction, kubeError, deployError, afterKubeCall, githubError, afterGitHubCall, afterWebhook }));
`;

describe('heavy SDKs load on first use, not when the ports are built', () => {
  it('importing src/clients and building the Kubernetes and GitHub ports resolves no @kubernetes/client-node or @octokit module', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 20_000,
    });
    const r = JSON.parse(stdout);
    expect(r.afterImport).toEqual([]);
    expect(r.afterConstruction).toEqual([]);
    // The first call loads the Kubernetes client (and only it) and fails as before with a bad kubeconfig.
    expect(r.kubeError).toBe('kube_not_configured');
    expect(r.deployError).toBe('kube_not_configured');
    expect(r.afterKubeCall.kube).toBeGreaterThan(0);
    expect(r.afterKubeCall.octokit).toBe(0);
    // The first GitHub call loads Octokit — not the App strategy, for a token — and maps as before.
    expect(r.githubError).toBe('github_unreachable');
    expect(r.afterGitHubCall.rest).toBeGreaterThan(0);
    expect(r.afterGitHubCall.authApp).toBe(0);
    expect(r.afterWebhook).toBeGreaterThan(0);
  });
});
