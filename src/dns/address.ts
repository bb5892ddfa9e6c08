/**
 * Address classes that must never be published in public DNS for federation:
 * RFC 1918, loopback, link-local, CGNAT (RFC 6598), ULA (RFC 4193), unspecified,
 * multicast. An IPv6 address that embeds an IPv4 one is classified by the embedded
 * address: IPv4-mapped `::ffff:0:0/96` (RFC 4291), IPv4-compatible `::/96`, IPv4-translated
 * `::ffff:0:0:0/96` (RFC 2765), NAT64 `64:ff9b::/96` (RFC 6052) and 6to4 `2002::/16` (RFC 3056).
 */
import { BlockList, SocketAddress } from 'node:net';
import { isIP } from '../core/ip.js';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'cgnat' | 'ula' | 'unspecified' | 'multicast';

const RANGES: Array<[AddressClass, string, number, 'ipv4' | 'ipv6']> = [
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['unspecified', '::', 128, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['ula', 'fc00::', 7, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const LISTS = RANGES.map(([cls, net, prefix, type]) => {
  const bl = new BlockList();
  bl.addSubnet(net, prefix, type);
  return [cls, bl, type] as const;
});

/** The eight 16-bit groups of an IPv6 address in text form (with or without a dotted-quad tail). */
export function ipv6Groups(text: string): number[] | undefined {
  let s = text.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const b = quad.slice(1).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    s = `${s.slice(0, quad.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const part = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return groups.some(Number.isNaN) ? undefined : groups;
}

/** The IPv4 address an IPv6 address embeds, for the forms that carry one; undefined otherwise. */
export function embeddedIpv4(address: string): string | undefined {
  // Cheap test first (most addresses carry nothing): every form above starts with one of these.
  const a = address.toLowerCase();
  if (!a.startsWith('::') && !a.startsWith('0:') && !a.startsWith('64:ff9b:') && !a.startsWith('2002:')) return undefined;
  const g = ipv6Groups(a);
  if (!g) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated).
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!);
  // ::a.b.c.d (IPv4-compatible, deprecated), but not :: and ::1 themselves.
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix).
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!);
  // 2002:AABB:CCDD::/48 (6to4).
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return undefined;
}

export function classifyAddress(address: string): AddressClass {
  let a = address.toLowerCase();
  let fam = isIP(a);
  if (fam === 6) {
    const inner = embeddedIpv4(a);
    if (inner) {
      a = inner;
      fam = 4;
    }
  }
  if (fam === 0) return 'public';
  // One parsed address for all the lists (check() with a string parses it every time).
  const sa = new SocketAddress({ address: a, family: fam === 4 ? 'ipv4' : 'ipv6' });
  for (const [cls, bl, type] of LISTS) {
    if ((type === 'ipv4') === (fam === 4) && bl.check(sa)) return cls;
  }
  return 'public';
}
