import type { DnsSection } from '../../dns/check.js';
import { tlsaText } from '../../dns/tlsa.js';
import type { SectionRenderer } from '../human.js';
import { ms, table } from '../style.js';

/** The SRV records of one domain in the order peers try them, with their addresses and TTLs. */
export const dnsSection: SectionRenderer = (t, style, opts) => {
  const dns = (t.data as { dns?: DnsSection }).dns;
  if (!dns) return [];
  const { c } = style;
  const rows = [['#', 'SERVICE', 'PRIO', 'WEIGHT', 'PORT', 'TARGET', 'TLS', 'ADDRESSES', 'TTL']];
  const entries = dns.services.flatMap((s) => s.records).sort((a, b) => (a.rank || 1e9) - (b.rank || 1e9));
  const shown = opts.verbose ? entries : entries.slice(0, 12);
  for (const e of shown) {
    const addrs = e.addresses.length
      ? e.addresses.map((a) => (a.class === 'public' ? a.address : c.yellow(`${a.address} (${a.class})`))).join(' ')
      : e.target === '.'
        ? c.dim('(declined)')
        : e.resolvable === false
          ? c.red('(no address)')
          : c.dim('-');
    rows.push([
      e.rank ? String(e.rank) : '-',
      `_${e.service}`,
      String(e.priority),
      String(e.weight),
      String(e.port),
      e.cname ? `${e.target} ${c.yellow('(CNAME)')}` : e.target,
      e.tls,
      addrs,
      String(e.ttl),
    ]);
  }
  const out: string[] = [];
  if (rows.length > 1) {
    out.push(...table(rows, style, '  '));
    if (shown.length < entries.length) out.push(`  ${c.dim(`... ${entries.length - shown.length} more records (--verbose shows all)`)}`);
  }
  else {
    const missing = dns.services.map((s) => `_${s.service}: ${s.rcode === 'NOERROR' ? 'no records' : s.rcode}`).join(', ');
    out.push(`  ${c.dim(missing)}`);
    if (dns.domainAddresses.length) out.push(`  ${c.dim(`fallback ${dns.domain}:5269 -> ${dns.domainAddresses.map((a) => a.address).join(' ')}`)}`);
  }
  for (const t of dns.tlsa ?? []) {
    if (!t.records.length && !t.malformed?.length) continue;
    const state = !dns.dnssec?.validating ? c.dim('(DNSSEC not known: the resolver does not validate)') : t.authenticated && t.srvAuthenticated ? c.green('(DNSSEC-signed: DANE applies)') : c.yellow('(not DNSSEC-signed: peers ignore it)');
    out.push(`  TLSA ${t.name} ${state}`);
    const recs = opts.verbose ? t.records : t.records.slice(0, 4);
    for (const r of recs) out.push(`    ${tlsaText(r, opts.verbose ? Infinity : 64)}`);
    if (recs.length < t.records.length) out.push(`    ${c.dim(`... ${t.records.length - recs.length} more (--verbose shows all)`)}`);
    for (const m of t.malformed ?? []) out.push(`    ${c.red(`unusable: ${m}`)}`);
  }
  if (opts.verbose) {
    out.push(`  ${c.dim(`resolver ${dns.resolver}; ${dns.queries.length} questions, slowest ${ms(Math.max(0, ...dns.queries.map((q) => q.ms)))}`)}`);
    for (const q of dns.queries) {
      out.push(`  ${c.dim(`${q.type.padEnd(5)} ${q.name} ${q.rcode} ${q.transport}${q.truncated ? ' (TC)' : ''}${q.authoritative ? ' aa' : ''}${q.authenticated ? ' ad' : ''} ${ms(q.ms)}`)}`);
    }
  }
  return out;
};
