/**
 * Common secret shapes as they show up in logs (Expressway, IM&P, Prosody, ejabberd, Openfire,
 * HTTP traces). Each must be masked in diagnose evidence: `secrets` never appear in the
 * output, `keeps` (the surrounding names that make the line useful) still do.
 */
export interface SecretShape {
  name: string;
  /** A fragment of a log line holding the secret. */
  line: string;
  secrets: string[];
  keeps?: string[];
}

export const SECRET_SHAPES: SecretShape[] = [
  { name: 'password=', line: 'user=axladmin password=Hq7pw01 host=cups', secrets: ['Hq7pw01'], keeps: ['user=axladmin', 'host=cups'] },
  { name: 'passwd=', line: 'passwd=Hq7pw02 next', secrets: ['Hq7pw02'], keeps: ['next'] },
  { name: 'pwd=', line: 'login?user=axl&pwd=Hq7pw03&lang=en', secrets: ['Hq7pw03'], keeps: ['&lang=en'] },
  { name: 'pass=', line: 'ldap bind dn=cn=axl pass=Hq7pw04', secrets: ['Hq7pw04'] },
  { name: 'passphrase=', line: 'tls key passphrase=Hq7pw05', secrets: ['Hq7pw05'] },
  { name: 'token=', line: 'GET /api/sync?token=Hq7pw06&full=1', secrets: ['Hq7pw06'], keeps: ['&full=1'] },
  { name: 'secret=', line: 'secret=Hq7pw07', secrets: ['Hq7pw07'] },
  { name: 'dialback_secret = "…" (Prosody config)', line: 'dialback_secret = "Hq7 pw08"', secrets: ['Hq7', 'pw08'] },
  { name: 'password: (colon form)', line: 'Detail="AXL password: Hq7pw09" Level="INFO"', secrets: ['Hq7pw09'], keeps: ['Level="INFO"'] },
  { name: 'JSON "password":"…"', line: '{"user":"axl","password":"Hq7pw10","port":8443}', secrets: ['Hq7pw10'], keeps: ['"port":8443'] },
  { name: 'JSON "apiKey": "…"', line: '{"apiKey": "Hq7pw11"}', secrets: ['Hq7pw11'] },
  { name: 'JSON "private_key": "…"', line: '{"private_key":"Hq7pw12","kid":"k1"}', secrets: ['Hq7pw12'], keeps: ['"kid":"k1"'] },
  { name: 'escaped JSON in a quoted field', line: 'Detail="{\\"token\\":\\"Hq7pw13\\"}" Level="DEBUG"', secrets: ['Hq7pw13'], keeps: ['Level="DEBUG"'] },
  { name: '<password>…</password>', line: '<axl:password>Hq7pw14</axl:password><user>axl</user>', secrets: ['Hq7pw14'], keeps: ['<user>axl</user>'] },
  { name: 'XML-escaped <password>', line: 'body=&lt;password&gt;Hq7pw15&lt;/password&gt;', secrets: ['Hq7pw15'] },
  { name: 'Authorization: Basic', line: 'Authorization: Basic SHE3cHcxNjpIcTdwdzE2', secrets: ['SHE3cHcxNjpIcTdwdzE2'], keeps: ['Basic'] },
  { name: 'Authorization: Bearer', line: 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.Hq7pw17.sig', secrets: ['Hq7pw17'] },
  {
    name: 'Authorization: Digest (every parameter)',
    line: 'Authorization: Digest username="axl", realm="cups", nonce="Hq7nonce18", uri="/axl/", response="Hq7pw18", qop=auth, nc=00000001, cnonce="Hq7cn18"',
    secrets: ['Hq7pw18', 'Hq7nonce18', 'Hq7cn18'],
    keeps: ['Digest'],
  },
  { name: 'Authorization: Negotiate', line: 'Authorization: Negotiate YIIHq7pw19Kerberos==', secrets: ['YIIHq7pw19Kerberos'] },
  { name: 'Authorization header inside a quoted log field', line: 'Headers="Authorization: Basic SHE3cHcyMA==" Status="401"', secrets: ['SHE3cHcyMA'], keeps: ['Status="401"'] },
  { name: 'Bearer outside an Authorization header', line: 'retrying with Bearer Hq7pw21.token.value', secrets: ['Hq7pw21'] },
  { name: 'X-Auth-Token:', line: 'X-Auth-Token: Hq7pw22', secrets: ['Hq7pw22'] },
  { name: 'Cookie: JSESSIONIDSSO=…', line: 'Cookie: JSESSIONIDSSO=Hq7pw23; JSESSIONID=Hq7pw23b', secrets: ['Hq7pw23'], keeps: ['JSESSIONIDSSO=', 'JSESSIONID='] },
  { name: 'Set-Cookie: JSESSIONIDSSO=…', line: 'Set-Cookie: JSESSIONIDSSO=Hq7pw24; Path=/; Secure; HttpOnly', secrets: ['Hq7pw24'], keeps: ['HttpOnly'] },
  { name: 'Erlang -setcookie (ejabberd dialback secret source)', line: 'erl -sname ejabberd -setcookie Hq7pw25 -noshell', secrets: ['Hq7pw25'], keeps: ['-noshell'] },
  { name: 'ERLANG_COOKIE= (ejabberdctl.cfg)', line: 'ERLANG_COOKIE=Hq7pw26', secrets: ['Hq7pw26'] },
  { name: '<db:result> dialback key', line: "sending:: <db:result from='coluc.com' to='vngtp.lab'>Hq7pw27abc</db:result>", secrets: ['Hq7pw27abc'], keeps: ["from='coluc.com'"] },
  { name: 'XML-escaped <db:verify> dialback key', line: "&lt;db:verify from='a.test' to='b.test' id='s1'&gt;Hq7pw28abc&lt;/db:verify&gt;", secrets: ['Hq7pw28abc'] },
  { name: 'URL credentials', line: 'URL="https://axl:Hq7pw29@cups:8443/axl/"', secrets: ['Hq7pw29'], keeps: ['@cups:8443/axl/'] },
  { name: 'URL-escaped value', line: 'POST body password=Hq7%40pw30%2Fx&user=axl', secrets: ['Hq7%40pw30', 'pw30'], keeps: ['&user=axl'] },
  { name: 'XML-escaped value', line: '<password>Hq7&amp;pw31&lt;Zq31</password>', secrets: ['Hq7', 'pw31', 'Zq31'] },
];
