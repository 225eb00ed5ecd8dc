import { z } from 'zod';

/**
 * Input fields the Kubernetes tools share. A namespace is a DNS label (RFC 1123: lower-case letters,
 * digits and dashes, at most 63); a cluster is a kubeconfig context name. Each tool adds its own
 * `.describe()`, which is what the model reads.
 */
export const namespaceField = z
  .string()
  .trim()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace is lowercase letters, digits and dashes');

export const clusterField = z.string().trim().min(1).max(253);
