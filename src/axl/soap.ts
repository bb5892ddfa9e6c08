/**
 * AXL `executeSQLQuery` over SOAP 1.1: building the request, reading the answer.
 *
 * Shapes follow the AXL WSDL/XSD (schema/14.0 AXLAPI.wsdl, AXLSoap.xsd) and the real samples in
 * docs/cisco-expressway-imp.md §1 (TAC 217581 request/response, go-axl fault, AletheiaUC 599).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const axlNamespace = (version: string): string => `http://www.cisco.com/AXL/API/${version}`;

/** `"CUCM:DB ver=15.0 executeSQLQuery"`, quoted as Cisco's own clients send it. */
export const soapAction = (version: string, operation = 'executeSQLQuery'): string => `"CUCM:DB ver=${version} ${operation}"`;

/** AXL versions are `major.minor` (8.0 ... 15.0). */
export const VERSION_RE = /^\d{1,2}\.\d{1,2}$/;

/** Wraps text in CDATA, splitting any `]]>` so it cannot close the section early (XSD: "wrap the SQL command inside a CDATA element"). */
export function cdata(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The request body of one executeSQLQuery call. */
export function buildExecuteSqlQuery(sql: string, version: string, sequence?: number | bigint): string {
  const seq = sequence === undefined ? '' : ` sequence="${escapeXml(String(sequence))}"`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:ns="${escapeXml(axlNamespace(version))}">` +
    '<soapenv:Header/><soapenv:Body>' +
    `<ns:executeSQLQuery${seq}><sql>${cdata(sql)}</sql></ns:executeSQLQuery>` +
    '</soapenv:Body></soapenv:Envelope>'
  );
}

export type Row = Record<string, string>;

export type AxlAnswer =
  | { kind: 'rows'; rows: Row[]; sequence?: string }
  | { kind: 'fault'; faultcode: string; faultstring: string; axlcode?: number; axlmessage?: string; request?: string };

/** A body that is not the SOAP xfed expects; `reason` is one line for the finding. */
export class BadSoapError extends Error {
  override name = 'BadSoapError';
  constructor(
    readonly reason: string,
    readonly kind: 'dtd' | 'malformed' | 'too-deep' | 'not-soap' | 'html' | 'empty',
  ) {
    super(reason);
  }
}

/** Elements nested deeper than this are refused (the envelope of a row's column is 6 deep). */
export const MAX_XML_DEPTH = 100;

/**
 * Element names that are also Object.prototype members. fast-xml-parser refuses the first three
 * (and renames the rest); xfed escapes them all with a character no XML name can hold, so a
 * column called `constructor` reads as data and never reaches an object's prototype chain.
 */
const RESERVED_NAMES = new Set([
  '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toString',
  'toLocaleString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);
const ESCAPE = '\u0001';
const escapeName = (name: string): string => (RESERVED_NAMES.has(name) ? `${ESCAPE}${name}` : name);
const unescapeName = (key: string): string => (key.startsWith(ESCAPE) ? key.slice(1) : key);

const parser = new XMLParser({
  transformTagName: escapeName,
  // fast-xml-parser does not count the root element.
  maxNestedTags: MAX_XML_DEPTH - 1,
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // No entity expansion at all: the body comes from the network. The five predefined
  // entities and character references are decoded by decodeXmlText below.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: false,
});

/** Decodes the XML predefined entities and numeric character references (no DTD entities exist). */
export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (m, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
    }
  });
}

function looksLikeHtml(body: string): boolean {
  return /^\s*(<!doctype\s+html|<html[\s>])/i.test(body) || /<(html|body|head|title)[\s>]/i.test(body.slice(0, 2048));
}

/** Text of an HTML page's <title> or first <h1>, for evidence (Tomcat error pages carry the status there). */
export function htmlSummary(body: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,300})<\/title>/i.exec(body) ?? /<h1[^>]*>([^<]{1,300})<\/h1>/i.exec(body);
  return m ? decodeXmlText(m[1]!.trim().replace(/\s+/g, ' ')) : undefined;
}

/** Plain text of an HTML or XML body (tags removed, whitespace squeezed), at most `max` characters. */
export function bodyText(body: string, max = 300): string {
  // The start of the body is enough for one line of evidence, and bounds the regex work.
  const text = decodeXmlText(body.slice(0, 65_536).replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('#text' in o) return decodeXmlText(String(o['#text']));
    return '';
  }
  return decodeXmlText(String(v));
}

/**
 * Parses an AXL SOAP body (any namespace prefixes). Throws BadSoapError for a DTD, malformed
 * XML, HTML or XML that is not an executeSQLQuery answer or a SOAP fault.
 */
export function parseAxlResponse(body: string): AxlAnswer {
  if (!body.trim()) throw new BadSoapError('the response body is empty', 'empty');
  // Refused before parsing: a DTD is how entity-expansion ("billion laughs") and external-entity attacks start.
  if (/<!DOCTYPE\s+(?!html\b)|<!ENTITY/i.test(body)) throw new BadSoapError('the response carries a DTD (refused: AXL never sends one)', 'dtd');
  if (looksLikeHtml(body)) {
    const title = htmlSummary(body);
    throw new BadSoapError(`HTML where SOAP was expected${title ? ` ("${title}")` : ''}`, 'html');
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    const e = valid.err;
    throw new BadSoapError(`malformed XML at line ${e.line}, column ${e.col}: ${e.msg}`, 'malformed');
  }
  const doc = parseXml(body);
  const env = doc.Envelope as Record<string, unknown> | undefined;
  const soapBody = env && typeof env === 'object' ? (env.Body as Record<string, unknown> | undefined) : undefined;
  if (!soapBody || typeof soapBody !== 'object') throw new BadSoapError('XML but not a SOAP envelope (no Envelope/Body)', 'not-soap');

  const fault = soapBody.Fault as Record<string, unknown> | undefined;
  if (fault && typeof fault === 'object') {
    const detail = (fault.detail ?? fault.Detail) as Record<string, unknown> | undefined;
    const axlError = detail && typeof detail === 'object' ? (detail.axlError as Record<string, unknown> | undefined) : undefined;
    const out: AxlAnswer = { kind: 'fault', faultcode: text(fault.faultcode), faultstring: text(fault.faultstring) };
    if (axlError && typeof axlError === 'object') {
      const code = Number(text(axlError.axlcode));
      if (Number.isFinite(code) && text(axlError.axlcode) !== '') out.axlcode = code;
      out.axlmessage = text(axlError.axlmessage);
      out.request = text(axlError.request);
    }
    return out;
  }

  const resp = soapBody.executeSQLQueryResponse as Record<string, unknown> | string | undefined;
  if (resp === undefined) throw new BadSoapError(`a SOAP envelope without executeSQLQueryResponse (got ${Object.keys(soapBody).map(unescapeName).join(', ') || 'an empty Body'})`, 'not-soap');
  const sequence = typeof resp === 'object' && resp['@_sequence'] !== undefined ? String(resp['@_sequence']) : undefined;
  const ret = typeof resp === 'object' ? resp.return : undefined;
  // `<return/>` (zero rows) parses as an empty string.
  if (ret === undefined || ret === '' || ret === null) {
    if (typeof resp === 'object' && !('return' in resp)) throw new BadSoapError('executeSQLQueryResponse without a <return> element', 'not-soap');
    return { kind: 'rows', rows: [], ...(sequence ? { sequence } : {}) };
  }
  if (typeof ret !== 'object') throw new BadSoapError('unexpected text in <return>', 'not-soap');
  const other = Object.keys(ret).find((k) => k !== 'row' && !k.startsWith('@_'));
  if (other !== undefined) throw new BadSoapError(`<return> holds <${unescapeName(other)}> where AXL sends only <row> elements`, 'not-soap');
  const raw = (ret as Record<string, unknown>).row;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return { kind: 'rows', rows: list.map(readRow), ...(sequence ? { sequence } : {}) };
}

/** One `<row>` as a prototype-free object, column name -> text (a repeated column keeps its first value). */
function readRow(r: unknown): Row {
  const row = Object.create(null) as Row;
  if (r && typeof r === 'object') {
    for (const [k, v] of Object.entries(r as Record<string, unknown>)) if (!k.startsWith('@_')) row[unescapeName(k)] = text(Array.isArray(v) ? v[0] : v);
  }
  return row;
}

/** fast-xml-parser on a validated body; any error it raises (nesting, names) is a BadSoapError. */
function parseXml(body: string): Record<string, unknown> {
  try {
    return parser.parse(body) as Record<string, unknown>;
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    if (/nested/i.test(msg)) throw new BadSoapError(`XML nested deeper than ${MAX_XML_DEPTH} elements (refused)`, 'too-deep');
    throw new BadSoapError(`the XML parser refused the body: ${msg.slice(0, 200)}`, 'malformed');
  }
}

/**
 * The versions a 599 page lists ("Incorrect axl version. Supported axl versions are 12.x, 14.0
 * and 15.0"), as AletheiaUC's collector parses them. Empty when the page lists none.
 */
export function parseSupportedVersions(body: string): string[] {
  const plain = bodyText(body, 4000);
  const m = /Supported\s+axl\s+versions\s+are\s+([0-9x.,\s]+(?:and\s+[0-9x.]+)?)/i.exec(plain);
  if (!m) return [];
  return m[1]!
    .split(/,|\band\b/)
    .map((v) => v.trim().replace(/\.$/, ''))
    .filter((v) => /^\d{1,2}\.(\d{1,2}|x)$/i.test(v));
}

function versionKey(v: string): number {
  const [maj, min] = v.split('.');
  return Number(maj) * 100 + (min === 'x' || min === 'X' ? 0 : Number(min));
}

/** The highest listed version, as something to send (`12.x` -> `12.0`). */
export function bestVersion(list: string[]): string | undefined {
  const sorted = [...list].sort((a, b) => versionKey(b) - versionKey(a));
  const best = sorted[0];
  return best?.replace(/\.x$/i, '.0');
}
