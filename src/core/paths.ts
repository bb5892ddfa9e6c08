/**
 * Files of the installed package (package.json, fixtures/), found from this module's own place:
 * dist/src/core/paths.js when run from tsc's output, dist/bundle/<chunk>.js in the bundle
 * (scripts/bundle.mjs puts every module directly under dist/bundle/).
 */
const ROOT = new URL(/\/dist\/bundle\/[^/]+$/.test(import.meta.url) ? '../../' : '../../../', import.meta.url);

/** The URL of `rel` (a path with `/`) under the package root. */
export function packageUrl(rel: string): URL {
  return new URL(rel, ROOT);
}
