import type { RuleSpec } from '../types.js';
import { REF } from './shared.js';

export default {
  id: 'diagnose.axl.version-unsupported',
  title: 'IM&P refused the AXL version (HTTP 599)',
  severity: 'warning',
  products: ['expressway', 'xfed-json'],
  logs: 'Expressway-C `network.axl` log; `xfed axl-verify --json`',
  match: [
    { line: { keywords: ['Status="599"'], regex: String.raw`(?=.*(?:executeSQLQuery|network\.axl|/axl/))(?:.*URL="https?://(?<key>[^/:"]+))?.*Status="599"` } },
    { finding: { ids: ['axl.version.unsupported'] } },
  ],
  cause: 'The AXL client asked for an API version IM&P does not support ("Incorrect axl version. Supported axl versions are ..."), so the AXL write fails like a 401 does.',
  fix: ['Upgrade Expressway to a release that supports the IM&P version, or retry with one of the versions IM&P lists (`xfed axl-verify` does this automatically).'],
  references: [REF.tac213865],
} satisfies RuleSpec;
