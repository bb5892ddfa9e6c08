/**
 * The AXL emulator's bodies and helpers: recorded fixtures, SOAP answers in the documented shapes
 * (TAC 217581 rows, go-axl faults), hostile answers for the failure scenarios, a tiny SELECT
 * evaluator, the request envelope check, and a throw-away certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SOAP_ENV_NS, axlNamespace, decodeXmlText, escapeXml, type Row } from './soap.js';
import { packageUrl } from '../core/paths.js';

/** The TAC 213865 sample row. */
export const TAC_ROW: Row = { pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' };

const FIXTURES = packageUrl('fixtures/axl/');
const cache = new Map<string, string>();
export function axlFixture(name: string): string {
  let v = cache.get(name);
  if (v === undefined) {
    v = readFileSync(new URL(name, FIXTURES), 'utf8');
    cache.set(name, v);
  }
  return v;
}

export const reqParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** A SOAP fault body in the shape AXL sends (go-axl sample). */
export function faultBody(code: number, message: string, request = 'executeSQLQuery', faultcode = 'soapenv:Client'): string {
  const m = escapeXml(message);
  return (
    "<?xml version='1.0' encoding='UTF-8'?>" +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}"><soapenv:Body><soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${m}</faultstring>` +
    `<detail><axlError><axlcode>${code}</axlcode><axlmessage>${m}</axlmessage><request>${escapeXml(request)}</request></axlError></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}

export function rowXml(row: Row): string {
  return `<row>${Object.entries(row)
    .map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${escapeXml(v)}</${k}>`))
    .join('')}</row>`;
}

/** A success body in the TAC 217581 response shape (`<return/>` for zero rows). */
export function rowsBody(rows: Row[], version: string, sequence?: string): string {
  const seq = sequence === undefined ? '' : ` sequence="${escapeXml(sequence)}"`;
  const ret = rows.length ? `<return>${rows.map(rowXml).join('')}</return>` : '<return/>';
  return (
    "<?xml version='1.0' encoding='utf-8'?>" +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}"><soapenv:Body><ns:executeSQLQueryResponse${seq} xmlns:ns="${axlNamespace(version)}">${ret}</ns:executeSQLQueryResponse></soapenv:Body></soapenv:Envelope>`
  );
}

/** A rows answer whose `<return>` content is `inner`, raw (for hostile shapes). */
export function rawRowsBody(inner: string, version: string): string {
  return rowsBody([TAC_ROW], version).replace(/<return>[\s\S]*<\/return>/, `<return>${inner}</return>`);
}

/** Hostile but well-formed answers: element names that are Object.prototype members, and nesting past any sane depth. */
export const HOSTILE_BODIES: Record<'reserved-names' | 'reserved-row' | 'deep', (version: string) => string> = {
  'reserved-names': (v) =>
    rawRowsBody(`<row><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor><prototype>p</prototype><pkid>${TAC_ROW.pkid}</pkid><cp_id>${TAC_ROW.cp_id}</cp_id></row>`, v),
  'reserved-row': (v) => rawRowsBody('<__proto__><cp_id>x</cp_id></__proto__>', v),
  deep: (v) => rawRowsBody(`<row><pkid>x</pkid><cp_id>${'<a>'.repeat(150)}x${'</a>'.repeat(150)}</cp_id></row>`, v),
};

export class SqlFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A very small SELECT evaluator: `SELECT <cols|*|count(*)> FROM <table>[, ...] [WHERE ...]`.
 * The first table's rows are the answer (WHERE is not evaluated: tables hold exactly the rows a
 * query should see); columns are projected by name or alias, with Informix errors otherwise.
 */
