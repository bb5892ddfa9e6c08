/**
 * Phase 3: the XML stream (RFC 6120 §4.7): our header, the peer's header and its features.
 * Observation records the headers, features and whatever ended a phase early; evaluation
 * judges the header and explains the interruption.
 */
import { TimeoutError } from '../core/errors.js';
import { streamHeader, type StreamEvent, type XmppConnection } from '../xmpp/connection.js';
import { isStreamError, parseStreamError, STREAM_ERROR_ADVICE } from '../xmpp/stream-error.js';
import { child, elements, NS, textOf, type XmlElement } from '../xmpp/xml.js';
import { addTiming, REF, since, whereOf, type Draft } from './common.js';
import { budget, DeadlineExceeded, type ObserveCtx } from './context.js';
import type { PeerEvent, ProbeFacts, StreamFacts } from './types.js';

/** The next stream event, or 'timeout'; DeadlineExceeded when the probe's deadline cut the wait short. */
export async function read(ctx: ObserveCtx, conn: XmppConnection, phase: string, ms: number): Promise<StreamEvent | 'timeout'> {
  const b = budget(ctx, ms, phase);
  try {
    return await conn.next(b, phase);
  } catch (e) {
    if (e instanceof TimeoutError) {
      if (b < ms) throw new DeadlineExceeded(phase);
      return 'timeout';
    }
    throw e;
  }
}

/** A stream event as a plain fact. */
export function peerEvent(ev: StreamEvent | 'timeout'): PeerEvent {
  if (ev === 'timeout') return { kind: 'timeout' };
  switch (ev.kind) {
    case 'parse-error':
      return { kind: 'parse-error', errorKind: ev.error.kind, message: ev.error.message };
    case 'element': {
      if (!isStreamError(ev.el)) return { kind: 'element', name: ev.el.name, ns: ev.el.ns };
      const se = parseStreamError(ev.el);
      return { kind: 'stream-error', condition: se.condition, ...(se.text ? { text: se.text } : {}) };
    }
    case 'closed':
      return { kind: 'closed', ...(ev.error ? { error: ev.error } : {}) };
    default:
      return { kind: ev.kind };
  }
}

/** Records what ended a phase that expected `what`. */
export function interrupt(ctx: ObserveCtx, ev: StreamEvent | 'timeout', phase: string, what: string): void {
  const event = peerEvent(ev);
  ctx.facts.interrupted = { phase, waitedFor: what, event };
  if (event.kind === 'stream-error') ctx.facts.streamError = { condition: event.condition, ...(event.text ? { text: event.text } : {}) };
}

/** The feature names recorded in StreamFacts.features. */
export function featureName(el: XmlElement): string {
  if (el.ns === NS.tls) return child(el, 'required') ? 'starttls(required)' : 'starttls';
  if (el.ns === NS.dialbackFeature) return child(el, 'errors') ? 'dialback(errors)' : 'dialback';
  if (el.ns === NS.sasl) return `sasl(${elements(el).map(textOf).join(',')})`;
  if (el.ns === NS.bidi) return 'bidi';
  return `${el.name}{${el.ns}}`;
}

export function hasFeature(s: StreamFacts, name: 'starttls' | 'dialback'): boolean {
  return s.features.some((f) => f === name || f.startsWith(`${name}(`));
}

export interface OpenedStream {
  facts: StreamFacts;
  features: XmlElement;
}

/**
 * Sends our header and reads the peer's header and features. The header's facts are kept
 * (`stream`, or `secureStream` for the stream after STARTTLS) even when the session stops there.
 */
export async function observeStream(ctx: ObserveCtx, conn: XmppConnection, phase: 'stream' | 'features'): Promise<OpenedStream | undefined> {
  const t0 = performance.now();
  conn.send(streamHeader({ from: ctx.from, to: ctx.o.peer }));
  const h = await read(ctx, conn, phase, ctx.t.stream);
  if (h === 'timeout' || h.kind !== 'header') {
    addTiming(ctx.timings, phase, since(t0));
    interrupt(ctx, h, phase, 'a stream header');
    return undefined;
  }
  const el = h.el;
  const facts: StreamFacts = {
    ...(el.attrs.id !== undefined ? { id: el.attrs.id } : {}),
    ...(el.attrs.from !== undefined ? { from: el.attrs.from } : {}),
    ...(el.attrs.version !== undefined ? { version: el.attrs.version } : {}),
    ...(el.decls?.[''] !== undefined ? { namespace: el.decls['']! } : {}),
    dialbackNamespace: el.decls?.db === NS.dialback,
    features: [],
    header: { ...el.attrs },
  };
  if (phase === 'stream') ctx.facts.stream = facts;
  else ctx.facts.secureStream = facts;
  if (facts.namespace !== NS.server) {
    addTiming(ctx.timings, phase, since(t0));
    return undefined;
  }
  if (facts.version !== '1.0') {
    addTiming(ctx.timings, phase, since(t0));
    return { facts, features: { name: 'features', ns: NS.stream, attrs: {}, children: [] } };
  }
  const f = await read(ctx, conn, phase, ctx.t.stream);
  addTiming(ctx.timings, phase, since(t0));
  if (f === 'timeout' || f.kind !== 'element' || f.el.name !== 'features' || f.el.ns !== NS.stream) {
    interrupt(ctx, f, phase, 'stream features');
    return undefined;
  }
  facts.features = elements(f.el).map((c) => featureName(c));
  return { facts, features: f.el };
}

