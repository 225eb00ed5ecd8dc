import { afterAll, describe, expect, it } from '@jest/globals';
import { makeCluster, startFakeKube } from '../../sandbox/fake-kube.ts';
import { cleanRedis, REDIS_URL, teamFile, uniquePrefix } from '../support/app-harness.ts';
import { startMain } from '../support/run-main.ts';

/** Ctrl-C with a job in flight (issue 13 item 3): say what it waits for; a second Ctrl-C stops at once. */
describe('stopping the console while a job runs', () => {
  const prefix = uniquePrefix('console-stop');
  afterAll(() => cleanRedis(prefix));

  it('the first SIGINT names the running job and how long it may take; the second exits at once', async () => {
    const kube = await startFakeKube({ objects: makeCluster({ pods: 10 }) });
    kube.fail(/\/pods/, 'hang'); // the status job's first request never answers
    const child = startMain({
      REDIS_URL,
      SHIPMATE_QUEUE_PREFIX: prefix,
      SHIPMATE_CONFIG: teamFile('{}\n'),
      KUBECONFIG: kube.kubeconfigPath,
      KUBE_REQUEST_TIMEOUT_SECONDS: '600',
      JOB_TIMEOUT_SECONDS: '900',
      LOG_LEVEL: 'warn',
    });
    try {
      child.write('/ops status\n');
      await kube.waitForRequest((r) => r.path.endsWith('/pods'), 20_000);
      child.kill('SIGINT');
      await child.waitForStderr(
        /Stopping: waiting for 1 running job to finish \(at most 900 s\); press Ctrl-C again to stop now\./,
      );
      child.kill('SIGINT');
      const r = await child.done;
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('Stopping now, without waiting.');
    } finally {
      await child.stop('SIGKILL');
      await kube.close();
    }
  }, 60_000);
});
