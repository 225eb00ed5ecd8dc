import { own } from '../../tools/shared/lookup.ts';
import { AppError } from '../errors.ts';
import { closest } from '../ops/args.ts';
import type { TeamConfig } from '../team-config.ts';

export type Environment = TeamConfig['services'][string]['environments'][string];

export interface Target {
  service: string;
  environment: string;
  env: Environment;
  repo?: string;
}

/** Finds a service's environment in the team file, or says what exists instead. */
export function resolveTarget(team: TeamConfig, service: string, environment: string): Target {
  const names = Object.keys(team.services);
  const svc = own(team.services, service);
  if (!svc) {
    if (!names.length) {
      throw new AppError({
        code: 'no_catalog',
        userMessage:
          'No services are configured. Add them under `services:` in the team file (see shipmate.example.yml).',
      });
    }
    const guess = closest(service, names);
    throw new AppError({
      code: 'unknown_service',
      userMessage: `Unknown service \`${service}\`.${guess.length ? ` Did you mean \`${guess[0]}\`?` : ''} Services: ${names.map((n) => `\`${n}\``).join(', ')}.`,
    });
  }
  const envs = Object.keys(svc.environments);
  const env = own(svc.environments, environment);
  if (!env) {
    throw new AppError({
      code: 'unknown_environment',
      userMessage: `\`${service}\` has no environment \`${environment}\`; it has ${envs.map((n) => `\`${n}\``).join(', ')}.`,
    });
  }
  return { service, environment, env, repo: svc.repo };
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_REF =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\.[a-z0-9-]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** The repository part of an image reference (no tag, no digest; a registry port is kept). */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * A version is a tag applied to the container's current image repository (`1.5.0`, `v2`, `sha-3f9a2c`),
 * or a full image reference (`registry.example.com/checkout:1.5.0`, `…@sha256:…`).
 */
export function resolveImage(version: string, currentImage: string): string {
  if (version.includes('/') || version.includes('@')) {
    if (!IMAGE_REF.test(version)) {
      throw new AppError({
        code: 'bad_image',
        userMessage: `\`${version}\` is not a valid image reference. Give a tag like \`1.5.0\`, or a full reference like \`registry.example.com/checkout:1.5.0\`.`,
      });
    }
    return version;
  }
  if (!TAG.test(version)) {
    throw new AppError({
      code: 'bad_tag',
      userMessage: `\`${version}\` is not a valid image tag (letters, digits, _ . -; at most 128). Example: \`1.5.0\`.`,
    });
  }
  return `${imageRepository(currentImage)}:${version}`;
}
