import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new directory for one test's files, inside the run's SHIPMATE_TEST_TMP (removed when the Jest run
 * ends: test/support/global-tmp.js), or the system's temp directory when run outside Jest.
 */
export function testTempDir(prefix: string): string {
  return mkdtempSync(join(process.env.SHIPMATE_TEST_TMP ?? tmpdir(), prefix));
}
