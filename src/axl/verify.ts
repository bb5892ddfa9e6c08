/**
 * `axl-verify`: reads IM&P's `xmpps2snodes` table over AXL with the credentials Expressway-C
 * uses, and says why it is wrong (docs/cisco-expressway-imp.md §1, §2, §4 #1-#5, #29).
 * observe (observe.ts: the SOAP exchanges) + evaluate (evaluate.ts: facts -> findings).
 * Programmatic core: no printing, no process.exit (xfed doctor calls it too).
 */
import { InputError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { targetResult, type TargetResult } from '../core/result.js';
import { checkAxlInput } from './endpoint.js';
import { evaluateAxl, matchExpected } from './evaluate.js';
import type { AxlOptionNames } from './evaluate-exchange.js';
import type { AxlFacts } from './facts.js';
import { observeAxl } from './observe.js';

export { DEFAULT_AXL_VERSION, DEFAULT_TIMEOUT_MS, FEDERATION_SERVICE_SQL, S2S_TABLE, S2S_TABLE_ALT, parseServer, s2sQuery } from './endpoint.js';
export { authFix, printable } from './evaluate.js';
export type { AxlExchange, AxlFacts, ExpectedNode } from './facts.js';

export interface AxlVerifyOptions {
  /** `imp-host`, `imp-host:port`, `[v6]:port` or `https://imp-host:8443/axl/`. */
  server: string;
  user: string;
  password: string;
  /** Expressway-E FQDNs or cp_ids that must be in the table. */
  expect?: string[];
  /** Pin the AXL version (no negotiation). */
  axlVersion?: string;
  /** Extra CA certificates, PEM text. */
  ca?: string;
  /** Where the CA came from (a file name), for the report. */
  caSource?: string;
  insecure?: boolean;
  timeoutMs?: number;
  /** Run this one SELECT instead of the xmpps2snodes check. */
  sql?: string;
  /** Also check that XMPP federation is off on IM&P and that GET /axl/ works. */
  all?: boolean;
  maxResponseBytes?: number;
  /** Wait before the one retry after a 503 (default: Retry-After, at most 2 s; 500 ms without it). */
  throttleRetryMs?: number;
  onProgress?: (label: string) => void;
  /** How findings name the options behind them (default: the command line's flags; doctor: its config keys). */
  names?: AxlOptionNames;
}

/** The data of an axl-verify target. */
export interface AxlTargetData {
  axl: AxlFacts;
}

/** Runs the AXL checks against one IM&P node. Never throws for network trouble: that becomes findings. */
export async function axlVerify(opts: AxlVerifyOptions): Promise<TargetResult<AxlTargetData>> {
  const req = checkAxlInput(opts);
  if (!opts.password) throw new InputError('axl.password', 'is missing (set XFED_AXL_PASSWORD, or give a password file)', 'XFED_AXL_PASSWORD_MISSING');
  registerSecret(opts.password);
  const t0 = performance.now();
  const { onProgress, names, expect: _expect, server: _server, sql: _sql, ...rest } = opts;
  const facts = await observeAxl({ ...rest, ...req }, onProgress ? { onProgress } : {});
  const total = performance.now() - t0;
  Object.assign(facts, matchExpected(facts, req.expected));
  return targetResult(req.endpoint.display, evaluateAxl(facts, req.expected, names), { axl: facts }, { timings: { axl: Math.round(total * 10) / 10 } });
}
