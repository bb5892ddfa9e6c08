/**
 * Address classes that must never be published in public DNS for federation:
 * RFC 1918, loopback, link-local, CGNAT (RFC 6598), ULA (RFC 4193), unspecified,
 * and their IPv4-mapped IPv6 forms.
 */
import { BlockList, isIP, SocketAddress } from 'node:net';

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

export function classifyAddress(address: string): AddressClass {
  let a = address.toLowerCase();
  let fam = isIP(a);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) {
    a = mapped[1]!;
    fam = 4;
  }
  if (fam === 0) return 'public';
  // One parsed address for all the lists (check() with a string parses it every time).
  const sa = new SocketAddress({ address: a, family: fam === 4 ? 'ipv4' : 'ipv6' });
  for (const [cls, bl, type] of LISTS) {
    if ((type === 'ipv4') === (fam === 4) && bl.check(sa)) return cls;
  }
  return 'public';
}
