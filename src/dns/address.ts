/**
 * Address classes that must never be published in public DNS for federation:
 * RFC 1918, loopback, link-local, CGNAT (RFC 6598), ULA (RFC 4193), unspecified,
 * multicast. An IPv6 address that embeds an IPv4 one is classified by the embedded
 * address: IPv4-mapped `::ffff:0:0/96` (RFC 4291), IPv4-compatible `::/96`, IPv4-translated
 * `::ffff:0:0:0/96` (RFC 2765), NAT64 `64:ff9b::/96` (RFC 6052) and 6to4 `2002::/16` (RFC 3056).
 */
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

/** The ranges as 16-bit groups and prefix lengths (an IPv4 address is two groups). */
const PREFIXES = RANGES.map(([cls, net, prefix, type]) => [cls, type === 'ipv4' ? ipv4Groups(net)! : ipv6Groups(net)!, prefix, type] as const);

/** The two 16-bit groups of a dotted-quad IPv4 address (validated by isIP before). */
function ipv4Groups(text: string): number[] | undefined {
  const b = text.split('.').map(Number);
  return b.length === 4 ? [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!] : undefined;
}

/** Whether `groups` start with the first `prefix` bits of `net`. */
function inPrefix(groups: readonly number[], net: readonly number[], prefix: number): boolean {
  for (let i = 0, bits = prefix; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((groups[i]! ^ net[i]!) & mask) !== 0) return false;
  }
  return true;
}

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
  const part = (h: string) => (h === '' ? [] : h.split(':').map(hexGroup));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return groups.some(Number.isNaN) ? undefined : groups;
}

/** One group of 1 to 4 lower-case hex digits, or NaN. */
function hexGroup(g: string): number {
  if (g.length === 0 || g.length > 4) return NaN;
  let v = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return NaN;
    v = v * 16 + d;
  }
  return v;
}

/**
 * The two 16-bit groups of a dotted-quad IPv4 address, exactly as strict as net.isIP (four
 * decimal octets up to 255, no leading zeros), or undefined for anything else.
 */
function strictIpv4Groups(a: string): number[] | undefined {
  const b = [0, 0, 0, 0];
  let part = 0;
  let digits = 0;
  for (let i = 0; i <= a.length; i++) {
    const c = i < a.length ? a.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return undefined;
      if (++part > 4 || (part === 4 && i !== a.length)) return undefined;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57 || (digits === 1 && b[part] === 0)) return undefined;
    b[part] = b[part]! * 10 + (c - 48);
    if (++digits > 3 || b[part]! > 255) return undefined;
  }
  return part === 4 ? [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!] : undefined;
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
  // Most addresses are dotted quads: parsed by hand (net.isIP's regex costs more than the rest).
  const v4 = strictIpv4Groups(address);
  if (v4) return classifyGroups(v4, 4);
  if (!address.includes(':')) return 'public';
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
  // Plain arithmetic on the 16-bit groups (a net.BlockList check costs a SocketAddress per address).
  const groups = fam === 4 ? ipv4Groups(a) : ipv6Groups(a);
  return groups ? classifyGroups(groups, fam) : 'public';
}

function classifyGroups(groups: readonly number[], fam: number): AddressClass {
  for (const [cls, net, prefix, type] of PREFIXES) {
    if ((type === 'ipv4') === (fam === 4) && inPrefix(groups, net, prefix)) return cls;
  }
  return 'public';
}
