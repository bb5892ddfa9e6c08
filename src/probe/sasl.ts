/**
 * SASL EXTERNAL with our certificate (RFC 6120 §6, XEP-0178): after TLS with --cert, does the
 * peer offer EXTERNAL, and what does it answer to <auth mechanism='EXTERNAL'> with our domain
 * as authorization identity. Evaluation says whether the peer accepts our certificate.
 */
import { child, elements, NS, textOf } from '../xmpp/xml.js';
import type { XmppConnection } from '../xmpp/connection.js';
import { isStreamError, parseStreamError } from '../xmpp/stream-error.js';
import { round, since, whereOf, type Draft } from './common.js';
import type { ObserveCtx } from './context.js';
import { read } from './stream.js';
import type { ProbeFacts, SaslFacts } from './types.js';

const XEP0178 = 'https://xmpp.org/extensions/xep-0178.html';
const RFC6120_SASL = 'https://www.rfc-editor.org/rfc/rfc6120#section-6';

/** Tries SASL EXTERNAL on the secure stream; records `facts.sasl`. */
export async function observeSasl(ctx: ObserveCtx, conn: XmppConnection, mechanisms: string[]): Promise<SaslFacts> {
  const sasl: SaslFacts = { mechanisms, offered: mechanisms.includes('EXTERNAL'), certPresented: true };
  ctx.facts.sasl = sasl;
  if (!sasl.offered) return sasl;
  const t0 = performance.now();
  conn.send(`<auth xmlns='${NS.sasl}' mechanism='EXTERNAL'>${Buffer.from(ctx.from).toString('base64')}</auth>`);
  for (;;) {
    const ev = await read(ctx, conn, 'sasl', ctx.t.stream);
    sasl.ms = round(since(t0));
    if (ev === 'timeout') {
      sasl.outcome = 'timeout';
      return sasl;
    }
    if (ev.kind !== 'element') {
      sasl.outcome = ev.kind === 'parse-error' ? 'error' : 'closed';
      return sasl;
    }
    const el = ev.el;
    if (el.ns === NS.sasl && el.name === 'success') {
      sasl.outcome = 'success';
      return sasl;
    }
    if (el.ns === NS.sasl && el.name === 'failure') {
      sasl.outcome = 'failure';
      const cond = elements(el).find((c) => c.name !== 'text');
      if (cond) sasl.condition = cond.name;
      const text = child(el, 'text', NS.sasl);
      if (text) sasl.text = textOf(text);
      return sasl;
    }
    if (isStreamError(el)) {
      const se = parseStreamError(el);
      sasl.outcome = 'error';
      sasl.condition = se.condition;
      if (se.text) sasl.text = se.text;
      return sasl;
    }
  }
}

export function evaluateSasl(facts: ProbeFacts): Draft[] {
  const s = facts.sasl;
  if (!s) return [];
  const peer = facts.peer;
  const where = whereOf(facts);
  if (!s.offered) {
    const saslAtAll = s.mechanisms.length > 0 || (facts.secureStream?.features ?? []).some((f) => f.startsWith('sasl('));
    return [{
      id: 'probe.sasl.external-not-offered',
      severity: saslAtAll ? 'warning' : 'info',
      phase: 'sasl',
      title: saslAtAll
        ? `${peer} did not offer SASL EXTERNAL for our certificate (it offers ${s.mechanisms.join(', ') || 'no mechanism'})`
        : `${peer} offers no SASL EXTERNAL: it authenticates servers by dialback only`,
      detail: saslAtAll
        ? 'The peer does SASL but did not accept our certificate for EXTERNAL: most likely it does not trust our CA (a private CA, or a missing intermediate), or our certificate does not name our domain. It will fall back to Server Dialback if both sides allow it.'
        : 'The peer announced no SASL mechanisms after TLS: it has no certificate authentication for servers (or did not ask for our certificate). Federation with it relies on Server Dialback.',
      evidence: [{ label: 'features', value: facts.secureStream?.features.join(', ') || '(none)', source: where }],
      fix: saslAtAll
        ? 'Use a certificate from a CA the partner trusts, sent with its full chain, naming our domain; or keep Server Dialback enabled.'
        : 'Keep Server Dialback enabled on our server (on Cisco: it is the default for federation).',
      references: [XEP0178, RFC6120_SASL],
    }];
  }
  if (s.outcome === 'success') {
    return [{ id: 'probe.sasl.external-ok', severity: 'info', phase: 'sasl', title: `${peer} accepted our certificate (SASL EXTERNAL as ${facts.from})`, evidence: [{ label: 'sasl', value: `EXTERNAL success${s.ms !== undefined ? ` after ${Math.round(s.ms)} ms` : ''}`, source: where }], references: [XEP0178] }];
  }
  const dialbackWorks = facts.dialback?.outcome === 'valid';
  const why = s.outcome === 'failure' ? `<${s.condition ?? 'failure'}/>${s.text ? `: ${s.text}` : ''}` : s.outcome === 'timeout' ? 'no answer' : `${s.outcome}${s.condition ? ` <${s.condition}/>` : ''}${s.text ? `: ${s.text}` : ''}`;
  return [{
    id: 'probe.sasl.external-failed',
    severity: dialbackWorks ? 'warning' : 'error',
    phase: 'sasl',
    title: `${peer} refused our certificate for SASL EXTERNAL (${why})${dialbackWorks ? '; dialback works' : ''}`,
    detail:
      (/purpose/i.test(s.text ?? '') ? 'The peer checks the certificate purpose: ours lacks TLS Client Authentication (ejabberd before 25.08, Openfire and Metronome refuse such certificates). ' : '') +
      'The peer offered EXTERNAL, then refused our certificate for our domain. ' +
      (dialbackWorks ? 'Server Dialback worked as the fallback, so federation works as long as both sides keep it enabled.' : 'Server Dialback did not work either: this peer will not accept our connections.'),
    evidence: [{ label: 'sasl', value: `EXTERNAL ${s.outcome}${s.condition ? ` <${s.condition}/>` : ''}${s.text ? ` "${s.text}"` : ''}`, source: where }, { label: 'dialback', value: facts.dialback?.outcome ?? 'not tried' }],
    fix: 'Get a certificate for our domain with the clientAuth purpose from a CA the peer trusts, and send the full chain; meanwhile keep Server Dialback enabled.',
    references: [XEP0178, RFC6120_SASL],
  }];
}
