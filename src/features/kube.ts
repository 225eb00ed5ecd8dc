import { clusterStatus } from '../../tools/cluster-status.ts';
import { KUBE_ACTION_IDS } from '../../tools/shared/kube/command-args.ts';
import { workloadDetails } from '../../tools/workload-details.ts';
import { clusterSection } from '../digests/sections/cluster.ts';
import { toolCommand } from '../ops/tool-command.ts';
import { defineFeature } from './feature.ts';

/** Kubernetes reads: `/ops status` (cluster_status) and `/ops logs` (workload_details), their buttons, the digests' `cluster` section. */
export const kube = defineFeature({
  name: 'kube',
  needs: ['queue', 'ports'],
  actions: Object.values(KUBE_ACTION_IDS),
  build: ({ queue, ports }) => ({
    tools: [clusterStatus, workloadDetails] as never[],
    commands: [
      toolCommand(clusterStatus, { enqueue: queue.enqueue, ports }),
      toolCommand(workloadDetails, { enqueue: queue.enqueue, ports }),
    ],
    digestSections: [clusterSection(ports)],
  }),
});
