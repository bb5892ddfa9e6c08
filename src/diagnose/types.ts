/**
 * The diagnose rule schema. Rules are data (one file each under rules/), so the
 * same objects drive matching, `xfed rules`, the generated docs/rules.md and a
 * user's own `--rules` file.
 */
import type { Severity } from '../core/result.js';

/** Where a log line comes from; `any` in a pattern means "whatever the product". */
export type Product = 'expressway' | 'imp' | 'prosody' | 'ejabberd' | 'mongooseim' | 'openfire' | 'jabberd2' | 'tigase' | 'metronome';
export const PRODUCTS: readonly Product[] = ['expressway', 'imp', 'prosody', 'ejabberd', 'mongooseim', 'openfire', 'jabberd2', 'tigase', 'metronome'];

/**
 * One line pattern. `keywords` are literal strings, at least one of which must
 * occur in the physical line (the engine searches all rules' keywords at once,
 * in whole buffers, before it splits lines). `regex` (JavaScript syntax) is then
 * tested on the record: the line, preceded by its header line when the line is a
 * continuation of a multi-line entry. A named group `key` groups evidence and
 * correlates sequences (e.g. the peer domain); a named group `window` (seconds)
 * overrides a sequence's window.
 */
export interface PatternSpec {
  keywords: string[];
  regex?: string;
  /** Keywords match in lower, Capitalised and UPPER case; the regex ignores case. */
  ignoreCase?: boolean;
  /** Products whose lines this pattern applies to (default: the rule's products). */
  products?: Array<Product | 'any'>;
}

export interface LineMatcher {
  line: PatternSpec & {
    /** Fire only when one key is seen this many times (within windowSeconds, if given). */
    threshold?: { count: number; windowSeconds?: number };
  };
}

/** `start` seen and no `end` (same key) within windowSeconds, or before `close` / the end of the file. */
export interface SequenceMatcher {
  sequence: { start: PatternSpec; end: PatternSpec; close?: PatternSpec; windowSeconds?: number };
}

/** Every step seen in order (by time, across files; each step the earliest hit after the previous one), and no `unless` after the hit that completed the chain. */
export interface ChainMatcher {
  chain: { steps: PatternSpec[]; unless?: PatternSpec };
}

/** A file whose path (inside bundles too) matches this regex. */
export interface FileMatcher {
  file: { path: string };
}

/**
 * Findings in xfed's own JSON results (check-dns, probe, axl-verify, doctor).
 * `ids` are exact finding ids, or `prefix.*`; `text` must match the finding's
 * title, detail or evidence. The id `*` alone claims every error or warning
 * finding that no other rule claimed.
 */
export interface FindingMatcher {
  finding: { ids: string[]; text?: string };
}

export type MatcherSpec = LineMatcher | SequenceMatcher | ChainMatcher | FileMatcher | FindingMatcher;

export interface RuleSpec {
  /** Stable dotted id; built-ins start with `diagnose.`. */
  id: string;
  title: string;
  severity: Severity;
  /** Products whose logs the rule reads (documentation and default pattern filter). */
  products: Array<Product | 'xfed-json'>;
  /** Which logs to collect, in words (shown in the docs). */
  logs: string;
  /** Any matcher that fires makes the rule fire; evidence comes from all of them. */
  match: MatcherSpec[];
  cause: string;
  /** Steps, in order. */
  fix: string[];
  references: string[];
  /** Ids of rules this more specific cause replaces when both fire. */
  supersedes?: string[];
  /**
   * What clears the state (alarm lowered, federation re-enabled, a successful
   * dialback with the same peer afterwards): when every key the rule fired for
   * saw one of these later (same key, or a line without a key), the cause is
   * reported as info, "raised at …, cleared at …".
   */
  clears?: PatternSpec[];
  /** Ids of causes that are consequences of this one: when both fire, this one ranks first and names them. */
  explains?: string[];
  /** Notes on line shapes that are inferred rather than captured from a real system. */
  notes?: string;
  /** A user's rules file may disable a built-in rule. */
  enabled?: boolean;
}

/** One input the run read, for the report. */
export interface InputSummary {
  /** File path; members of bundles as `bundle.tgz!path/in/bundle`. */
  source: string;
  kind: 'log' | 'xfed-json' | 'binary' | 'unreadable';
  /** Read through gzip (a .gz file, or a .tar.gz bundle). */
  gzip?: boolean;
  product?: Product;
  bytes: number;
  lines: number;
  /** Lines that a rule pattern matched. */
  matched: number;
}

export interface DiagnoseData {
  diagnose: {
    rules: number;
    /** Up to 200 inputs (files, bundle members, JSON results); `inputsTotal` counts them all. */
    inputs: InputSummary[];
    inputsTotal: number;
    totals: { bytes: number; lines: number; matched: number; skipped: number; results: number };
    /** Finding ids that fired, with their occurrence counts. */
    causes: Array<{ id: string; severity: Severity; count: number }>;
  };
}
