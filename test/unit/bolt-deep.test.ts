import { describe, expect, it } from '@jest/globals';
import * as index from '@slack/bolt';
import { App, HTTPReceiver, LogLevel } from '../../src/clients/bolt.ts';

describe("src/clients/bolt.ts: Bolt's App and HTTP receiver without the package's index", () => {
  it('gives the very classes and enum the index exports', () => {
    expect(App).toBe(index.App);
    expect(HTTPReceiver).toBe(index.HTTPReceiver);
    expect(LogLevel).toBe(index.LogLevel);
    expect(LogLevel.INFO).toBe('info');
  });
});
