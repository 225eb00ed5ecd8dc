import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { teamConfigSchema } from '../../src/team-config.ts';

/**
 * deploy/kubernetes rendered by the real `kubectl kustomize` (.ci/run installs Debian's
 * kubernetes-client when kubectl is missing) and read back with `yaml`.
 */
interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}
interface Deployment extends K8sObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { spec: PodSpec } };
}

async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join('deploy/kubernetes', dir)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}

const find = <T extends K8sObject>(objs: K8sObject[], kind: string, name: string): T => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name.startsWith(name));
  if (!o)
    throw new Error(`no ${kind} ${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o as T;
};

/** "group resource verb" triples, sorted — the comparable form of RBAC rules. */
const triples = (rules: Rule[]) =>
  [
    ...new Set(
      rules.flatMap((r) =>
        r.apiGroups.flatMap((g) =>
          r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'} ${res} ${v}`)),
        ),
      ),
    ),
  ].sort();

/**
 * The Kubernetes API calls a set of client files makes, as triples: the SDK's
 * `c.core|apps.<verb>[Namespaced]<Kind>[ForAllNamespaces](` calls, plus raw watch URLs
 * (`/apis/<group>/v1/namespaces/…/<resource>` with `watch=1`).
 */
function callsIn(files: string[]): string[] {
  const verbs: Record<string, string> = {
    list: 'list',
    read: 'get',
    patch: 'patch',
    create: 'create',
    delete: 'delete',
    replace: 'update',
  };
  const out = new Set<string>();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(
      /\bc\.(core|apps)\.(list|read|patch|create|delete|replace)(Namespaced)?(\w+?)(ForAllNamespaces)?\(/g,
    )) {
      const [, api = '', verb = '', , kind = ''] = m;
      const resource = kind === 'PodLog' ? 'pods/log' : `${kind.toLowerCase()}s`;
      out.add(`${api} ${resource} ${verbs[verb]}`);
    }
    if (/searchParams\.set\('watch'/.test(src)) {
      for (const m of src.matchAll(/\/apis?\/(?:(\w+)\/)?v1\/namespaces\/\$\{[^}]+\}\/(\w+)/g)) {
        out.add(`${m[1] ?? 'core'} ${m[2]} watch`);
      }
    }
  }
  return [...out].sort();
}

const clientFiles = readdirSync('src/clients')
  .filter((f) => f.startsWith('kube') && f.endsWith('.ts'))
  .map((f) => join('src/clients', f));
const deployFiles = clientFiles.filter((f) => /kube-deploy/.test(f));
const readFiles = clientFiles.filter((f) => !deployFiles.includes(f));

let base: K8sObject[];
let access: K8sObject[];
let example: K8sObject[];
beforeAll(async () => {
  [base, access, example] = await Promise.all([
    render('base'),
    render('deploy-access'),
    render('overlays/example'),
  ]);
});

describe('the RBAC rules are exactly what the code calls', () => {
  it('finds the calls (the derivation itself works)', () => {
    expect(callsIn(readFiles)).toContain('core pods/log get');
    expect(callsIn(deployFiles)).toEqual(
      expect.arrayContaining(['apps deployments patch', 'apps deployments watch']),
    );
  });

  it('the ClusterRole grants exactly the read client’s calls', () => {
    const role = find<K8sObject & { rules: Rule[] }>(base, 'ClusterRole', 'shipmate-read');
    expect(triples(role.rules)).toEqual(callsIn(readFiles));
  });

  it('the namespaced Role grants exactly what deploys call beyond those reads', () => {
    const reads = new Set(callsIn(readFiles));
    const role = find<K8sObject & { rules: Rule[] }>(access, 'Role', 'shipmate-deploy');
    expect(triples(role.rules)).toEqual(callsIn(deployFiles).filter((t) => !reads.has(t)));
    expect(access.map((o) => o.kind).sort()).toEqual(['Role', 'RoleBinding']);
  });

  it('binds both to the service account, the Role per deploy namespace in the overlay', () => {
    const sa = find(base, 'ServiceAccount', 'shipmate');
    const crb = find<K8sObject & { subjects: { kind: string; name: string; namespace: string }[] }>(
      base,
      'ClusterRoleBinding',
      'shipmate-read',
    );
    expect(crb.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'shipmate', namespace: sa.metadata.namespace },
    ]);
    const bindings = example.filter((o) => o.kind === 'RoleBinding') as (K8sObject & {
      subjects: unknown[];
      roleRef: { kind: string; name: string };
    })[];
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(['prod', 'staging']);
    for (const b of bindings) {
      expect(b.roleRef).toMatchObject({ kind: 'Role', name: 'shipmate-deploy' });
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'shipmate', namespace: 'shipmate' }]);
    }
    // The bot's own namespace gets no deploy access: it cannot patch itself.
    expect(example.filter((o) => o.kind === 'Role').map((r) => r.metadata.namespace)).not.toContain(
      'shipmate',
    );
  });
});

