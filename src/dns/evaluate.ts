/**
 * check-dns evaluation: facts (facts.ts) -> findings. Pure: no I/O, no clock; the same facts and
 * options always give the same findings. Unit-tested from recorded facts (test/dns/evaluate.test.ts).
 */
import { isIP } from '../core/ip.js';
import { finding, type Evidence, type Finding, type Severity } from '../core/result.js';
import { conclusive } from './client.js';
import { isDecline, STANDARD_PORT, type XmppService } from './srv.js';
import { srvName } from './xmpp-srv.js';
import { bogusKeys, evaluateDnssec } from './dnssec-evaluate.js';
import { CLI_OPTION_NAMES, type AddressInfo, type DnsFacts, type EvaluateDnsOptions, type OptionNames, type ServiceInfo, type SrvEntry } from './facts.js';

const RFC2782 = 'https://www.rfc-editor.org/rfc/rfc2782';
const RFC6120_DNS = 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2';
const XEP0368 = 'https://xmpp.org/extensions/xep-0368.html';
const CISCO_FED =
  'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html';

/** rcode of a question that could not even be sent: this machine's problem (EMFILE, ENFILE...), not the resolver's. */
export const LOCAL_RCODE = 'LOCALERR';

type Add = (f: Omit<Parameters<typeof finding>[0], 'target'>) => void;

