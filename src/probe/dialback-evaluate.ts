/** Phase 6, evaluation: what the peer's dialback answer (or its absence) means. */
import type { Evidence } from '../core/result.js';
import { duration, REF, whereOf, type Draft } from './common.js';
import { DEFAULT_FROM, PROBE_CLI_NAMES, type DialbackFacts, type ProbeEvaluateOptions, type ProbeFacts, type ProbeOptionNames } from './types.js';

const DIALBACK_ERROR_ADVICE: Record<string, string> = {
  'remote-server-not-found': 'The peer could not find or reach the authoritative server of our domain (DNS lookup or connection failed).',
  'remote-server-timeout': 'The authoritative server of our domain did not answer the peer in time.',
  'remote-connection-failed': 'The peer could not connect to the authoritative server of our domain.',
  'item-not-found': 'The peer does not host the domain we addressed (the to of db:result).',
  'policy-violation': 'A policy of the peer refused us: usually TLS is required before dialback.',
  'not-authorized': 'The peer requires certificate authentication (PKIX or POSH) instead of dialback.',
  forbidden: 'The authoritative server of our domain said the key is invalid.',
  'host-unknown': 'The peer does not serve the addressed domain.',
  'not-acceptable': 'The peer refused the request (bad addressing or a malformed key).',
  'resource-constraint': 'The peer is overloaded.',
};

const DIALBACK_ERROR_FIX: Record<string, string> = {
  'remote-server-not-found': 'Publish _xmpp-server._tcp.<your domain> and make sure its targets accept inbound TCP 5269 from the peer.',
  'remote-server-timeout': 'Make sure your server answers inbound s2s connections (firewall, Expressway-E inbound 5269).',
  'remote-connection-failed': 'Make sure your server answers inbound s2s connections (firewall, Expressway-E inbound 5269).',
  'policy-violation': 'Use TLS (do not pass --no-tls), and check the peer\'s federation allow-list.',
  'not-authorized': 'Configure a CA-signed certificate for your domain so the peer can use SASL EXTERNAL, or enable dialback on the peer.',
  'item-not-found': 'Check the peer domain you probe: the server does not host it.',
};

/** Conditions a peer answers for the default `.invalid` from: its dialback path works up to DNS. */
const EXPECTED_WITH_DEFAULT_FROM = new Set(['remote-server-not-found', 'remote-connection-failed', 'host-unknown', 'improper-addressing', 'not-authorized', 'invalid-from', 'item-not-found']);

function answerEvidence(db: DialbackFacts): Evidence {
  return { label: 'answer', value: `${db.outcome}${db.condition ? ` <${db.condition}/>` : ''}${db.text ? ` "${db.text}"` : ''}${db.ms !== undefined ? ` after ${Math.round(db.ms)} ms` : ''}` };
}

function notOffered(facts: ProbeFacts): Draft {
  const current = facts.secureStream ?? facts.stream;
  return {
    id: 'probe.dialback.not-offered',
    severity: 'error',
    phase: 'dialback',
    title: `${facts.peer} does not offer Server Dialback`,
    detail:
      'Neither the dialback stream feature nor the jabber:server:dialback namespace was announced' +
      (facts.saslMechanisms?.includes('EXTERNAL') ? '; it offers SASL EXTERNAL, which needs a client certificate for our domain.' : '.') +
      ' Servers that authenticate with dialback only (Cisco Expressway/IM&P by default) cannot federate with it.',
    evidence: [{ label: 'features', value: current?.features.join(', ') || '(none)', source: whereOf(facts) }],
    fix: 'Enable dialback on the peer (Prosody: mod_dialback; ejabberd: mod_s2s_dialback), or use certificates that allow SASL EXTERNAL on both sides.',
    references: [REF.xep0220],
  };
}

