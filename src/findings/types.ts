/**
 * The shape of a finding catalogue entry. The catalogue (catalogue-*.ts, one file per
 * check) is pure data: `xfed explain`, docs/findings.md, the README's finding tables
 * and the test that checks emitted ids all read it. Adding an id is one object in one file.
 */
import type { Severity } from '../core/result.js';

/** The command (or check) that emits an id. */
export type FindingSource = 'check-dns' | 'probe' | 'dialback' | 'axl-verify' | 'doctor' | 'diagnose';

/** Another severity the same id is emitted with, and when. */
export interface SeverityVariant {
  severity: Severity;
  /** When, as the end of a sentence: "with --allow-private", "when a later target worked". */
  when: string;
}

export interface CatalogueEntry {
  /** The stable dotted id, exactly as findings carry it. */
  id: string;
  source: FindingSource;
  /** The usual severity. */
  severity: Severity;
  /** Every other severity the code emits this id with (the test of emitted severities is exact). */
  variants?: readonly SeverityVariant[];
  /** What it says, as a line (findings carry a more specific title). */
  title: string;
  /** One line for the tables (README, docs/findings.md). */
  summary: string;
  /** What it means: a few sentences. */
  meaning: string;
  /** How to fix it; empty for purely informative ids. */
  fix: string;
  /** RFC/XEP sections, Cisco documents. */
  references: readonly string[];
}