/** Everything one kind (server or client) of evaluation needs. */
interface KindContext {
  s: DnsFacts;
  kind: 'server' | 'client';
  add: Add;
  src: string;
  allowPrivate: boolean;
  names: OptionNames;
  plainName: XmppService;
  plain: ServiceInfo;
  direct: ServiceInfo;
  stdPort: number;
  /** Records that are not a "." decline. */
  usable: SrvEntry[];
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

function noRecords(info: ServiceInfo, nodata = 'no records'): string {
  return `${info.name}: ${info.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : nodata}`;
}

/** Turns observations into findings. Pure: the same facts always give the same findings. */
export function evaluateDns(s: DnsFacts, opts: EvaluateDnsOptions = {}): Finding[] {
  const out: Finding[] = [];
  const names: OptionNames = opts.optionNames ? { ...CLI_OPTION_NAMES, ...opts.optionNames } : CLI_OPTION_NAMES;
  const add: Add = (f) => out.push(finding({ phase: 'dns', ...f, target: s.domain }));
  evaluateQueries(s, add, names);
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
  out.push(...evaluateDnssec(s, opts, names));
  for (const kind of ['server', 'client'] as const) {
    if (kind === 'client' && !opts.includeClient) continue;
    const ctx = kindContext(s, kind, add, Boolean(opts.allowPrivate), names);
    if (!ctx) continue;
    evaluateMissing(ctx);
    evaluateDeclines(ctx);
    evaluateRecords(ctx);
    evaluateTargets(ctx);
  }
  return out;
}

function kindContext(s: DnsFacts, kind: 'server' | 'client', add: Add, allowPrivate: boolean, names: OptionNames): KindContext | undefined {
  const plainName: XmppService = kind === 'server' ? 'xmpp-server' : 'xmpp-client';
  const directName: XmppService = kind === 'server' ? 'xmpps-server' : 'xmpps-client';
  const plain = s.services.find((x) => x.service === plainName);
  const direct = s.services.find((x) => x.service === directName);
  if (!plain || !direct) return undefined;
  const usable = [...plain.records, ...direct.records].filter((e) => !isDecline(e));
  return { s, kind, add, src: s.resolver, allowPrivate, names, plainName, plain, direct, stdPort: STANDARD_PORT[plainName]!, usable };
}

/** Questions without a usable answer: the resolver's failure, or this machine's (LOCALERR). */
function evaluateQueries(s: DnsFacts, add: Add, names: OptionNames): void {
  const local = s.queries.filter((q) => q.rcode === LOCAL_RCODE);
  if (local.length) {
    add({
      id: 'dns.local.failed',
      severity: 'error',
      title: `${local.length} DNS question${local.length === 1 ? '' : 's'} could not be sent: this machine ran out of resources`,
      detail: 'The failure is local (for example no file descriptor left: EMFILE/ENFILE), not the resolver\'s or the domain\'s. Nothing is reported missing because of it.',
      evidence: local.map((q) => ({ label: `${q.type} ${q.name}`, value: `${q.rcode}${q.error ? `: ${q.error}` : ''}`, source: 'this machine' })),
      fix: `Raise the open-file limit (ulimit -n) or lower ${names.concurrency}, then run again.`,
      references: ['https://man7.org/linux/man-pages/man2/open.2.html#ERRORS'],
    });
  }
  // DNSSEC failures (bogus) are dns.dnssec.bogus's, not the resolver's.
  const bogus = bogusKeys(s);
  const failed = s.queries.filter((q) => !conclusive(q) && q.rcode !== LOCAL_RCODE && !bogus.has(`${q.name}|${q.type}`));
  if (failed.length) {
    add({
      id: 'dns.resolver.failed',
      severity: 'error',
      title: `${failed.length} DNS question${failed.length === 1 ? '' : 's'} got no usable answer (${[...new Set(failed.map((q) => q.rcode))].join(', ')})`,
      detail: 'xfed could not tell what these records contain; nothing is reported missing because of this. Federation peers asking the same resolvers would fail the same way.',
      evidence: failed.map((q) => ({ label: `${q.type} ${q.name}`, value: `${q.rcode}${q.error ? `: ${q.error}` : ''}`, source: q.resolver })),
      fix: `Check that the resolver is reachable and answers for this zone (try another with ${names.resolver}, or ${names.tcp}); a SERVFAIL usually means the zone's authoritative servers are unreachable or DNSSEC validation fails; BADANSWER means the resolver (or something on the path) answered with messages that are not a valid answer to the question.`,
      references: ['https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1', 'https://www.rfc-editor.org/rfc/rfc5452#section-4.2'],
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
}

/** No SRV records at all (and DNS did answer): peers fall back to the domain itself. */
function evaluateMissing(c: KindContext): void {
  const { s, kind, plain, direct, src, stdPort } = c;
  if (!conclusive(plain) || plain.records.length > 0) return;
  const hasDomainAddr = s.domainAddresses.length > 0;
  // A "." direct-TLS record only says "use the STARTTLS records" (XEP-0368): it does not count as one.
  // Without an answer about the domain's own addresses, whether peers can fall back is unknown:
  // dns.resolver.failed says so, and nothing is reported missing.
  const fallbackKnown = hasDomainAddr || conclusive({ rcode: s.domainRcode });
  if (conclusive(direct) && direct.records.every(isDecline) && fallbackKnown) {
    const sev: Severity = kind === 'client' ? 'warning' : hasDomainAddr ? 'warning' : 'error';
    const domainAddrs = s.domainAddresses.map((a) => ({ label: a.family === 6 ? 'AAAA' : 'A', value: `${s.domain} ${addrText(a)}`, source: src }));
    c.add({
      id: kind === 'server' ? 'dns.srv.missing' : 'dns.client.missing',
      severity: sev,
      title: hasDomainAddr
        ? `No ${plain.name} SRV record: peers fall back to ${s.domain}:${stdPort}`
        : `No ${plain.name} SRV record, and ${s.domain} has no A/AAAA to fall back to`,
      detail: hasDomainAddr
        ? `Without SRV records, peers connect to the domain's own address on ${stdPort} (RFC 6120 §3.2.2). That only works if the XMPP server (Expressway-E) answers there.`
        : `Peers find no SRV record and no address for the domain itself, so nothing can connect to ${s.unicode}.`,
      evidence: [
        { label: 'SRV', value: noRecords(plain, 'no records (NODATA)'), source: src },
        direct.records.length ? srvEvidence(direct.records[0]!, s.domain, src) : { label: 'SRV', value: noRecords(direct, 'no records (NODATA)'), source: src },
        ...domainAddrs,
      ],
      fix:
        kind === 'server'
          ? `Publish in public DNS: ${plain.name}. IN SRV 0 0 5269 <expressway-e-fqdn>. and an A record for that name pointing at Expressway-E's public address. Every domain that federates (and every chat node alias) needs its own record.`
          : `Publish ${plain.name}. IN SRV 0 0 5222 <xmpp-host>. so clients find the server.`,
      references: [RFC6120_DNS, CISCO_FED],
    });
  } else if (kind === 'server' && direct.records.some((e) => !isDecline(e))) {
    c.add({
      id: 'dns.srv.missing',
      severity: 'warning',
      title: `Only ${direct.name} is published; no ${plain.name} record`,
      detail: 'Peers that do not implement XEP-0368 (Cisco Expressway among them) ignore _xmpps-server records and fall back to the domain on 5269.',
      evidence: [{ label: 'SRV', value: noRecords(plain), source: src }, ...direct.records.map((e) => srvEvidence(e, s.domain, src))],
      fix: `Also publish ${plain.name}. IN SRV 0 0 5269 <server-fqdn>.`,
      references: [XEP0368, RFC6120_DNS],
    });
  }
}

/** "." targets (RFC 2782 "decidedly not available"). */
function evaluateDeclines(c: KindContext): void {
  const { s, kind, plainName, direct, src, stdPort } = c;
  for (const info of [c.plain, direct]) {
    const declines = info.records.filter(isDecline);
    if (declines.length === 0) continue;
    const alone = declines.length === info.records.length;
    const isPlain = info.service === plainName;
    // Declining STARTTLS while direct-TLS targets work leaves XEP-0368 peers a way in: a warning, not an error.
    const directWorks = direct.records.some((e) => !isDecline(e));
    c.add({
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
}

/** Each usable record on its own: its port, an address as target, a CNAME as target. */
function evaluateRecords(c: KindContext): void {
  const { s, kind, plainName, src, stdPort } = c;
  evaluatePortZero(c);
  for (const e of c.usable) {
    const where = srvEvidence(e, s.domain, src);
    const name = srvName(e.service, s.domain);
    if (e.service === plainName && e.port !== stdPort && e.port !== 0) {
      c.add({
        id: 'dns.srv.port-nonstandard',
        severity: kind === 'server' ? 'warning' : 'info',
        title: `${name} points at port ${e.port}, not ${stdPort}`,
        detail: kind === 'server' ? 'Cisco requires federation to be published on port 5269; firewalls and partners commonly allow only 5269.' : `Clients expect ${stdPort}; another port works only if the firewall allows it.`,
        evidence: [where],
        fix: `Publish port ${stdPort} (and make ${e.target} listen there), unless the non-standard port is deliberate and open.`,
        references: [CISCO_FED],
      });
    }
    if (e.service !== plainName && e.port === stdPort) {
      c.add({
        id: 'dns.xmpps.starttls-port',
        severity: 'error',
        title: `${name} (direct TLS) points at the STARTTLS port ${stdPort}`,
        detail: `Direct-TLS peers start with a TLS handshake; a STARTTLS listener on ${stdPort} answers with XML, so the handshake fails ("first record does not look like a TLS handshake").`,
        evidence: [where],
        fix: `Point ${name} at the direct TLS port (commonly ${kind === 'server' ? '5270' : '5223'} or 443), or remove the record.`,
        references: [XEP0368],
      });
    }
    if (isIP(e.target)) {
      c.add({
        id: 'dns.srv.target-ip',
        severity: 'error',
        title: `${name} has an IP address as target (${e.target})`,
        detail: 'RFC 2782: the target must be a domain name with A/AAAA records; an address literal is looked up as a name and fails.',
        evidence: [where],
        fix: `Create a name (e.g. xmpp.${s.domain}) with an A record for ${e.target} and use it as the SRV target.`,
        references: [RFC2782],
      });
      continue;
    }
    if (e.cname) {
      c.add({
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
}

/** Port 0 cannot be connected to: an error when no record of this kind has another port. */
function evaluatePortZero(c: KindContext): void {
  const zero = c.usable.filter((e) => e.port === 0);
  if (!zero.length) return;
  const only = zero.length === c.usable.length;
  c.add({
    id: 'dns.srv.port-zero',
    severity: only ? (c.kind === 'server' ? 'error' : 'warning') : c.kind === 'server' ? 'warning' : 'info',
    title: only ? `Every ${c.kind === 'server' ? 'federation' : 'client'} SRV record of ${c.s.unicode} has port 0` : `${zero.length} SRV record${zero.length === 1 ? '' : 's'} of ${c.s.unicode} ha${zero.length === 1 ? 's' : 've'} port 0`,
    detail: only
      ? 'No TCP connection can be made to port 0, so no peer can connect; a port-0 record does not decline the service either (that is the "." target).'
      : 'Peers cannot connect to port 0 and move on to the other records, after a failed attempt.',
    evidence: zero.map((e) => srvEvidence(e, c.s.domain, c.src)),
    fix: `Publish the port the server listens on (${c.stdPort} for ${c.plainName}), or a "." target if the domain does not offer the service.`,
    references: [RFC2782],
  });
}

/** Where the targets lead: no address, non-public addresses, and the order peers try them in. */
function evaluateTargets(c: KindContext): void {
  const { s, src } = c;
  // Unresolvable targets: an error when no target of this kind is usable at all.
  const unresolvable = c.usable.filter((e) => e.resolvable === false && !isIP(e.target));
  const reachable = c.usable.filter((e) => e.resolvable === true);
  if (unresolvable.length) {
    const names = unresolvable.map((e) => e.target);
    c.add({
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
    c.add({
      id: 'dns.srv.target-private',
      severity: c.allowPrivate ? 'info' : all ? 'error' : 'warning',
      title: all ? `SRV target ${e.target} resolves only to non-public addresses` : `SRV target ${e.target} resolves to public and non-public addresses`,
      detail: c.allowPrivate
        ? `Allowed by ${c.names.allowPrivate} (lab or private federation).`
        : 'Public DNS must point federation at Expressway-E\'s public address; partners on the internet cannot reach private, loopback, link-local, CGNAT or ULA addresses (nor IPv6 forms that embed one, such as ::ffff:10.0.0.1).',
      evidence: [srvEvidence(e, s.domain, src), ...e.addresses.map((a) => ({ label: a.family === 6 ? 'AAAA' : 'A', value: `${e.target} ${addrText(a)}`, source: src }))],
      fix: c.allowPrivate ? '' : `Publish Expressway-E's public (NAT) address for ${e.target} in public DNS; keep internal addresses in internal DNS only (split DNS).`,
      references: [CISCO_FED],
    });
  }
  const working = reachable.filter((e) => e.port !== 0);
  if (c.kind === 'server' && working.length) {
    const order = [...working].sort((a, b) => a.rank - b.rank);
    c.add({
      id: 'dns.srv.ok',
      severity: 'info',
      title: `${working.length} federation target${working.length === 1 ? '' : 's'}: ${order.map((e) => `${e.target}:${e.port} (${e.tls})`).join(', ')}`,
      detail: 'The order peers try them in (RFC 2782 priority and weight, XEP-0368 merge).',
      evidence: order.map((e) => ({ label: `#${e.rank}`, value: `${srvText(e, s.domain)} -> ${e.addresses.map((a) => a.address).join(', ')}`, source: src })),
    });
  }
  if (c.kind === 'server' && conclusive(c.direct) && c.direct.records.length === 0 && c.plain.records.some((e) => !isDecline(e))) {
    c.add({
      id: 'dns.xmpps.absent',
      severity: 'info',
      title: `No ${c.direct.name} record: direct TLS (XEP-0368) is not offered`,
      detail: 'Optional. Peers use STARTTLS on the _xmpp-server targets.',
      evidence: [{ label: 'SRV', value: noRecords(c.direct), source: src }],
      references: [XEP0368],
    });
  }
}
