import type { TargetResult } from '../../core/result.js';
import type { DiagnoseData } from '../../diagnose/types.js';
import type { SectionRenderer } from '../human.js';
import { table } from '../style.js';

function size(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

/** What was read: one row per input (bundle members included), then the totals. */
export const diagnoseSection: SectionRenderer = (t, style, opts) => {
  const d = (t as TargetResult<DiagnoseData>).data?.diagnose;
  if (!d) return [];
  const shown = opts.verbose ? d.inputs : d.inputs.slice(0, 10);
  const rows = [['INPUT', 'KIND', 'PRODUCT', 'LINES', 'MATCHED']];
  for (const i of shown) rows.push([i.source, `${i.kind}${i.gzip ? ' (gz)' : ''}`, i.product ?? '-', String(i.lines), String(i.matched)]);
  const out = table(rows, style, '  ');
  if (d.inputsTotal > shown.length) out.push(style.c.dim(`  … ${d.inputsTotal - shown.length} more inputs (--verbose lists up to 200)`));
  const x = d.totals;
  out.push(
    style.c.dim(
      `  read ${d.inputsTotal} input${d.inputsTotal === 1 ? '' : 's'}, ${size(x.bytes)}, ${x.lines} lines (${x.matched} matched a rule, ${x.skipped} skipped)` +
        `${x.results ? `, ${x.results} xfed result file${x.results === 1 ? '' : 's'}` : ''}; ${d.rules} rules`,
    ),
    '',
  );
  return out;
};
