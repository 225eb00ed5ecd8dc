import { type Logger, pino } from 'pino';
import { redact } from '../tools/shared/redact.ts';

export type { Logger };

/** Paths whose values never reach the log, whatever their content. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'apiKey',
  '*.apiKey',
  'privateKey',
  '*.privateKey',
  'password',
  '*.password',
];

/**
 * The one root logger: pino JSON, to stdout — or to stderr in console mode, where stdout carries the
 * conversation. Secrets are removed twice: by key (REDACT_PATHS) and by content (error messages and
 * stacks go through the same redactor as Slack and LLM text, since SDK errors quote URLs and headers).
 */
export function createLogger(opts: { level: string; toStderr: boolean }): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: 'shipmate' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        err: (e: unknown) => {
          const s = pino.stdSerializers.err(e as Error);
          if (s.message) s.message = redact(s.message);
          if (s.stack) s.stack = redact(s.stack);
          return s;
        },
      },
    },
    pino.destination({ fd: opts.toStderr ? 2 : 1, sync: true }),
  );
}