export function runSelect(sql: string, tables: Record<string, Row[]>): Row[] {
  const m = /^\s*select\s+(?:first\s+\d+\s+)?([\s\S]*?)\s+from\s+([a-z_][a-z0-9_]*)/i.exec(sql);
  if (!m) throw new SqlFault(-201, 'A syntax error has occurred.');
  const table = m[2]!.toLowerCase();
  const rows = tables[table];
  if (!rows) throw new SqlFault(-206, `The specified table (${table}) is not in the database.`);
  const list = m[1]!.trim();
  if (list === '*') return rows.map((r) => ({ ...r }));
  if (/^count\s*\(\s*\*\s*\)(\s+(as\s+)?\w+)?$/i.test(list)) {
    const alias = /\)\s+(?:as\s+)?(\w+)$/i.exec(list)?.[1] ?? 'count';
    return [{ [alias.toLowerCase()]: String(rows.length) }];
  }
  const cols = list.split(',').map((item) => {
    const t = item.trim();
    const a = /^(.*?)\s+(?:as\s+)?([a-z_][a-z0-9_]*)$/i.exec(t);
    const expr = (a ? a[1]! : t).trim();
    const col = expr.split('.').pop()!.toLowerCase();
    if (!/^[a-z_][a-z0-9_]*$/.test(col)) throw new SqlFault(-201, 'A syntax error has occurred.');
    return { col, name: (a ? a[2]! : col).toLowerCase() };
  });
  return rows.map((r) => {
    const out: Row = {};
    for (const { col, name } of cols) {
      if (!(col in r)) throw new SqlFault(-217, `Column (${col}) not found in any table in the query (or SLV is undefined).`);
      out[name] = r[col]!;
    }
    return out;
  });
}

export function billionLaughs(version: string): string {
  const ents = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  return (
    `<?xml version="1.0"?><!DOCTYPE lolz [${ents.join('')}]>` +
    rowsBody([{ pkid: '&lol9;', cp_id: 'cm-2_s2scp-1.expe' }], version).replace('&amp;lol9;', '&lol9;').replace(/^<\?xml[^>]*\?>/, '')
  );
}

export function checkEnvelope(doc: Record<string, unknown>, version: string, operation: string): string | { sql: string; sequence?: string } {
  const envKey = Object.keys(doc).find((k) => k === 'Envelope' || k.endsWith(':Envelope'));
  if (!envKey) return 'No SOAP Envelope in the request';
  const env = doc[envKey] as Record<string, unknown>;
  const nsOf = (key: string, ...scopes: Array<Record<string, unknown>>): string | undefined => {
    const prefix = key.includes(':') ? key.split(':')[0] : undefined;
    const attr = prefix ? `@_xmlns:${prefix}` : '@_xmlns';
    for (const s of scopes) if (typeof s === 'object' && s && attr in s) return String(s[attr]);
    return undefined;
  };
  if (nsOf(envKey, env) !== SOAP_ENV_NS) return `The Envelope is not in the SOAP 1.1 namespace ${SOAP_ENV_NS}`;
  const envPrefix = envKey.includes(':') ? `${envKey.split(':')[0]}:` : '';
  const body = env[`${envPrefix}Body`] as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return 'No SOAP Body in the request';
  const opKey = Object.keys(body).find((k) => !k.startsWith('@_') && (k === operation || k.endsWith(`:${operation}`)));
  if (!opKey) return `The Body does not hold the operation named in SOAPAction (${operation})`;
  const op = body[opKey] as Record<string, unknown>;
  const ns = nsOf(opKey, op, body, env);
  if (ns !== axlNamespace(version)) return `The ${operation} element is in namespace ${ns ?? '(none)'}, expected ${axlNamespace(version)} (SOAPAction ver=${version})`;
  if (!op || typeof op !== 'object' || !('sql' in op)) return `${operation} needs a <sql> element`;
  const sqlNode = op.sql;
  const sql = decodeXmlText(typeof sqlNode === 'object' && sqlNode ? String((sqlNode as Record<string, unknown>)['#text'] ?? '') : String(sqlNode ?? ''));
  if (!sql.trim()) return 'The <sql> element is empty';
  const seq = op['@_sequence'];
  return { sql, ...(seq !== undefined ? { sequence: String(seq) } : {}) };
}

/**
 * A fresh self-signed certificate and key (PEM) for the emulator, made with openssl.
 * `ips`/`dns` go into subjectAltName; the certificate is its own CA (pass it as --ca).
 */
export function makeSelfSignedCert(opts: { ips?: string[]; dns?: string[]; cn?: string; days?: number } = {}): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-axl-cert-'));
  try {
    const san = [...(opts.ips ?? []).map((ip) => `IP:${ip}`), ...(opts.dns ?? []).map((d) => `DNS:${d}`)].join(',');
    const args = [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(opts.days ?? 2),
      '-subj', `/CN=${opts.cn ?? 'imp-emulator'}`,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    ];
    execFileSync('openssl', args, { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
