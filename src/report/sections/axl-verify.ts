import type { AxlFacts } from '../../axl/verify.js';
import type { SectionRenderer } from '../human.js';
import { ms, table } from '../style.js';

/** AXL facts for one IM&P node: endpoint, version, TLS, the xmpps2snodes rows and what matched them. Rows arrive sanitised (renderTarget). */
export const axlSection: SectionRenderer = (t, style, opts) => {
  const d = (t.data as { axl?: AxlFacts } | undefined)?.axl;
  if (!d || typeof d !== 'object' || !Array.isArray(d.versionsTried)) return [];
  const { c } = style;
  const out: string[] = [];
  const version = d.axlVersion
    ? `AXL ${d.axlVersion}${d.versionsTried.length > 1 ? c.dim(` (tried ${d.versionsTried.join(', ')})`) : ''}`
    : `AXL ${c.dim(`(no answer; tried ${d.versionsTried.join(', ') || '-'})`)}`;
  const tls = d.tls.verify ? `TLS verification on${d.tls.ca ? ` (--ca ${d.tls.ca})` : ''}` : c.yellow('TLS NOT verified (--insecure)');
  out.push(`  ${c.dim(d.url)}  user ${d.user}  ${version}  ${tls}`);

  if (d.rows) {
    const limit = opts.verbose ? Infinity : 20;
    if (d.table) {
      if (d.rows.length) {
        const rows = [[`${d.table.toUpperCase()} PKID`, 'CP_ID', 'MATCH']];
        for (const r of d.rows.slice(0, limit)) {
          const cp = r.cp_id ?? '';
          const hit = d.expected.find((e) => e.row === cp);
          const near = d.expected.find((e) => e.nearMisses.some((n) => n.cpId === cp));
          const match = hit
            ? c.green(`= ${hit.input}`)
            : near
              ? c.yellow(`near miss of ${near.input}`)
              : d.unexpected.includes(cp)
                ? c.yellow('unexpected')
                : c.dim('-');
          rows.push([r.pkid ?? '', cp, match]);
        }
        out.push(...table(rows, style, '  '));
      } else out.push(`  ${c.dim(`${d.table}: no rows`)}`);
      for (const e of d.expected.filter((x) => !x.matched)) out.push(`  ${c.red('missing')} ${e.cpId} ${c.dim(`(${e.input})`)}`);
    } else if (d.rows.length) {
      const cols = [...new Set(d.rows.flatMap((r) => Object.keys(r)))];
      const rows = [cols.map((x) => x.toUpperCase()), ...d.rows.slice(0, limit).map((r) => cols.map((k) => r[k] ?? ''))];
      out.push(...table(rows, style, '  '));
    } else out.push(`  ${c.dim('no rows')}`);
    if (d.rows.length > limit) out.push(`  ${c.dim(`... ${d.rows.length - limit} more rows (--verbose shows all)`)}`);
  }
  if (d.federation?.checked && d.federation.services.length) {
    const rows = [['IM&P NODE', 'SERVICE', 'ACTIVE']];
    for (const s of d.federation.services) rows.push([s.servername ?? '?', s.service ?? '?', s.isactive ?? '?']);
    out.push(...table(rows, style, '  '));
  }
  if (d.tls.peer && opts.verbose) {
    out.push(`  ${c.dim(`certificate: ${d.tls.peer.subject ?? '?'}; issuer ${d.tls.peer.issuer ?? '?'}; SAN ${d.tls.peer.subjectAltName ?? '-'}`)}`);
  }
  if (opts.verbose) out.push(`  ${c.dim(`${d.http.requests} HTTP request${d.http.requests === 1 ? '' : 's'}: ${d.http.ms.map((x) => ms(x)).join(', ') || '-'}`)}`);
  return out;
};
