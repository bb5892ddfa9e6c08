/** The evaluation of one peer's facts: pure, phase by phase, no socket. */
import { finding, type Finding } from '../core/result.js';
import type { Draft } from './common.js';
import { evaluateCertificate } from './certificate.js';
import { evaluateConnect } from './connect.js';
import { evaluateDane } from './dane.js';
import { evaluateDialback } from './dialback-evaluate.js';
import { evaluateHandshakes } from './handshakes.js';
import { evaluateLimits } from './limits.js';
import { evaluateOwnCert } from './own-cert.js';
import { evaluatePosh } from './posh.js';
import { evaluateSasl } from './sasl.js';
import { evaluateTargets } from './survey.js';
import { evaluateResolve } from './resolve.js';
import { evaluateInterruption, evaluateStream } from './stream.js';
import { evaluateDirectTls, evaluateTls } from './tls.js';
import type { ProbeEvaluateOptions, ProbeFacts } from './types.js';

/** Every finding the facts of one probe support, in the order of the phases. */
export function evaluateProbe(facts: ProbeFacts, options: ProbeEvaluateOptions = {}): Finding[] {
  const drafts: Draft[] = [
    ...evaluateResolve(facts, options),
    ...evaluateDirectTls(facts),
    ...evaluateConnect(facts, options),
    ...evaluateStream(facts),
    ...evaluateTls(facts),
    ...evaluateTargets(facts),
    ...evaluateCertificate(facts, options),
    ...evaluatePosh(facts, options),
    ...evaluateDane(facts),
    ...evaluateHandshakes(facts),
    ...evaluateOwnCert(facts, options),
    ...evaluateInterruption(facts),
    ...evaluateSasl(facts),
    ...evaluateDialback(facts, options),
    ...evaluateLimits(facts, options),
  ];
  return drafts.map((d) => finding({ ...d, target: facts.peer }));
}
