/**
 * check-dns observation: asks DNS every question check-dns needs for one domain and returns
 * plain facts (facts.ts). No judgement here: evaluate.ts turns the facts into findings.
 */
import { isIP } from '../core/ip.js';
import { answerRecords, conclusive, type DnsClient, type DnsResponse } from './client.js';
import { classifyAddress } from './address.js';
import type { DomainName } from './names.js';
import { isDecline, rankSrv, tlsModeOf, type XmppService } from './srv.js';
import { resolveAddresses, srvName } from './xmpp-srv.js';
import type { AddressInfo, DnsFacts, QueryLog, ServiceInfo, SrvEntry } from './facts.js';
import { askValidating, observeDnssec, observeTlsa } from './dnssec.js';

export interface ObserveDnsOptions {
  client: DnsClient;
  includeClient?: boolean;
}

function log(r: DnsResponse): QueryLog {
  const q: QueryLog = {
    name: r.name,
    type: r.type,
    rcode: r.rcode,
    resolver: r.resolver,
    transport: r.transport,
    truncated: r.truncated,
    authoritative: r.authoritative,
    authenticated: r.authenticated,
    ms: r.ms,
    records: r.records.map(({ name, type, ttl, data }) => ({ name, type, ttl, data })),
  };
  if (r.error) q.error = r.error;
  return q;
}

function addrInfo(a: { address: string; family: 4 | 6; ttl: number }): AddressInfo {
  return { ...a, class: classifyAddress(a.address) };
}

function serviceInfo(service: XmppService, domain: string, r: DnsResponse): ServiceInfo {
  const { records: srv, aliases } = answerRecords(r, 'SRV');
  const records: SrvEntry[] = srv.map((x) => ({
    service,
    target: x.target || '.',
    port: x.port ?? 0,
    priority: x.priority ?? 0,
    weight: x.weight ?? 0,
    ttl: x.ttl,
    tls: tlsModeOf(service),
    rank: 0,
    share: 0,
    addresses: [],
    resolvable: null,
  }));
  return { service, name: srvName(service, domain), rcode: r.rcode, records, ...(aliases.length ? { aliases } : {}) };
}

/** Resolves every SRV target once and attaches its addresses to the entries; returns the responses. */
async function resolveSrvTargets(client: DnsClient, infos: ServiceInfo[]): Promise<DnsResponse[]> {
  const entries = infos.flatMap((s) => s.records);
  const targets = [...new Set(entries.filter((e) => !isDecline(e) && !isIP(e.target)).map((e) => e.target))];
  const resolved = await Promise.all(targets.map((t) => resolveAddresses(client, t)));
  const byTarget = new Map(targets.map((t, i) => [t, resolved[i]!]));
  for (const e of entries) {
    const res = byTarget.get(e.target);
    if (!res) continue;
    e.addresses = res.addresses.map(addrInfo);
    if (res.cnames.length) e.cname = res.cnames.map((c) => c.split(' -> ')[1] ?? c).reduce((chain, t) => `${chain} -> ${t}`, e.target);
    e.resolvable = e.addresses.length > 0 ? true : res.responses.every(conclusive) ? false : null;
  }
  return resolved.flatMap((r) => r.responses);
}

/** Asks DNS everything check-dns needs for one domain. */
export async function observeDns(domain: DomainName, opts: ObserveDnsOptions): Promise<DnsFacts> {
  const { client } = opts;
  const services: XmppService[] = ['xmpp-server', 'xmpps-server', ...(opts.includeClient ? (['xmpp-client', 'xmpps-client'] as const) : [])];
  const d = domain.ascii;
  // Once per client (cached): does the resolver validate? Asked alongside the domain's questions.
  const validating = askValidating(client);
  const [srvResponses, domainAddrs] = await Promise.all([Promise.all(services.map((s) => client.query(srvName(s, d), 'SRV'))), resolveAddresses(client, d)]);
  const infos = services.map((service, i) => serviceInfo(service, d, srvResponses[i]!));

  // Rank server and client sets separately, each merged per XEP-0368.
  for (const kind of ['server', 'client']) {
    const entries = infos.filter((s) => s.service.endsWith(kind)).flatMap((s) => s.records.filter((e) => !isDecline(e)));
    for (const { record, rank, share } of rankSrv(entries)) Object.assign(record, { rank, share });
  }
  const [targetResponses, tlsa] = await Promise.all([resolveSrvTargets(client, infos), observeTlsa(client, infos, srvResponses)]);
  const responses = dedupe([...srvResponses, ...domainAddrs.responses, ...targetResponses, ...tlsa.responses]);
  const dnssec = await observeDnssec(client, validating, responses);

  const domainRcode = domainAddrs.responses.some((r) => r.rcode === 'NXDOMAIN')
    ? 'NXDOMAIN'
    : (domainAddrs.responses.find((r) => !conclusive(r))?.rcode ?? 'NOERROR');
  return {
    domain: d,
    unicode: domain.unicode,
    resolver: client.describe(),
    services: infos,
    domainAddresses: domainAddrs.addresses.map(addrInfo),
    domainRcode,
    queries: responses.map(log),
    dnssec,
    tlsa: tlsa.tlsa,
  };
}

function dedupe(rs: DnsResponse[]): DnsResponse[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const k = `${r.name}|${r.type}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
