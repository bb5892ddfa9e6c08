/**
 * undici, loaded on first use: it is large (HTTP/1.1, HTTP/2, pools), and most runs never make an
 * HTTP request (a probe fetches POSH only when the domain has an address; DNS uses DoH only when
 * asked). undici is CommonJS: node gives its exports as named ones, esbuild's split bundle as
 * `default`; both are accepted.
 */
export type Undici = typeof import('undici');

let loaded: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  return (loaded ??= import('undici').then((m) => ('Agent' in m ? m : (m as unknown as { default: Undici }).default)));
}