describe('the workloads', () => {
  const deployments = () =>
    ['shipmate-web', 'shipmate-worker'].map((n) => find<Deployment>(base, 'Deployment', n));

  it('web runs 2 replicas with /readyz readiness and /healthz liveness, under a PodDisruptionBudget', () => {
    const web = find<Deployment>(base, 'Deployment', 'shipmate-web');
    expect(web.spec.replicas).toBe(2);
    const c = web.spec.template.spec.containers[0];
    expect(c?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c?.livenessProbe?.httpGet?.path).toBe('/healthz');
    const pdb = find<K8sObject & { spec: { minAvailable?: number; selector: { matchLabels: object } } }>(
      base,
      'PodDisruptionBudget',
      'shipmate-web',
    );
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.selector.matchLabels).toEqual(web.spec.selector.matchLabels);
    const svc = find<K8sObject & { spec: { selector: object } }>(base, 'Service', 'shipmate-web');
    expect(svc.spec.selector).toEqual(web.spec.selector.matchLabels);
  });

  it('each Deployment runs its role with the image’s own command (no drift from `npm start`)', () => {
    const roles = deployments().map((d) => {
      const c = d.spec.template.spec.containers[0];
      expect(c?.command).toBeUndefined();
      expect(c?.args).toBeUndefined();
      return c?.env?.find((e) => e.name === 'SHIPMATE_ROLE')?.value;
    });
    expect(roles).toEqual(['web', 'worker']);
  });

  it('is locked down: non-root, no privilege escalation, all capabilities dropped, seccomp, read-only root', () => {
    for (const d of deployments()) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
        expect(c.securityContext?.privileged).not.toBe(true);
      }
    }
  });

  it('announces /metrics on the http port to Prometheus', () => {
    for (const d of deployments()) {
      const t = d.spec.template as unknown as { metadata: { annotations?: Record<string, string> } };
      const port = d.spec.template.spec.containers[0] as Container & {
        ports?: { name: string; containerPort: number }[];
      };
      expect(t.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/path': '/metrics',
      });
      expect(t.metadata.annotations?.['prometheus.io/port']).toBe(
        String(port.ports?.find((p) => p.name === 'http')?.containerPort),
      );
    }
  });

  it('sets requests and limits for CPU and memory', () => {
    for (const d of deployments())
      for (const c of d.spec.template.spec.containers) {
        expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
  });

  it('takes secrets from a Secret the user creates, and the team file from the ConfigMap', () => {
    expect(base.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const d of deployments()) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect(c?.envFrom).toEqual([{ secretRef: { name: 'shipmate-env' } }]);
      const path = c?.env?.find((e) => e.name === 'SHIPMATE_CONFIG')?.value ?? '';
      const mount = c?.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
      const vol = pod.volumes?.find((v) => v.name === mount?.name);
      const cm = find(base, 'ConfigMap', 'shipmate-team');
      expect(vol?.configMap?.name).toBe(cm.metadata.name);
    }
  });

  it('only the worker mounts the service account token (the web role never calls Kubernetes)', () => {
    const [web, worker] = deployments();
    expect(web?.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(worker?.spec.template.spec.automountServiceAccountToken).toBe(true);
    for (const d of deployments()) expect(d.spec.template.spec.serviceAccountName).toBe('shipmate');
  });
});

describe('the example overlay', () => {
  it('sets the image, and its team file is one Shipmate accepts', () => {
    for (const n of ['shipmate-web', 'shipmate-worker']) {
      const d = find<Deployment>(example, 'Deployment', n);
      expect(d.spec.template.spec.containers[0]?.image).toMatch(/^ghcr\.io\/acme\/shipmate:\d+\.\d+\.\d+$/);
    }
    for (const objs of [base, example]) {
      const cm = find<K8sObject & { data: Record<string, string> }>(objs, 'ConfigMap', 'shipmate-team');
      const team = teamConfigSchema.safeParse(
        parseAllDocuments(cm.data['shipmate.yml'] ?? '')[0]?.toJS() ?? {},
      );
      expect(team.error?.issues).toBeUndefined();
    }
    const team = find<K8sObject & { data: Record<string, string> }>(example, 'ConfigMap', 'shipmate-team');
    expect(team.data['shipmate.yml']).toContain('checkout');
    // Every namespace the team file deploys to has the deploy Role.
    const namespaces = [...(team.data['shipmate.yml'] ?? '').matchAll(/namespace:\s*(\S+)/g)].map(
      (m) => m[1],
    );
    const granted = example.filter((o) => o.kind === 'Role').map((r) => r.metadata.namespace);
    expect(new Set(namespaces)).toEqual(new Set(granted));
  });
});
