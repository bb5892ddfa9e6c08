/**
 * The built-in rule registry: a plain array, one file per rule. Retired ids stay
 * here as tombstone comments so that they are never reused.
 */
import type { RuleSpec } from '../types.js';
import axlHttp401 from './axl-http-401.js';
import axlS2snodesEmpty from './axl-s2snodes-empty.js';
import axlVersionUnsupported from './axl-version-unsupported.js';
import clusterCommunicationFailure from './cluster-communication-failure.js';
import dialbackInvalid from './dialback-invalid.js';
import dialbackTimeout from './dialback-timeout.js';
import dnsPeerUnresolvable from './dns-peer-unresolvable.js';
import dnsSrvMisconfigured from './dns-srv-misconfigured.js';
import dnsSrvMissing from './dns-srv-missing.js';
import dnsSrvPrivate from './dns-srv-private.js';
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
import tlsNegotiationFailed from './tls-negotiation-failed.js';
import traversalPort7400 from './traversal-port-7400.js';
import xcpRouterRestartNeeded from './xcp-router-restart-needed.js';

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
  dialbackInvalid,
  dialbackTimeout,
  tlsNegotiationFailed,
  tlsCertIdentity,
  tlsCertUntrusted,
  streamHostUnknown,
  streamNotAuthorized,
  streamPolicyViolation,
  streamRemoteConnectionFailed,
  netPort5269Blocked,
  traversalPort7400,
  clusterCommunicationFailure,
  resultOther,
];

/** Findings the engine itself reports about its inputs (not rules: they cannot be overridden). */
export const INPUT_FINDINGS = [
  { id: 'diagnose.input.unreadable', severity: 'error', meaning: 'A file or directory could not be read (permissions, I/O error, corrupt compressed data); its causes are unknown.' },
  { id: 'diagnose.input.truncated', severity: 'warning', meaning: 'A .gz file or tar bundle ends early; the lines before the cut were diagnosed.' },
  { id: 'diagnose.input.decompression-capped', severity: 'warning', meaning: 'A .gz file or bundle expands more than 100:1 (after 16 MiB), or the run decompressed more than 2 GiB: it was read only up to that point.' },
  { id: 'diagnose.input.binary', severity: 'info', meaning: 'Binary files (pcap captures, images...) were skipped.' },
  { id: 'diagnose.input.long-line', severity: 'info', meaning: 'Lines longer than 256 KiB were cut to their first 256 KiB.' },
  { id: 'diagnose.input.loop', severity: 'warning', meaning: 'A symbolic link leads back into a directory being read; it was not followed again.' },
  { id: 'diagnose.input.bad-json', severity: 'warning', meaning: 'A JSON file looks like xfed output but does not parse, or is not an xfed result.' },
  { id: 'diagnose.input.unknown-format', severity: 'info', meaning: 'No line of a file looks like an Expressway, IM&P, Prosody or ejabberd log; it was still searched.' },
  { id: 'diagnose.no-match', severity: 'info', meaning: 'No rule matched: no known failure pattern in the inputs.' },
] as const;
