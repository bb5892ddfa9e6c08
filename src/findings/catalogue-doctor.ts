/** The findings `xfed doctor` adds of its own (src/doctor/); the checks' findings are catalogued with their check. */
import type { CatalogueEntry } from './types.js';

export const DOCTOR_FINDINGS: readonly CatalogueEntry[] = [
  {
    id: 'doctor.check.failed',
    source: 'doctor',
    severity: 'error',
    title: 'A check could not run',
    summary: 'a check could not run at all (xfed failed inside it, or refused its part of the config); the other checks still ran',
    meaning: 'A check could not run at all: the configuration given to it was refused, or xfed failed inside it. The other checks still ran.',
    fix: 'Correct that check\'s part of the config file; if the config is right, run the check alone (e.g. "xfed axl-verify") with XFED_DEBUG=1 to see the stack, and report it.',
    references: [],
  },
  {
    id: 'doctor.deadline.exceeded',
    source: 'doctor',
    severity: 'error',
    title: 'A check did not finish within the run\'s deadline',
    summary: 'a check did not finish within the whole run\'s deadline (`--deadline`, `timeouts.total`, default 300 s); what it left unchecked is in the evidence',
    meaning:
      'A doctor run always ends: when its deadline passes, what finished is reported and each check that had not finished becomes this finding, naming the targets it left unchecked (probes that had not started, or were still running).',
    fix: 'Raise the deadline (xfed doctor --deadline <ms>, config timeouts.total) or the concurrency, or find what stalls by running that check alone.',
    references: [],
  },
  {
    id: 'doctor.ignore.unused',
    source: 'doctor',
    severity: 'info',
    title: 'An ignore entry matched no finding',
    summary: 'an `ignore` entry matched no finding: the problem is gone (remove the entry) or the id is misspelt',
    meaning: 'The problem it silenced is gone (or the id is misspelt); an ignore entry that is no longer needed hides the next occurrence.',
    fix: 'Remove the entry from the config file if the problem is fixed.',
    references: [],
  },
];
