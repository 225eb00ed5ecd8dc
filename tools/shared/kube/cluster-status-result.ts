/** What cluster_status answers: the report for one cluster (or namespace), with caveats and cost. */

import type { StatusReport } from './status-report.ts';

export interface ClusterStatusResult {
  /** Kubeconfig context the status is for. */
  cluster: string;
  namespace?: string;
  report: StatusReport;
  /** Parts that could not be read (RBAC) and other caveats. */
  notes: string[];
  /** Set when the requested namespace does not exist; `closest` are suggestions. */
  namespaceNotFound?: { closest: string[] };
  /** The namespace exists but holds no pods, workloads or recent warnings. */
  empty?: boolean;
  /** API pages read, and wall time in ms. */
  pages: number;
  durationMs: number;
}
