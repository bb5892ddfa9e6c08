/**
 * `xfed check-dns`: collects what DNS says about a domain's federation records
 * (observe), then turns it into findings (evaluate, pure and unit-tested).
 */
import { finding, targetResult, type Evidence, type Finding, type Severity, type TargetResult } from '../core/result.js';
import { answerRecords, conclusive, type DnsClient, type DnsRecord, type DnsResponse } from './client.js';
import { classifyAddress, type AddressClass } from './address.js';
import { isIP } from 'node:net';
import { mapPool } from '../core/pool.js';
import type { DomainName } from './names.js';
import { isDecline, rankSrv, STANDARD_PORT, tlsModeOf, type SrvRecord, type XmppService } from './srv.js';
import { resolveAddresses, srvName } from './xmpp-srv.js';

const RFC2782 = 'https://www.rfc-editor.org/rfc/rfc2782';
const RFC6120_DNS = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const XEP0368 = 'https://xmpp.org/extensions/xep-0368.html';
const CISCO_FED =
  'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html';

export interface QueryLog {
  name: string;
  type: string;
  rcode: string;
  resolver: string;
  transport: string;
  truncated: boolean;
  authoritative: boolean;
  ms: number;
  records: Array<Pick<DnsRecord, 'name' | 'type' | 'ttl' | 'data'>>;
  error?: string;
}

export interface AddressInfo {
  address: string;
  family: 4 | 6;
  ttl: number;
  class: AddressClass;
}

/** One SRV record as check-dns reports it: the record, its place in the order, its addresses. */
export interface SrvEntry extends SrvRecord {
  tls: 'starttls' | 'direct';
  /** 1-based position in the merged (XEP-0368) expected order; 0 for a "." record. */
  rank: number;
  /** Chance of being tried first within its priority. */
  share: number;
  /** `alias -> canonical` when the target is a CNAME (RFC 2782 forbids it). */
  cname?: string;
  addresses: AddressInfo[];
  /** false: the target has no A/AAAA; null: could not tell (resolver failure) or not applicable. */
  resolvable: boolean | null;
}

export interface ServiceInfo {
  service: XmppService;
  name: string;
  rcode: string;
  records: SrvEntry[];
  /** CNAMEs followed from the SRV name itself (`alias -> canonical`), when it is an alias. */
  aliases?: string[];
}

export interface DnsSection {
  domain: string;
  unicode: string;
  resolver: string;
  services: ServiceInfo[];
  /** The domain's own A/AAAA: what peers use when no SRV record exists. */
  domainAddresses: AddressInfo[];
  domainRcode: string;
  queries: QueryLog[];
}

export interface CheckDnsOptions {
  client: DnsClient;
  includeClient?: boolean;
  allowPrivate?: boolean;
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
    ms: r.ms,
    records: r.records.map(({ name, type, ttl, data }) => ({ name, type, ttl, data })),
  };
  if (r.error) q.error = r.error;
  return q;
}

function addrInfo(a: { address: string; family: 4 | 6; ttl: number }): AddressInfo {
  return { ...a, class: classifyAddress(a.address) };
}

