/**
 * Jest's globalSetup / globalTeardown: one temporary directory for the whole run, given to the test
 * workers as SHIPMATE_TEST_TMP (they are started after globalSetup and inherit its environment), and
 * removed when the run ends, so team files, kubeconfigs and screenshots written by tests do not pile
 * up in /tmp. test/support/tmp.ts makes directories inside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function setup() {
  process.env.SHIPMATE_TEST_TMP = mkdtempSync(join(tmpdir(), 'shipmate-jest-'));
}

export function teardown() {
  const dir = process.env.SHIPMATE_TEST_TMP;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
