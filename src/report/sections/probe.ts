import type { ProbeTargetData } from '../../probe/types.js';
import type { SectionRenderer } from '../human.js';
import { DEFAULT_WIDTH, fitToWidth, ms } from '../style.js';

const PHASES = ['dns', 'tcp', 'stream', 'tls', 'features', 'dialback'];

function leafSha(d: ProbeTargetData['probe']): string | undefined {
  return d.tls?.chain[0]?.sha256;
}

/** The facts of one probe: where it connected, TLS and certificate, stream features, dialback, timings. */
export const probeSection: SectionRenderer = (t, style, opts) => {
  const d = (t.data as ProbeTargetData | undefined)?.probe;
  if (!d || !Array.isArray(d.attempts)) return [];
  const { c } = style;
  const rows: string[][] = [];
  const failed = d.attempts.filter((a) => !a.ok);
  if (d.connected) rows.push(['server', `${d.connected.address}:${d.connected.port} (${d.connected.host}, ${d.connected.tls === 'direct' ? 'direct TLS' : 'STARTTLS'})`]);
  if (d.targets?.length) {
    // Every target and address was probed: one row each.
    for (const x of d.targets) {
      const what = x.ok
        ? c.green('ok') + c.dim(` ${[x.tlsVersion, x.group, x.dialback && `dialback ${x.dialback}`, x.sasl && `EXTERNAL ${x.sasl}`].filter(Boolean).join(', ')}`)
        : c.red(`${x.phase ?? ''} ${x.code ?? ''}`.trim()) + c.dim(` ${x.error ?? ''}`);
      rows.push(['target', `${x.address}:${x.port} (${x.host}, ${x.tls === 'direct' ? 'direct TLS' : 'STARTTLS'}, IPv${x.family}) ${what}`.trimEnd()]);
    }
  } else if (failed.length && (opts.verbose || !d.connected)) {
    for (const a of failed) rows.push(['attempt', c.dim(`${a.address}:${a.port} (${a.host}) ${a.code ?? ''} ${a.error ?? ''}`.trim())]);
  }
  if (d.stream) rows.push(['stream', `id ${d.stream.id ?? '-'}, from ${d.stream.from ?? '-'}, features: ${d.stream.features.join(' ') || '-'}`]);
  if (d.tls) {
    const tl = d.tls;
    rows.push(['tls', `${tl.version ?? '?'} ${tl.cipher ?? ''}${tl.group ? `, ${tl.group}` : ''}${tl.alpn ? `, ALPN ${tl.alpn}` : ''}${tl.required ? ', required' : ''}`]);
    const hs = d.handshakes ?? [];
    if (hs.length) {
      const v12 = hs.find((h) => h.kind === 'tls1.2');
      const legacy = hs.find((h) => h.kind === 'legacy');
      const noSni = hs.find((h) => h.kind === 'no-sni');
      const parts = [
        `TLS 1.3 ${tl.version === 'TLSv1.3' ? 'yes' : 'no'}`,
        `TLS 1.2 ${tl.version === 'TLSv1.2' ? 'yes' : v12 ? (v12.ok ? `yes (${v12.cipher ?? ''}${v12.group ? `, ${v12.group}` : ''})` : 'no') : '?'}`,
        legacy ? (legacy.ok ? c.yellow(`${legacy.version} accepted`) : 'TLS 1.0/1.1 refused') : '',
        noSni ? (noSni.ok ? (noSni.leaf && leafSha(d) !== noSni.leaf.sha256 ? c.yellow(`no SNI: ${noSni.leaf.subject}`) : 'no SNI: same certificate') : `no SNI: ${noSni.error ?? 'failed'}`) : '',
      ].filter(Boolean);
      rows.push(['versions', parts.join('; ')]);
    }
    const leaf = tl.chain[0];
    if (leaf) {
      const trust = tl.authorized ? c.green('trusted') : c.yellow(tl.authorizationError ?? 'untrusted');
      const id = tl.identity?.matched ? c.green(`valid for ${tl.identity.domain} (${tl.identity.method} ${tl.identity.name})`) : c.red(`not valid for ${d.peer}`);
      rows.push(['certificate', `${leaf.subject}, issuer ${leaf.issuer}`]);
      rows.push(['', `${trust}; ${id}; expires ${leaf.notAfter.slice(0, 10)} (${leaf.daysLeft} days); ${tl.chain.length} in chain`]);
      if (opts.verbose) {
        const n = leaf.names;
        if (n) rows.push(['names', [...n.srvNames.map((x) => `SRV:${x}`), ...n.xmppAddrs.map((x) => `xmpp:${x}`), ...n.dnsNames.map((x) => `DNS:${x}`)].join(' ') || '-']);
        for (const cc of tl.chain.slice(1)) rows.push(['chain', c.dim(`${cc.subject} (expires ${cc.notAfter.slice(0, 10)})`)]);
      }
    }
  }
  if (d.secureStream && d.tls && d.tls.mode !== 'direct') rows.push(['after tls', `id ${d.secureStream.id ?? '-'}, features: ${d.secureStream.features.join(' ') || '-'}`]);
  if (d.sasl) {
    const sa = d.sasl;
    rows.push(['EXTERNAL', sa.offered ? `${sa.outcome === 'success' ? c.green('success') : c.red(sa.outcome ?? '?')}${sa.condition ? ` <${sa.condition}/>` : ''}${sa.text ? ` "${sa.text}"` : ''} (as ${d.from})` : c.yellow(`not offered (mechanisms: ${sa.mechanisms.join(' ') || '-'})`)]);
  }
  if (d.ownCert) {
    const oc = d.ownCert;
    const cov = oc.coverage.map((x) => (x.matched ? x.domain : c.red(`${x.domain} not covered`))).join(', ');
    rows.push(['our cert', `${oc.cert.subject}, EKU ${oc.eku?.join(' ') ?? 'any'}${oc.clientAuth ? '' : c.yellow(' (no clientAuth)')}; expires ${oc.cert.notAfter.slice(0, 10)}${cov ? `; ${cov}` : ''}`]);
  }
  if (d.dialback) {
    const db = d.dialback;
    const colour = db.outcome === 'valid' ? c.green : db.outcome === 'skipped' ? c.dim : db.outcome === 'invalid' && db.key === 'random' ? c.cyan : c.red;
    rows.push(['dialback', `${colour(db.outcome)}${db.condition ? ` <${db.condition}/>` : ''}${db.text ? ` "${db.text}"` : ''} (from ${d.from}, ${db.key} key${db.ms !== undefined ? `, ${ms(db.ms)}` : ''})`]);
  }
  const cut = d.cut;
  if (cut) {
    const parts = [
      ...(cut.deadline ? [c.red(`deadline of ${ms(d.deadlineMs ?? 0)} reached during ${cut.deadline.phase}`)] : []),
      ...(cut.targets ? [`${cut.targets.found} targets, first ${cut.targets.kept} used`] : []),
      ...(cut.addresses ? [`${cut.addresses.found} addresses, first ${cut.addresses.kept} tried`] : []),
      ...(cut.duplicates ? [c.dim(`${cut.duplicates} duplicate${cut.duplicates === 1 ? '' : 's'} tried once`)] : []),
    ];
    rows.push(['limits', parts.join('; ')]);
  }
  const tm = t.timings ?? {};
  const phases = PHASES.filter((p) => tm[p] !== undefined).map((p) => `${p} ${ms(tm[p])}`);
  if (phases.length) rows.push(['timings', c.dim(phases.join(', '))]);
  const w = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([k, v]) => fitToWidth(`  ${c.dim(k!.padEnd(w))}  ${v}`, opts.width ?? DEFAULT_WIDTH, w + 4));
};
