import { execFileSync } from 'node:child_process';
import { deploymentObjects, emptyObjects, startFakeKube } from './test/support/fake-kube.ts';
const objs = deploymentObjects({ namespace: 'shop', name: 'web', replicas: 3 }, emptyObjects());
const fake = await startFakeKube({ objects: objs, rolloutTickMs: 100 });
const k = (...a: string[]) => {
  try { return execFileSync('kubectl', ['--kubeconfig', fake.kubeconfigPath, '-n', 'shop', ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); }
  catch (e: any) { return `ERR ${e.status}: ${e.stderr}${e.stdout}`; }
};
console.log(k('set', 'image', 'deployment/web', 'app=registry.example.com/shop/web:2.0.0'));
console.log(k('rollout', 'status', 'deployment/web', '--timeout=20s'));
console.log(k('get', 'rs', '-o', 'wide'));
console.log(k('rollout', 'history', 'deployment/web'));
console.log(k('set', 'image', 'deployment/web', 'app=Registry/Web:1', '--dry-run=server'));
console.log(k('set', 'image', 'deployment/web', 'app=registry.example.com/shop/web:broken'));
console.log(k('rollout', 'status', 'deployment/web', '--timeout=20s'));
console.log(k('get', 'pods'));
console.log(k('rollout', 'undo', 'deployment/web'));
await fake.close();
