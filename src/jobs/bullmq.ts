import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';

/**
 * BullMQ's producer side — Queue, QueueEvents and the errors a processor throws — loaded from the
 * modules that define them rather than from the package's index, which loads every class (Worker,
 * flows, the sandbox, the PostgreSQL backend with its SQL, the Bun, Valkey and node-redis clients):
 * ~2 MB resident that the web role, which only enqueues, never uses. The same CommonJS modules the
 * index re-exports, so `Queue` here is the very class `import { Queue } from 'bullmq'` gives (the
 * worker role imports Worker from the index; test/unit/bullmq-producer.test.ts holds them equal).
 * Types come from the package's own declarations. bullmq is pinned to an exact version.
 */
const require = createRequire(import.meta.url);

export const { Queue } = require('bullmq/dist/cjs/classes/queue.js') as Pick<typeof BullMQ, 'Queue'>;
export const { QueueEvents } = require('bullmq/dist/cjs/classes/queue-events.js') as Pick<
  typeof BullMQ,
  'QueueEvents'
>;
export const { DelayedError, UnrecoverableError } =
  require('bullmq/dist/cjs/classes/errors/index.js') as Pick<
    typeof BullMQ,
    'DelayedError' | 'UnrecoverableError'
  >;
export type Queue = BullMQ.Queue;
export type QueueEvents = BullMQ.QueueEvents;