function badHeader(facts: ProbeFacts, s: StreamFacts, phase: string): Draft[] {
  const problems: string[] = [];
  if (s.namespace !== NS.server) problems.push(`default namespace is ${s.namespace ? `'${s.namespace}'` : 'missing'}, not 'jabber:server'`);
  if (!s.id) problems.push('no stream id (dialback needs it)');
  if (s.version !== '1.0') problems.push(`version ${s.version ? `'${s.version}'` : 'missing'} (no stream features, no STARTTLS)`);
  if (!problems.length) return [];
  return [
    {
      id: 'probe.stream.bad-header',
      severity: s.namespace !== NS.server || !s.id ? 'error' : 'warning',
      phase,
      title: `the stream header of ${facts.peer} is not a proper s2s header: ${problems.join('; ')}`,
      detail: 'RFC 6120 §4.7: a receiving server answers with xmlns=jabber:server, an id, and version 1.0.',
      evidence: [{ label: 'header', value: Object.entries(s.header ?? {}).map(([k, v]) => `${k}='${v}'`).join(' '), source: whereOf(facts) }],
      fix: 'Make sure the port serves server-to-server XMPP (jabber:server), not client connections (5222).',
      references: [`${REF.rfc6120}#section-4.7`],
    },
  ];
}

/** The stream headers: the first one, and the one after STARTTLS (a new stream on the same connection). */
export function evaluateStream(facts: ProbeFacts): Draft[] {
  const out: Draft[] = [];
  if (facts.stream) out.push(...badHeader(facts, facts.stream, 'stream'));
  if (facts.secureStream && facts.secureStream !== facts.stream && facts.tls?.mode === 'starttls') out.push(...badHeader(facts, facts.secureStream, 'features'));
  return out;
}

/** Explains whatever ended the session early (a timeout, garbage, a stream error, a close). */
export function evaluateInterruption(facts: ProbeFacts): Draft[] {
  const it = facts.interrupted;
  if (!it) return [];
  const { phase, waitedFor: what, event: ev } = it;
  const peer = facts.peer;
  const where = whereOf(facts);
  if (ev.kind === 'timeout') {
    return [{
      id: 'probe.stream.timeout',
      severity: 'error',
      phase,
      title: `${peer} did not send ${what} in time`,
      detail: 'The peer accepted the connection but stayed silent: a stalled server, a proxy that swallows the stream, or a port that does not speak XMPP.',
      evidence: [{ label: 'waited for', value: what, source: where }],
      fix: 'Check that the XMPP server (not another service) listens on this port and that its s2s component is running (on Cisco IM&P: the XCP router).',
    }];
  }
  if (ev.kind === 'parse-error') {
    return [{
      id: 'probe.peer.garbage',
      severity: 'error',
      phase,
      title: `${peer} did not speak XMPP (${ev.errorKind})`,
      detail: `Instead of ${what}: ${ev.message}. The port may belong to another service (HTTP, a load balancer), or the peer is hostile or broken.`,
      evidence: [{ label: 'parser', value: ev.message, source: where }],
      fix: 'Point the SRV record at the XMPP server\'s s2s port; check what actually listens there (openssl s_client / nc).',
      references: [`${REF.rfc6120}#section-11`],
    }];
  }
  if (ev.kind === 'stream-error') {
    return [{
      id: 'probe.stream.error',
      severity: 'error',
      phase,
      title: `${peer} closed the stream with <${ev.condition}/>${ev.text ? `: ${ev.text}` : ''}`,
      detail: STREAM_ERROR_ADVICE[ev.condition] ?? 'An unrecoverable stream error (RFC 6120 §4.9).',
      evidence: [{ label: 'stream:error', value: `${ev.condition}${ev.text ? ` "${ev.text}"` : ''}`, source: where }],
      fix:
        ev.condition === 'host-unknown'
          ? `Configure ${peer} on that server (on Cisco: add it to the IM&P domains / federation), or correct the SRV record that points here.`
          : ev.condition === 'policy-violation'
            ? 'Check the peer\'s federation policy (allow-lists, TLS requirements).'
            : 'See the condition; the peer\'s logs have the details.',
      references: [`${REF.rfc6120}#section-4.9.3`],
    }];
  }
  const title = ev.kind === 'closed' ? `${peer} closed the connection before sending ${what}` : ev.kind === 'end' ? `${peer} ended the stream before sending ${what}` : `${peer} sent <${ev.kind === 'element' ? ev.name : ev.kind}> instead of ${what}`;
  return [{
    id: ev.kind === 'element' || ev.kind === 'header' ? 'probe.peer.garbage' : 'probe.stream.closed',
    severity: 'error',
    phase,
    title,
    detail: ev.kind === 'closed' && ev.error ? `Connection error: ${ev.error}.` : 'The peer gave up on the stream without a stream error.',
    evidence: [{ label: 'event', value: ev.kind === 'element' ? ev.name : ev.kind, source: where }],
    fix: 'Read the peer\'s logs for this connection; a silent close often means an access rule or a crash in its s2s component.',
  }];
}
