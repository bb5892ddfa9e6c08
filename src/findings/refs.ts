/** The documents the findings cite (the same URLs the checks put in `references`). */
export const REF = {
  rfc1035: 'https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1',
  rfc2782: 'https://www.rfc-editor.org/rfc/rfc2782',
  rfc6120: 'https://www.rfc-editor.org/rfc/rfc6120',
  rfc6120dns: 'https://www.rfc-editor.org/rfc/rfc6120#section-3.2',
  rfc7590: 'https://www.rfc-editor.org/rfc/rfc7590',
  rfc4033: 'https://www.rfc-editor.org/rfc/rfc4033#section-5',
  rfc4035: 'https://www.rfc-editor.org/rfc/rfc4035#section-3.2',
  rfc6698: 'https://www.rfc-editor.org/rfc/rfc6698',
  rfc7671: 'https://www.rfc-editor.org/rfc/rfc7671',
  rfc7673: 'https://www.rfc-editor.org/rfc/rfc7673',
  rfc7711: 'https://www.rfc-editor.org/rfc/rfc7711',
  rfc9525: 'https://www.rfc-editor.org/rfc/rfc9525',
  xep0220: 'https://xmpp.org/extensions/xep-0220.html',
  xep0368: 'https://xmpp.org/extensions/xep-0368.html',
  ciscoFederation:
    'https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/chat_presence/exwy_b_chat-and-presence-federation-using-expressway-X1402/exwy_m_xmpp-federation-through-expressway.html',
  ciscoTac213865: 'https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213865-configure-and-troubleshoot-xmpp-federati.html',
  ciscoAxlFaq: 'https://developer.cisco.com/docs/axl/faq',
} as const;

/** `${REF.rfc6120}#section-4.7` and the like. */
export function section(url: string, anchor: string): string {
  return `${url}#${anchor}`;
}
