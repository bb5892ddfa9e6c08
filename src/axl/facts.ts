/**
 * What axl-verify observed on one IM&P node, as plain JSON-serialisable data: the outcome of
 * each SOAP exchange (HTTP status, fault, rows, short excerpts of odd bodies), never a whole
 * body. `observeAxl` produces these; `evaluateAxl` judges them without any network.
 */
import type { NearMiss } from './cpid.js';
import type { CertFacts, TransportKind } from './client.js';
import type { Row } from './soap.js';

/** How one AXL request ended. `version` is the AXL version the request asked for. */
export type AxlExchange =
  | { kind: 'rows'; version: string; status: number; rowCount: number }
  | { kind: 'fault'; version: string; status: number; faultcode: string; faultstring: string; axlcode?: number; axlmessage?: string }
  /** 401 or 403; `page` is the title of the HTML page that came with it. */
  | { kind: 'auth'; version: string; status: number; page?: string }
  /** 599; `supported` are the versions its page lists, `message` its "Incorrect axl version" sentence. */
  | { kind: 'version'; version: string; status: number; supported: string[]; message: string }
  | { kind: 'throttled'; version: string; status: number; retryAfter?: string }
  /** Not an AXL answer; `excerpt` is at most ~200 characters of the body. */
  | { kind: 'bad'; version: string; status: number; contentType: string; bytes: number; reason: string; excerpt?: string }
  /** No HTTP answer at all. */
  | { kind: 'transport'; version: string; error: { kind: TransportKind; message: string; code?: string } };

export interface ExpectedNode {
  input: string;
  cpId: string;
  fqdn?: string;
  matched: boolean;
  row?: string;
  nearMisses: NearMiss[];
}

/** `data.axl` of an axl-verify target. */
export interface AxlFacts {
  /** The AXL URL, `https://host:port/axl/`. */
  url: string;
  endpoint: { host: string; port: number; path: string; display: string };
  user: string;
  /** The AXL version that answered the main query (after negotiation). */
  axlVersion?: string;
  /** The version was pinned (--axl-version / axl.version): no negotiation. */
  versionPinned: boolean;
  versionsTried: string[];
  /** Versions a 599 page listed. */
  supportedVersions?: string[];
  /** The query that was run (the xmpps2snodes query, its singular fallback, or the --sql query). */
  sql: string;
  /** True when the query is the user's own (--sql), not the xmpps2snodes check. */
  customSql: boolean;
  /** `xmpps2snodes` (or the singular spelling, if only that exists); absent with --sql. */
  table?: string;
  /** How the main query ended (after version negotiation, the 503 retry and the table fallback). */
  query: AxlExchange;
  /** Rows returned (the table, or the --sql result); prototype-free objects, column -> text. */
  rows?: Row[];
  rowCount?: number;
  /** The expected S2S nodes and what matched them (filled from `rows` by matchExpected). */
  expected: ExpectedNode[];
  /** cp_ids nobody expects and that explain no near miss. */
  unexpected: string[];
  /** --all: the XMPP federation service query; `outcome` when it returned no rows. */
  federation?: { checked: boolean; services: Row[]; outcome?: AxlExchange };
  /** --all: the authenticated GET of the AXL URL (status 0: no HTTP answer). */
  servicePage?: { status: number; ok: boolean; page?: string; excerpt?: string };
  tls: { verify: boolean; ca?: string; customCa: boolean; peer?: CertFacts };
  http: { requests: number; lastStatus?: number; ms: number[] };
}