/** `xfed dialback verify`: the authoritative server's answer to a replayed db:verify. */
function verifyFindings(facts: ProbeFacts, db: DialbackFacts): Draft[] {
  const { peer, from } = facts;
  const where = whereOf(facts);
  const streamId = db.streamId ?? '';
  const evidence: Evidence[] = [{ label: 'db:verify', value: `from='${from}' to='${peer}' id='${streamId}'`, source: where }, answerEvidence(db)];
  const cisco = db.keyScheme === 'sha1-size' ? ' The key is 40 hex digits, the size of Cisco XCP keys: its scheme is not the XEP-0220 recommended one.' : '';
  const refs = [`${REF.xep0220}#protocol-verify`];
  if (db.outcome === 'valid') {
    return [{ id: 'dialback.verify.valid', severity: 'info', phase: 'dialback', title: `${where} confirmed the key for ${peer} (valid)`, detail: `The authoritative server generated this key for the stream ${streamId} from ${peer} to ${from}.`, evidence, references: refs }];
  }
  if (db.outcome === 'invalid') {
    return [{
      id: 'dialback.verify.invalid',
      severity: 'error',
      phase: 'dialback',
      title: `${where} did not confirm the key for ${peer} (invalid)`,
      detail: `The authoritative server did not generate this key for the stream id, from and to given: its secret differs (another cluster node, a restart with a random secret), the key or id were copied wrongly, or from/to are swapped.${cisco}`,
      evidence,
      fix: 'Copy from, to, id and the key from the db:verify line exactly; check that every node of the originating cluster shares one dialback secret.',
      references: refs,
    }];
  }
  if (db.outcome === 'timeout') {
    return [{ id: 'dialback.verify.timeout', severity: 'error', phase: 'dialback', title: `${where} gave no db:verify answer within ${duration(db.timeoutMs ?? 0)}`, evidence, fix: 'Check that this host is the authoritative server of the domain and that its dialback is enabled.', references: refs }];
  }
  return [{
    id: 'dialback.verify.error',
    severity: 'error',
    phase: 'dialback',
    title: `${where} answered the db:verify with ${db.outcome === 'closed' ? 'a closed stream' : `an error${db.condition ? ` <${db.condition}/>` : ''}`}`,
    detail: `${db.condition === 'host-unknown' || db.condition === 'item-not-found' ? `That server does not host ${peer}.` : 'The server could not or would not verify the key.'}${cisco}`,
    evidence,
    fix: `Send the db:verify to the authoritative server of ${peer} (its _xmpp-server SRV target).`,
    references: refs,
  }];
}

function callbackEvidence(facts: ProbeFacts, db: DialbackFacts): Evidence[] {
  const cb = db.callback;
  if (!cb) return [];
  const src = cb.source !== undefined ? { source: cb.source } : {};
  if (cb.none !== undefined) return [{ label: 'callback', value: `_xmpp-server._tcp.${facts.from}: no target (${cb.none})`, ...src }];
  return cb.targets.map((x) => ({ label: 'callback', value: `${facts.peer} verifies via ${x.host}:${x.port} (${x.via})`, ...src }));
}

function resultFindings(facts: ProbeFacts, db: DialbackFacts, n: ProbeOptionNames): Draft[] {
  const { peer, from } = facts;
  const withSecret = db.key === 'xep-0220';
  const defaultFrom = from === DEFAULT_FROM;
  const evidence: Evidence[] = [
    { label: 'db:result', value: `from='${from}' to='${peer}' (${withSecret ? 'XEP-0220 key from the secret' : 'random key'})`, source: whereOf(facts) },
    answerEvidence(db),
    ...callbackEvidence(facts, db),
  ];
  const refs = [REF.xep0220];
  switch (db.outcome) {
    case 'valid':
      return [{
        id: 'probe.dialback.valid',
        severity: withSecret ? 'info' : 'warning',
        phase: 'dialback',
        title: withSecret ? `${peer} verified our dialback key for ${from}: federation works` : `${peer} accepted a random dialback key for ${from}`,
        detail: withSecret
          ? `The peer called back the authoritative server of ${from}, which confirmed the key: DNS for ${from}, its inbound s2s port and its secret are all right.`
          : 'A random key cannot be verified: the peer accepts dialback without really checking it.',
        evidence,
        fix: withSecret ? '' : 'Check the peer\'s dialback implementation and its authoritative-server lookups.',
        references: refs,
      }];
    case 'invalid':
      return [{
        id: 'probe.dialback.invalid',
        severity: withSecret ? 'error' : 'info',
        phase: 'dialback',
        title: withSecret ? `${peer} rejected our dialback key for ${from} (invalid)` : `${peer} called back ${from}'s authoritative server, which rejected the random key (expected without a secret)`,
        detail: withSecret
          ? `The authoritative server of ${from} (found by ${peer} through DNS) did not confirm the key: its dialback secret differs from the one given to xfed, or ${from}'s SRV record points at another server or cluster.`
          : `Without the secret xfed cannot make a valid key; this answer still shows that ${peer} resolved ${from} and reached a server that answers db:verify.`,
        evidence,
        fix: withSecret
          ? `Pass the secret the authoritative server of ${from} really uses (Prosody: dialback_secret; ejabberd: hex(SHA-1(Erlang cookie)); Cisco XCP's own key scheme is not public), and check that _xmpp-server._tcp.${from} points at that server.`
          : `Give xfed the dialback secret (${n.secret}) for a full check.`,
        references: refs,
      }];
    case 'error': {
      const expected = defaultFrom && EXPECTED_WITH_DEFAULT_FROM.has(db.condition ?? '');
      return [{
        id: 'probe.dialback.error',
        severity: expected ? 'info' : 'error',
        phase: 'dialback',
        title: `${peer} answered dialback with an error${db.condition ? ` <${db.condition}/>` : ''}${expected ? ` (expected for the default ${n.from} ${from})` : ''}`,
        detail: expected
          ? `${from} is not a real domain, so the peer cannot reach its authoritative server: its dialback path works up to that point. Use ${n.from} <your domain> for a real check.`
          : (DIALBACK_ERROR_ADVICE[db.condition ?? ''] ?? 'The peer could not complete the verification.'),
        evidence,
        fix: expected ? '' : (DIALBACK_ERROR_FIX[db.condition ?? ''] ?? `Read the peer's logs for the dialback of ${from}.`),
        references: [`${REF.xep0220}#errors`],
      }];
    }
    case 'timeout':
      return [{
        id: 'probe.dialback.timeout',
        severity: defaultFrom ? 'info' : 'error',
        phase: 'dialback',
        title: `${peer} gave no dialback answer within ${duration(db.timeoutMs ?? 0)}${defaultFrom ? ` (expected for the default ${n.from} ${from})` : ''}`,
        detail: defaultFrom
          ? `${from} cannot be verified, and some servers (Prosody) then say nothing until their s2s timeout. Use ${n.from} <your domain> for a real check.`
          : `The peer usually waits this long when its callback to the authoritative server of ${from} hangs: ${from}'s SRV record points at an address that drops inbound 5269 (a firewall in front of Expressway-E), or that server never answers db:verify.`,
        evidence,
        fix: defaultFrom ? '' : `Check from outside that _xmpp-server._tcp.${from} resolves and that its targets accept TCP 5269 (xfed check-dns ${from}; xfed probe ${from}).`,
        references: refs,
      }];
    case 'closed':
      return [{
        id: 'probe.dialback.error',
        severity: 'error',
        phase: 'dialback',
        title: `${peer} closed the stream instead of answering dialback`,
        detail: 'No db:result answer came back; the peer dropped the stream (an access rule, a crashed s2s component, or a key it refused outright).',
        evidence,
        fix: `Read the peer's logs for the dialback of ${from}.`,
        references: refs,
      }];
    default:
      return [];
  }
}

