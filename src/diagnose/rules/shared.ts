/** Patterns and references that several rules share. */
import type { PatternSpec } from '../types.js';

export const REF = {
  tac213865: 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html',
  x1402: 'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html',
  tac117811: 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway-series/117811-configure-vcs-00.html',
  tac217230: 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/217230-what-is-expressway-cluster-and-how-it-wo.html',
  imp125: 'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/cucm/im_presence/interdomain_federation/12_5_1/cup0_b_interdomain-federation-1251/cup0_b_interdomain-federation-1251_chapter_010000.html',
  rfc6120streams: 'https://www.rfc-editor.org/rfc/rfc6120#section-4.9.3',
  xep0220: 'https://xmpp.org/extensions/xep-0220.html',
  rfc6125: 'https://www.rfc-editor.org/rfc/rfc6125',
  rfc2782: 'https://www.rfc-editor.org/rfc/rfc2782',
};

/** Expressway-C's AXL response line: `Function="executeSQLQuery" Status="401" Reason="None"` (TAC 213865). */
export const AXL_AUTH_FAILED: PatternSpec = {
  keywords: ['Status="401"', 'Status="403"'],
  regex: String.raw`(?=.*(?:executeSQLQuery|network\.axl|/axl/))(?:.*URL="https?://(?<key>[^/:"]+))?.*Status="40[13]"`,
  products: ['expressway'],
};

/** A successful AXL write after the failure (inferred: the doc shows only the 401 shape). */
export const AXL_OK: PatternSpec = {
  keywords: ['Status="200"'],
  regex: String.raw`(?=.*(?:executeSQLQuery|network\.axl|/axl/))(?:.*URL="https?://(?<key>[^/:"]+))?.*Status="200"`,
  products: ['expressway'],
};

/** IM&P XCP Router (re)start (inferred line shape). */
export const XCP_ROUTER_RESTART: PatternSpec = {
  keywords: ['Router start', 'Router restart'],
  regex: String.raw`XCP[ -]?Router (?:re)?start`,
  products: ['imp', 'expressway'],
};

/** IM&P XCP Router bouncing packets (inferred line shape, from the seed's "keeps bouncing packets"). */
export const XCP_BOUNCE: PatternSpec = {
  keywords: ['ouncing packet', 'ounced packet'],
  regex: String.raw`^(?=.*[Bb]ounc(?:ed|ing) packet)(?:.*?\bto=['"]?(?:[^@\s'"]*@)?(?<key>[\w.-]+))?`,
  products: ['imp'],
};

/** Expressway-E privacy mode: the default Allow list blocks every domain not on it (inferred line shape). */
export const PRIVACY_BLOCK: PatternSpec = {
  keywords: ['rivacy policy', 'rivacy list'],
  regex: String.raw`[Pp]rivacy.*(?:[Dd]en(?:y|ied)|[Bb]lock|[Rr]eject|not (?:in|on) (?:the )?allow|[Aa]llow ?list)|(?:[Dd]en(?:y|ied)|[Bb]lock|[Rr]eject).*[Pp]rivacy`,
  products: ['expressway'],
};

/** Matches a stream error condition in any product's wording (RFC 6120 §4.9.3). */
export function streamErrorPattern(condition: string, unless?: string): PatternSpec {
  return {
    keywords: [condition],
    regex: String.raw`${unless ? `^(?!.*(?:${unless}))` : ''}(?=.*(?:stream:error|xmpp-streams|[Ss]tream closed|[Ss]tream error|Session closed by remote|Disconnecting|closed: ))(?:.*?(?:to=['"]|from=['"]|connection |s2s stream )(?<key>[\w.-]+(?:->|\s->\s)?[\w.-]*))?.*\b${condition}\b`,
    products: ['any'],
  };
}
