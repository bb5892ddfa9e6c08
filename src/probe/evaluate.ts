/** The evaluation of one peer's facts: pure, phase by phase, no socket. */
import { finding, type Finding } from '../core/result.js';
import type { Draft } from './common.js';
import { evaluateCertificate } from './certificate.js';
import { evaluateConnect } from './connect.js';
import { evaluateDialback } from './dialback-evaluate.js';
import { evaluateLimits } from './limits.js';
import { evaluateResolve } from './resolve.js';
import { evaluateInterruption, evaluateStream } from './stream.js';
import { evaluateDirectTls, evaluateTls } from './tls.js';
import type { ProbeEvaluateOptions, ProbeFacts } from './types.js';

/** Every finding the facts of one probe support, in the order of the phases. */
export function evaluateProbe(facts: ProbeFacts, options: ProbeEvaluateOptions = {}): Finding[] {
  const drafts: Draft[] = [
    ...evaluateResolve(facts),
    ...evaluateDirectTls(facts),
    ...evaluateConnect(facts),
    ...evaluateStream(facts),
    ...evaluateTls(facts),
    ...evaluateCertificate(facts, options),
    ...evaluateInterruption(facts),
    ...evaluateDialback(facts),
    ...evaluateLimits(facts),
  ];
  return drafts.map((d) => finding({ ...d, target: facts.peer }));
}
