import { describe, expect, it } from '@jest/globals';
import * as index from 'bullmq';
import { DelayedError, Queue, QueueEvents, UnrecoverableError } from '../../src/jobs/bullmq.ts';

describe("src/jobs/bullmq.ts: BullMQ's producer side without the package's index", () => {
  it('gives the very classes the index exports (instanceof holds across the two, e.g. in toAppError and the worker)', () => {
    expect(Queue).toBe(index.Queue);
    expect(QueueEvents).toBe(index.QueueEvents);
    expect(UnrecoverableError).toBe(index.UnrecoverableError);
    expect(DelayedError).toBe(index.DelayedError);
    expect(new index.UnrecoverableError('x')).toBeInstanceOf(UnrecoverableError);
  });
});
