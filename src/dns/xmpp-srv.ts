/**
 * Resolving an XMPP domain the way a server does: RFC 6120 §3.2 with the
 * XEP-0368 merge of `_xmpps-` and `_xmpp-` records and the fallback to the
 * domain itself on the standard port.
 */
import { answerRecords, conclusive, type DnsClient, type DnsResponse } from './client.js';
import { isDecline, orderSrv, STANDARD_PORT, tlsModeOf, type XmppService } from './srv.js';

export interface XmppTarget {
  service: XmppService;
  host: string;
  port: number;
  priority: number;
  weight: number;
  tls: 'starttls' | 'direct';
  /** True for the domain:5269 fallback used when no SRV record exists. */
  fallback: boolean;
}

export interface TargetsResult {
  targets: XmppTarget[];
  responses: DnsResponse[];
  /** An SRV question got no conclusive answer: the list may be incomplete. */
  failed: boolean;
}

export function srvName(service: XmppService, domain: string): string {
  return `_${service}._tcp.${domain}`;
}

export async function resolveTargets(
  client: DnsClient,
  domain: string,
  kind: 'server' | 'client' = 'server',
  opts: { random?: () => number } = {},
): Promise<TargetsResult> {
  const plain: XmppService = kind === 'server' ? 'xmpp-server' : 'xmpp-client';
  const direct: XmppService = kind === 'server' ? 'xmpps-server' : 'xmpps-client';
  const [rPlain, rDirect] = await Promise.all([client.query(srvName(plain, domain), 'SRV'), client.query(srvName(direct, domain), 'SRV')]);
  const failed = !conclusive(rPlain) || !conclusive(rDirect);
  const srv = (r: DnsResponse, service: XmppService) =>
    answerRecords(r, 'SRV')
      .records.map((x) => ({ service, host: x.target ?? '', port: x.port ?? 0, priority: x.priority ?? 0, weight: x.weight ?? 0, tls: tlsModeOf(service), fallback: false }));
  const plainRecs = srv(rPlain, plain);
  const directRecs = srv(rDirect, direct);
  // A lone "." target declines the service; for _xmpp-server it also forbids the fallback.
  const plainDeclined = plainRecs.length > 0 && plainRecs.every((r) => isDecline({ target: r.host }));
  const usable = [...plainRecs, ...directRecs].filter((r) => !isDecline({ target: r.host }));
  const targets: XmppTarget[] = orderSrv(usable, opts.random);
  // RFC 6120 §3.2.2 fallback, unless "." declined the service; a lone "." for direct TLS only means
  // "use the STARTTLS records" (XEP-0368), so it does not prevent it.
  if (targets.length === 0 && !plainDeclined && !failed && directRecs.every((r) => isDecline({ target: r.host }))) {
    targets.push({ service: plain, host: domain, port: STANDARD_PORT[plain]!, priority: 0, weight: 0, tls: 'starttls', fallback: true });
  }
  return { targets, responses: [rPlain, rDirect], failed };
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
  ttl: number;
}

export interface AddressesResult {
  addresses: ResolvedAddress[];
  responses: DnsResponse[];
  /** CNAME records seen on the way (the owner `host` is an alias). */
  cnames: string[];
}

/** A and AAAA of a host, in parallel; IPv6 first as a happy-eyeballs client would try. */
export async function resolveAddresses(client: DnsClient, host: string): Promise<AddressesResult> {
  const [a, aaaa] = await Promise.all([client.query(host, 'A'), client.query(host, 'AAAA')]);
  const addresses: ResolvedAddress[] = [];
  const cnames = new Set<string>();
  for (const [r, type, family] of [[aaaa, 'AAAA', 6], [a, 'A', 4]] as const) {
    const { records, aliases } = answerRecords(r, type);
    for (const rec of records) if (rec.address) addresses.push({ address: rec.address, family, ttl: rec.ttl });
    for (const alias of aliases) cnames.add(alias);
  }
  return { addresses, responses: [a, aaaa], cnames: [...cnames] };
}