/**
 * An answer must mirror the request (XEP-0220 §2.1.1/§2.1.2): from = the peer, to = us, and
 * for db:verify the stream id. Attributes present with other values: the answer is not ours.
 */
function mismatches(facts: ProbeFacts, db: DialbackFacts): string[] {
  const a = db.answer;
  if (!a) return [];
  const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
  const out: string[] = [];
  if (a.from !== undefined && !same(a.from, facts.peer)) out.push(`from='${a.from}' (expected '${facts.peer}')`);
  if (a.to !== undefined && !same(a.to, facts.from)) out.push(`to='${a.to}' (expected '${facts.from}')`);
  if (db.key === 'given' && a.id !== undefined && a.id !== db.streamId) out.push(`id='${a.id}' (expected '${db.streamId ?? ''}')`);
  return out;
}

function mismatched(facts: ProbeFacts, db: DialbackFacts, wrong: string[]): Draft {
  const verify = db.key === 'given';
  const what = verify ? 'db:verify' : 'db:result';
  return {
    id: verify ? 'dialback.verify.mismatched-answer' : 'probe.dialback.mismatched-answer',
    severity: 'error',
    phase: 'dialback',
    title: `${facts.peer} answered our ${what} with type='${db.outcome}' for another ${verify ? 'stream or domain pair' : 'domain pair'}`,
    detail: `A dialback answer names the domains (and, for db:verify, the stream id) it is about; this one does not match what xfed sent, so it proves nothing about the dialback of ${facts.from} with ${facts.peer}: the peer is broken, confused by another session, or lying.`,
    evidence: [
      { label: what, value: `from='${facts.from}' to='${facts.peer}'${verify ? ` id='${db.streamId ?? ''}'` : ''}`, source: whereOf(facts) },
      ...wrong.map((w) => ({ label: 'answer', value: w })),
    ],
    fix: `Read the peer's logs for this session; a server must answer with from='${facts.peer}' and to='${facts.from}' (XEP-0220 §2.1).`,
    references: [verify ? `${REF.xep0220}#protocol-verify` : REF.xep0220],
  };
}

/** The dialback answer: not offered, or the answer to db:result (probe) / db:verify (dialback verify). */
export function evaluateDialback(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  const db = facts.dialback;
  if (!db || db.outcome === 'skipped') return [];
  // The probe's deadline ended the wait, not the dialback timeout: probe.deadline.exceeded says so.
  if (db.outcome === 'timeout' && facts.cut?.deadline?.phase === 'dialback') return [];
  if (db.outcome === 'not-offered') return [notOffered(facts)];
  const wrong = db.outcome === 'valid' || db.outcome === 'invalid' ? mismatches(facts, db) : [];
  if (wrong.length) return [mismatched(facts, db, wrong)];
  return db.key === 'given' ? verifyFindings(facts, db) : resultFindings(facts, db, o.names ?? PROBE_CLI_NAMES);
}
