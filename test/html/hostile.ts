/** A saved xfed result whose every string is hostile (as a peer, a log or an edited file could make it). */
export const XSS = '<script>alert(1)</script>';
export const ATTR = '" onload="alert(2)" x="';
export const STYLE_END = '</style><script>alert(3)</script>';
export const IMG = '<img src="http://127.0.0.1:9/leak" onerror="alert(4)">';
export const SVG_END = '</text></svg><svg onload="alert(5)">';

export function hostileRun(): Record<string, unknown> {
  const finding = (id: string, severity: string, extra: Record<string, unknown> = {}) => ({
    id,
    severity,
    title: `title ${XSS} ${ATTR}`,
    detail: `detail ${STYLE_END}\nline two ${IMG} \`<script>alert(12)</script>\``,
    evidence: [{ label: `label ${SVG_END}`, value: `value ${XSS} \u202e\u0007`, source: `src ${ATTR}`, line: 3 }],
    fix: `fix ${IMG}`,
    target: 'evil.example',
    references: ['javascript:alert(6)', 'JaVaScRiPt:alert(7)', 'data:text/html,<script>alert(8)</script>', 'https://ok.example/path?q="><script>alert(9)</script>', ' javascript:alert(10)'],
    ...extra,
  });
  return {
    schema: 1,
    tool: 'xfed',
    version: `0.1.0${XSS}`,
    command: 'probe',
    startedAt: `2026-11-29T00:00:00Z${ATTR}`,
    durationMs: 12,
    options: { from: `us.example${XSS}` },
    targets: [
      {
        target: `evil.example${SVG_END}`,
        display: `evil${XSS}`,
        verdict: 'error',
        findings: [finding('probe.cert.name-mismatch', 'error'), finding(`x"><svg onload=alert(11)>`, 'warning')],
        timings: { dns: 10, tcp: 5, [`tls${XSS}`]: 20, dialback: 3 },
        data: {
          probe: {
            peer: `evil.example${SVG_END}`,
            attempts: [{ host: `xmpp.${SVG_END}`, address: '127.0.0.1', port: 5269, tls: `starttls${XSS}`, source: 'srv', ok: true, ms: 5 }],
            connected: { host: `xmpp.${SVG_END}`, address: '127.0.0.1', port: 5269, tls: 'starttls' },
            tls: { version: `TLSv1.3${STYLE_END}`, chain: [{ subject: `CN=${XSS}`, notAfter: `2027${ATTR}`, daysLeft: 3 }] },
            dialback: { outcome: `invalid${IMG}`, key: 'random' },
          },
        },
      },
    ],
    summary: { targets: 1, errors: 1, warnings: 1, info: 0 },
    exitCode: 1,
  };
}