/** Asks DNS everything check-dns needs for one domain. */
export async function observeDomain(domain: DomainName, opts: CheckDnsOptions): Promise<DnsSection> {
  const { client } = opts;
  const services: XmppService[] = ['xmpp-server', 'xmpps-server', ...(opts.includeClient ? (['xmpp-client', 'xmpps-client'] as const) : [])];
  const d = domain.ascii;
  const [srvResponses, domainAddrs] = await Promise.all([Promise.all(services.map((s) => client.query(srvName(s, d), 'SRV'))), resolveAddresses(client, d)]);
  const responses: DnsResponse[] = [...srvResponses, ...domainAddrs.responses];

  const infos: ServiceInfo[] = services.map((service, i) => {
    const r = srvResponses[i]!;
    const name = srvName(service, d);
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
    return { service, name, rcode: r.rcode, records, ...(aliases.length ? { aliases } : {}) };
  });

  // Rank server and client sets separately, each merged per XEP-0368.
  for (const kind of ['server', 'client']) {
    const entries = infos.filter((s) => s.service.endsWith(kind)).flatMap((s) => s.records.filter((e) => !isDecline(e)));
    for (const { record, rank, share } of rankSrv(entries)) Object.assign(record, { rank, share });
  }

  const targets = [...new Set(infos.flatMap((s) => s.records).filter((e) => !isDecline(e) && !isIP(e.target)).map((e) => e.target))];
  const resolved = await Promise.all(targets.map((t) => resolveAddresses(client, t)));
  const byTarget = new Map(targets.map((t, i) => [t, resolved[i]!]));
  for (const res of resolved) responses.push(...res.responses);
  for (const e of infos.flatMap((s) => s.records)) {
    const res = byTarget.get(e.target);
    if (!res) continue;
    e.addresses = res.addresses.map(addrInfo);
    if (res.cnames.length) e.cname = res.cnames.map((c) => c.split(' -> ')[1]).reduce((chain, t) => `${chain} -> ${t}`, e.target);
    e.resolvable = e.addresses.length > 0 ? true : res.responses.every(conclusive) ? false : null;
  }

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
    queries: dedupe(responses).map(log),
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

function srvText(e: SrvEntry, domain: string): string {
  return `${srvName(e.service, domain)}. ${e.ttl} IN SRV ${e.priority} ${e.weight} ${e.port} ${e.target === '.' ? '.' : `${e.target}.`}`;
}

function srvEvidence(e: SrvEntry, domain: string, source: string): Evidence {
  return { label: 'SRV', value: srvText(e, domain), source };
}

function addrText(a: AddressInfo): string {
  return `${a.address} (${a.class}${a.family === 6 ? ', IPv6' : ''}, TTL ${a.ttl})`;
}

/** Turns observations into findings. Pure: the same section always gives the same findings. */
export function evaluateDns(s: DnsSection, opts: { allowPrivate?: boolean; includeClient?: boolean } = {}): Finding[] {
  const out: Finding[] = [];
  const target = s.domain;
  const src = s.resolver;
  const add = (f: Omit<Parameters<typeof finding>[0], 'target'>) => out.push(finding({ phase: 'dns', ...f, target }));

  const failed = s.queries.filter((q) => !conclusive(q));
  if (failed.length) {
    add({
      id: 'dns.resolver.failed',
      severity: 'error',
      title: `${failed.length} DNS question${failed.length === 1 ? '' : 's'} got no usable answer (${[...new Set(failed.map((q) => q.rcode))].join(', ')})`,
      detail: 'xfed could not tell what these records contain; nothing is reported missing because of this. Federation peers asking the same resolvers would fail the same way.',
      evidence: failed.map((q) => ({ label: `${q.type} ${q.name}`, value: `${q.rcode}${q.error ? `: ${q.error}` : ''}`, source: q.resolver })),
      fix: 'Check that the resolver is reachable and answers for this zone (try another with --resolver, or --tcp); a SERVFAIL usually means the zone\'s authoritative servers are unreachable or DNSSEC validation fails.',
      references: ['https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1'],
    });
  }
  const truncated = s.queries.filter((q) => q.truncated);
  if (truncated.length) {
    add({
      id: 'dns.response.truncated',
      severity: 'info',
      title: 'Some answers did not fit in UDP and were fetched again over TCP',
      detail: 'The TC bit was set. Peers must be able to reach the nameservers over TCP port 53 too.',
      evidence: truncated.map((q) => ({ label: `${q.type} ${q.name}`, value: 'TC=1, retried over TCP', source: q.resolver })),
    });
  }

  if (s.domainRcode === 'NXDOMAIN') {
    add({
      id: 'dns.domain.nxdomain',
      severity: 'error',
      title: `${s.unicode} does not exist in DNS (NXDOMAIN)`,
      detail: 'Peers cannot find anything for this domain, so they cannot federate with it.',
      evidence: s.queries.filter((q) => q.rcode === 'NXDOMAIN').map((q) => ({ label: `${q.type} ${q.name}`, value: 'NXDOMAIN', source: q.resolver })),
      fix: 'Check the spelling; if the domain is right, register it or publish its zone in public DNS.',
    });
    return out;
  }

  for (const kind of ['server', 'client'] as const) {
    if (kind === 'client' && !opts.includeClient) continue;
    evaluateKind(s, kind, add, src, opts);
  }
  return out;
}

type Add = (f: Omit<Parameters<typeof finding>[0], 'target'>) => void;

function evaluateKind(s: DnsSection, kind: 'server' | 'client', add: Add, src: string, opts: { allowPrivate?: boolean }): void {
  const plainName: XmppService = kind === 'server' ? 'xmpp-server' : 'xmpp-client';
  const directName: XmppService = kind === 'server' ? 'xmpps-server' : 'xmpps-client';
  const plain = s.services.find((x) => x.service === plainName);
  const direct = s.services.find((x) => x.service === directName);
  if (!plain || !direct) return;
  const stdPort = STANDARD_PORT[plainName]!;
  const plainOk = conclusive(plain);
  const directOk = conclusive(direct);
  const usable = [...plain.records, ...direct.records].filter((e) => !isDecline(e));
  const hasDomainAddr = s.domainAddresses.length > 0;
  const domainAddrs = s.domainAddresses.map((a) => ({ label: a.family === 6 ? 'AAAA' : 'A', value: `${s.domain} ${addrText(a)}`, source: src }));

  // No records at all (and DNS did answer): peers fall back to the domain itself.
  if (plainOk && plain.records.length === 0) {
    // A "." direct-TLS record only says "use the STARTTLS records" (XEP-0368): it does not count as one.
    // Without an answer about the domain's own addresses, whether peers can fall back is unknown:
    // dns.resolver.failed says so, and nothing is reported missing.
    const fallbackKnown = hasDomainAddr || conclusive({ rcode: s.domainRcode });
    if (directOk && direct.records.every(isDecline) && fallbackKnown) {
      const sev: Severity = kind === 'client' ? 'warning' : hasDomainAddr ? 'warning' : 'error';
      add({
        id: kind === 'server' ? 'dns.srv.missing' : 'dns.client.missing',
        severity: sev,
        title: hasDomainAddr
          ? `No ${plain.name} SRV record: peers fall back to ${s.domain}:${stdPort}`
          : `No ${plain.name} SRV record, and ${s.domain} has no A/AAAA to fall back to`,
        detail: hasDomainAddr
          ? `Without SRV records, peers connect to the domain's own address on ${stdPort} (RFC 6120 §3.2.2). That only works if the XMPP server (Expressway-E) answers there.`
          : `Peers find no SRV record and no address for the domain itself, so nothing can connect to ${s.unicode}.`,
        evidence: [
          { label: 'SRV', value: `${plain.name}: ${plain.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'no records (NODATA)'}`, source: src },
          direct.records.length
            ? srvEvidence(direct.records[0]!, s.domain, src)
            : { label: 'SRV', value: `${direct.name}: ${direct.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'no records (NODATA)'}`, source: src },
          ...domainAddrs,
        ],
        fix:
          kind === 'server'
            ? `Publish in public DNS: ${plain.name}. IN SRV 0 0 5269 <expressway-e-fqdn>. and an A record for that name pointing at Expressway-E's public address. Every domain that federates (and every chat node alias) needs its own record.`
            : `Publish ${plain.name}. IN SRV 0 0 5222 <xmpp-host>. so clients find the server.`,
        references: [RFC6120_DNS, CISCO_FED],
      });
    } else if (kind === 'server' && direct.records.some((e) => !isDecline(e))) {
      add({
        id: 'dns.srv.missing',
        severity: 'warning',
        title: `Only ${direct.name} is published; no ${plain.name} record`,
        detail: 'Peers that do not implement XEP-0368 (Cisco Expressway among them) ignore _xmpps-server records and fall back to the domain on 5269.',
        evidence: [{ label: 'SRV', value: `${plain.name}: ${plain.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'no records'}`, source: src }, ...direct.records.map((e) => srvEvidence(e, s.domain, src))],
        fix: `Also publish ${plain.name}. IN SRV 0 0 5269 <server-fqdn>.`,
        references: [XEP0368, RFC6120_DNS],
      });
    }
  }

  for (const info of [plain, direct]) {
    const declines = info.records.filter(isDecline);
    if (declines.length === 0) continue;
    const alone = declines.length === info.records.length;
    const isPlain = info.service === plainName;
    // Declining STARTTLS while direct-TLS targets work leaves XEP-0368 peers a way in: a warning, not an error.
    const directWorks = direct.records.some((e) => !isDecline(e));
    add({
      id: 'dns.srv.decline',
      severity: !alone ? 'warning' : isPlain && kind === 'server' ? (directWorks ? 'warning' : 'error') : 'info',
      title: alone
        ? isPlain
          ? `${info.name} has target ".": the domain declares it does not offer this service`
          : `${info.name} has target ".": no direct TLS offered (peers use ${plainName})`
        : `${info.name} mixes a "." target with other records`,
      detail: alone
        ? isPlain
          ? directWorks
            ? 'RFC 2782: a "." target means the service is decidedly not available. Only peers that implement XEP-0368 direct TLS can connect (Cisco Expressway does not).'
            : 'RFC 2782: a "." target means the service is decidedly not available. Peers will not connect and will not fall back to the domain.'
          : 'XEP-0368: a "." target for the direct TLS service means peers should use the STARTTLS records instead. This is fine if intended.'
        : 'RFC 2782 allows "." only as the single record of a name. Peers handle the mix inconsistently.',
      evidence: info.records.map((e) => srvEvidence(e, s.domain, src)),
      fix: alone && !isPlain ? '' : `Remove the "." record${alone ? ` and publish ${info.name}. IN SRV 0 0 ${stdPort} <server-fqdn>. if the domain should federate` : ''}.`,
      references: [RFC2782, XEP0368],
    });
  }

  for (const e of usable) {
    const where = srvEvidence(e, s.domain, src);
    if (e.service === plainName && e.port !== stdPort) {
      add({
        id: 'dns.srv.port-nonstandard',
        severity: kind === 'server' ? 'warning' : 'info',
        title: `${srvName(e.service, s.domain)} points at port ${e.port}, not ${stdPort}`,
        detail: kind === 'server' ? 'Cisco requires federation to be published on port 5269; firewalls and partners commonly allow only 5269.' : `Clients expect ${stdPort}; another port works only if the firewall allows it.`,
        evidence: [where],
        fix: `Publish port ${stdPort} (and make ${e.target} listen there), unless the non-standard port is deliberate and open.`,
        references: [CISCO_FED],
      });
    }
    if (e.service === directName && e.port === stdPort) {
      add({
        id: 'dns.xmpps.starttls-port',
        severity: 'error',
        title: `${srvName(e.service, s.domain)} (direct TLS) points at the STARTTLS port ${stdPort}`,
        detail: `Direct-TLS peers start with a TLS handshake; a STARTTLS listener on ${stdPort} answers with XML, so the handshake fails ("first record does not look like a TLS handshake").`,
        evidence: [where],
        fix: `Point ${srvName(e.service, s.domain)} at the direct TLS port (commonly ${kind === 'server' ? '5270' : '5223'} or 443), or remove the record.`,
        references: [XEP0368],
      });
    }
    if (isIP(e.target)) {
      add({
        id: 'dns.srv.target-ip',
        severity: 'error',
        title: `${srvName(e.service, s.domain)} has an IP address as target (${e.target})`,
        detail: 'RFC 2782: the target must be a domain name with A/AAAA records; an address literal is looked up as a name and fails.',
        evidence: [where],
        fix: `Create a name (e.g. xmpp.${s.domain}) with an A record for ${e.target} and use it as the SRV target.`,
        references: [RFC2782],
      });
      continue;
    }
    if (e.cname) {
      add({
        id: 'dns.srv.target-cname',
        severity: 'warning',
        title: `SRV target ${e.target} is an alias (CNAME)`,
        detail: 'RFC 2782 forbids SRV targets that are aliases; some XMPP servers refuse to follow them and certificate checks may use the wrong name.',
        evidence: [where, { label: 'CNAME', value: e.cname, source: src }],
        fix: `Point the SRV record at the canonical name (${e.cname.split(' -> ').pop()}) or replace the CNAME with A/AAAA records.`,
        references: [RFC2782],
      });
    }
  }

  // Unresolvable targets: an error when no target of this kind is usable at all.
  const unresolvable = usable.filter((e) => e.resolvable === false && !isIP(e.target));
  const reachable = usable.filter((e) => e.resolvable === true);
  if (unresolvable.length) {
    const names = unresolvable.map((e) => e.target);
    add({
      id: 'dns.srv.target-unresolvable',
      severity: reachable.length ? 'warning' : 'error',
      title:
        unresolvable.length === 1
          ? `SRV target ${names[0]} has no A or AAAA record`
          : `${unresolvable.length} SRV targets have no A or AAAA record (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`,
      detail: reachable.length ? 'Peers skip these targets, after a failed lookup, and try the next one.' : `No target of ${s.unicode} resolves to an address, so no peer can connect.`,
      evidence: unresolvable.flatMap((e) => [srvEvidence(e, s.domain, src), { label: 'A/AAAA', value: `${e.target}: no address`, source: src }]),
      fix: `Publish an A record (and AAAA if IPv6 is reachable) with Expressway-E's public address for ${names.length === 1 ? names[0] : 'each target'}, or fix the SRV target name.`,
      references: [RFC2782, CISCO_FED],
    });
  }

  for (const e of reachable) {
    const bad = e.addresses.filter((a) => a.class !== 'public');
    if (!bad.length) continue;
    const all = bad.length === e.addresses.length;
    add({
      id: 'dns.srv.target-private',
      severity: opts.allowPrivate ? 'info' : all ? 'error' : 'warning',
      title: all ? `SRV target ${e.target} resolves only to non-public addresses` : `SRV target ${e.target} resolves to public and non-public addresses`,
      detail: opts.allowPrivate
        ? 'Allowed by --allow-private (lab or private federation).'
        : 'Public DNS must point federation at Expressway-E\'s public address; partners on the internet cannot reach private, loopback, link-local, CGNAT or ULA addresses.',
      evidence: [srvEvidence(e, s.domain, src), ...e.addresses.map((a) => ({ label: a.family === 6 ? 'AAAA' : 'A', value: `${e.target} ${addrText(a)}`, source: src }))],
      fix: opts.allowPrivate ? '' : `Publish Expressway-E's public (NAT) address for ${e.target} in public DNS; keep internal addresses in internal DNS only (split DNS).`,
      references: [CISCO_FED],
    });
  }

  if (kind === 'server' && reachable.length) {
    const order = [...reachable].sort((a, b) => a.rank - b.rank);
    add({
      id: 'dns.srv.ok',
      severity: 'info',
      title: `${reachable.length} federation target${reachable.length === 1 ? '' : 's'}: ${order.map((e) => `${e.target}:${e.port} (${e.tls})`).join(', ')}`,
      detail: 'The order peers try them in (RFC 2782 priority and weight, XEP-0368 merge).',
      evidence: order.map((e) => ({ label: `#${e.rank}`, value: `${srvText(e, s.domain)} -> ${e.addresses.map((a) => a.address).join(', ')}`, source: src })),
    });
  }
  if (kind === 'server' && directOk && direct.records.length === 0 && plain.records.some((e) => !isDecline(e))) {
    add({
      id: 'dns.xmpps.absent',
      severity: 'info',
      title: `No ${direct.name} record: direct TLS (XEP-0368) is not offered`,
      detail: 'Optional. Peers use STARTTLS on the _xmpp-server targets.',
      evidence: [{ label: 'SRV', value: `${direct.name}: ${direct.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'no records'}`, source: src }],
      references: [XEP0368],
    });
  }
}

/** Observes and evaluates one domain. */
export async function checkDomain(domain: DomainName, opts: CheckDnsOptions): Promise<TargetResult<{ dns: DnsSection }>> {
  const t0 = performance.now();
  const section = await observeDomain(domain, opts);
  const findings = evaluateDns(section, opts);
  return targetResult(domain.ascii, findings, { dns: section }, {
    display: domain.unicode,
    timings: { dns: Math.round((performance.now() - t0) * 10) / 10 },
  });
}

/** Checks many domains with bounded concurrency; results keep the input order. */
export async function checkDomains(
  domains: DomainName[],
  opts: CheckDnsOptions & { concurrency?: number; onProgress?: (done: number, total: number) => void },
): Promise<TargetResult<{ dns: DnsSection }>[]> {
  return mapPool(domains, opts.concurrency ?? 64, (d) => checkDomain(d, opts), opts.onProgress);
}
