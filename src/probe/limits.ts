/**
 * The probe's own limits: an overall deadline per peer, and caps on the targets and the
 * addresses tried (MAX_TARGETS, MAX_ADDRESSES). Evaluation reports when they cut a probe short.
 */
import { duration, REF, type Draft } from './common.js';
import { PROBE_CLI_NAMES, type ProbeEvaluateOptions, type ProbeFacts } from './types.js';

export function evaluateLimits(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  const out: Draft[] = [];
  const cut = facts.cut;
  const peer = facts.peer;
  if (cut?.deadline) {
    out.push({
      id: 'probe.deadline.exceeded',
      severity: 'error',
      phase: cut.deadline.phase,
      title: `the probe of ${peer} did not finish within ${duration(facts.deadlineMs ?? 0)} (stopped during ${cut.deadline.phase})`,
      detail:
        'xfed stops probing one peer at an overall deadline (by default 4 × the longest phase timeout), so that DNS or servers that stall, or a long list of targets, cannot hold a run for long. Only what was observed until then was judged.',
      evidence: facts.attempts.map((a) => ({ label: 'attempt', value: `${a.address}:${a.port} (${a.host}, ${a.tls}): ${a.code ?? 'connected'} ${a.error ?? ''}`.trim(), source: a.source })),
      fix: `If the peer is merely slow, raise ${(o.names ?? PROBE_CLI_NAMES).deadline}; otherwise find what stalls: targets that never answer TCP, a DNS server that does not answer, or a server that accepts and stays silent.`,
      references: [`${REF.rfc6120}#section-3.2`],
    });
  }
  if (cut?.targets) {
    out.push({
      id: 'probe.targets.capped',
      severity: 'warning',
      phase: 'dns',
      title: `${peer} publishes ${cut.targets.found} server targets; xfed used the first ${cut.targets.kept}`,
      detail: `A domain needs a few SRV targets; every initiating server works through a long list in order, one connection attempt after another. xfed tries at most ${cut.targets.kept} targets of one peer.`,
      evidence: [{ label: 'targets', value: `${cut.targets.found} found, ${cut.targets.kept} used` }],
      fix: `Publish only the _xmpp-server/_xmpps-server records of servers that accept federation for ${peer}; remove stale ones.`,
      references: [`${REF.rfc6120}#section-3.2`, REF.xep0368],
    });
  }
  if (cut?.addresses) {
    out.push({
      id: 'probe.addresses.capped',
      severity: 'warning',
      phase: 'tcp',
      title: `the server targets of ${peer} have more than ${cut.addresses.kept} addresses; xfed tried the first ${cut.addresses.kept}`,
      detail: `xfed tries at most ${cut.addresses.kept} distinct addresses (address, port and TLS mode) of one peer; the others were not tried.`,
      evidence: [{ label: 'addresses', value: `${cut.addresses.found} seen, ${cut.addresses.kept} tried` }],
      fix: 'Keep the A/AAAA records of the SRV targets to the servers that really serve s2s.',
      references: [`${REF.rfc6120}#section-3.2`],
    });
  }
  return out;
}
