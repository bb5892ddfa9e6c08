/**
 * The built-in rule registry: a plain array, one file per rule. Retired ids stay
 * here as tombstone comments so that they are never reused.
 */
import type { RuleSpec } from '../types.js';
import axlHttp401 from './axl-http-401.js';
import axlS2snodesEmpty from './axl-s2snodes-empty.js';
import axlVersionUnsupported from './axl-version-unsupported.js';
import clusterCommunicationFailure from './cluster-communication-failure.js';
import daneMismatch from './dane-mismatch.js';
import dialbackInvalid from './dialback-invalid.js';
import dialbackTimeout from './dialback-timeout.js';
import dialbackUnsupported from './dialback-unsupported.js';
import dnsPeerUnresolvable from './dns-peer-unresolvable.js';
import dnsSrvMisconfigured from './dns-srv-misconfigured.js';
import dnsSrvMissing from './dns-srv-missing.js';
import dnsSrvPrivate from './dns-srv-private.js';
import dnssecBogus from './dnssec-bogus.js';
import federationDisabled from './federation-disabled.js';
import impClusterRestartNeeded from './imp-cluster-restart-needed.js';
import impFederationEnabled from './imp-federation-enabled.js';
import netPort5269Blocked from './net-port-5269-blocked.js';
import privacyBlocked from './privacy-blocked.js';
import resultOther from './result-other.js';
import streamHostUnknown from './stream-host-unknown.js';
import streamNotAuthorized from './stream-not-authorized.js';
import streamPolicyViolation from './stream-policy-violation.js';
import streamRemoteConnectionFailed from './stream-remote-connection-failed.js';
import tlsCertIdentity from './tls-cert-identity.js';
import tlsCertUntrusted from './tls-cert-untrusted.js';
import tlsModeMismatch from './tls-mode-mismatch.js';
import tlsNegotiationFailed from './tls-negotiation-failed.js';
import tlsOwnCertRefused from './tls-own-cert-refused.js';
import tlsPoshDelegation from './tls-posh-delegation.js';
import traversalPort7400 from './traversal-port-7400.js';
import xcpRouterRestartNeeded from './xcp-router-restart-needed.js';
import { DIAGNOSE_FINDINGS } from '../../findings/catalogue-diagnose.js';

export const BUILTIN_RULES: readonly RuleSpec[] = [
  axlHttp401,
  xcpRouterRestartNeeded,
  axlS2snodesEmpty,
  axlVersionUnsupported,
  impFederationEnabled,
  impClusterRestartNeeded,
  federationDisabled,
  privacyBlocked,
  dnsSrvMissing,
  dnsSrvPrivate,
  dnsSrvMisconfigured,
  dnsPeerUnresolvable,
  dnssecBogus,
  dialbackInvalid,
  dialbackTimeout,
  dialbackUnsupported,
  tlsModeMismatch,
  tlsNegotiationFailed,
  tlsOwnCertRefused,
  tlsCertIdentity,
  tlsPoshDelegation,
  tlsCertUntrusted,
  daneMismatch,
  streamHostUnknown,
  streamNotAuthorized,
  streamPolicyViolation,
  streamRemoteConnectionFailed,
  netPort5269Blocked,
  traversalPort7400,
  clusterCommunicationFailure,
  resultOther,
];

/** Findings the engine itself reports about its inputs (not rules: they cannot be overridden), from the finding catalogue. */
export const INPUT_FINDINGS = DIAGNOSE_FINDINGS.map(({ id, severity, meaning }) => ({ id, severity, meaning }));
