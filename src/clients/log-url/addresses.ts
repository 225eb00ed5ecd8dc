/**
 * Which IP addresses are not the public internet: what a log URL may reach only through an exact
 * `ci.log_hosts` entry (hosts.ts). Node's own BlockList does the matching (it also matches IPv4
 * ranges against IPv4-mapped IPv6 addresses, `::ffff:127.0.0.1`); the ranges are IANA's special-purpose
 * registries, by what they are called in answers.
 */

import { BlockList, isIP } from 'node:net';

const RANGES: ReadonlyArray<readonly [what: string, net: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['an unspecified ("this host")', '0.0.0.0', 8, 'ipv4'],
  ['a private', '10.0.0.0', 8, 'ipv4'],
  ['a carrier-grade NAT (shared)', '100.64.0.0', 10, 'ipv4'],
  ['a loopback', '127.0.0.0', 8, 'ipv4'],
  ['a link-local (cloud metadata)', '169.254.0.0', 16, 'ipv4'],
  ['a private', '172.16.0.0', 12, 'ipv4'],
  ['an IETF protocol', '192.0.0.0', 24, 'ipv4'],
  ['a documentation', '192.0.2.0', 24, 'ipv4'],
  ['a relay', '192.88.99.0', 24, 'ipv4'],
  ['a private', '192.168.0.0', 16, 'ipv4'],
  ['a benchmarking', '198.18.0.0', 15, 'ipv4'],
  ['a documentation', '198.51.100.0', 24, 'ipv4'],
  ['a documentation', '203.0.113.0', 24, 'ipv4'],
  ['a multicast', '224.0.0.0', 4, 'ipv4'],
  ['a reserved', '240.0.0.0', 4, 'ipv4'],
  ['an unspecified', '::', 128, 'ipv6'],
  ['a loopback', '::1', 128, 'ipv6'],
  ['an IPv4-compatible', '::', 96, 'ipv6'],
  ['a NAT64', '64:ff9b::', 96, 'ipv6'],
  ['a NAT64', '64:ff9b:1::', 48, 'ipv6'],
  ['a discard', '100::', 64, 'ipv6'],
  ['an IETF protocol (Teredo)', '2001::', 23, 'ipv6'],
  ['a documentation', '2001:db8::', 32, 'ipv6'],
  ['a 6to4', '2002::', 16, 'ipv6'],
  ['a unique-local (private)', 'fc00::', 7, 'ipv6'],
  ['a link-local', 'fe80::', 10, 'ipv6'],
  ['a site-local', 'fec0::', 10, 'ipv6'],
  ['a multicast', 'ff00::', 8, 'ipv6'],
];

/** One BlockList per range, in order, so an answer can say which kind an address is. */
const LISTS = RANGES.map(([what, net, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { what, list };
});

/** `::ffff:7f00:1` → `127.0.0.1`; anything else unchanged. */
function unmapped(ip: string): string {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return ip;
  if (m[1]) return m[1];
  const hi = Number.parseInt(m[2] ?? '0', 16);
  const lo = Number.parseInt(m[3] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * What kind of non-public address `ip` is (`a loopback`, `a link-local (cloud metadata)`, …), or
 * undefined for a public address. Not an address at all counts as non-public (`not an IP`).
 */
export function specialAddress(ip: string): string | undefined {
  const addr = unmapped(ip);
  const family = isIP(addr);
  if (family === 0) return 'not an IP';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return LISTS.find((l) => l.list.check(addr, type))?.what;
}

/** Link-local (169.254/16, fe80::/10, also IPv4-mapped): where clouds serve instance metadata and credentials. */
export function isLinkLocal(ip: string): boolean {
  return specialAddress(ip)?.startsWith('a link-local') ?? false;
}
