/** The report's only style sheet: inline, system fonts only, and a print layout. */
export const CSS = `
:root{--err:#c62828;--err-bg:#fdecea;--warn:#b45309;--warn-bg:#fff4e0;--ok:#2e7d32;--ok-bg:#e8f5e9;--none:#8a8f98;--info:#2f5f9e;--info-bg:#eaf1fb;--ink:#1d2330;--mute:#5b6473;--line:#dfe3ea;--card:#fff;--bg:#f5f6f8;--accent:#0b5cad}
*{box-sizing:border-box}
html{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0}
code,.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12.5px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:#102a43;color:#fff;padding:22px 32px 18px}
header.top h1{margin:0 0 4px;font-size:22px;font-weight:600;letter-spacing:.2px}
header.top .meta{color:#bcccdc;font-size:13px}
header.top .meta b{color:#fff;font-weight:600}
.chips{margin-top:12px;display:flex;gap:8px;flex-wrap:wrap}
.chip{display:inline-block;padding:3px 10px;border-radius:999px;font-size:12.5px;font-weight:600;background:#243b53;color:#fff}
.chip.error{background:var(--err)}.chip.warning{background:var(--warn)}.chip.ok{background:var(--ok)}.chip.info{background:#486581}
nav.toc{padding:8px 32px;background:#fff;border-bottom:1px solid var(--line);font-size:13px}
nav.toc a{margin-right:18px}
main{max-width:1180px;margin:0 auto;padding:8px 32px 40px}
section.block{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:18px 0}
section.block>h2{margin:0 0 12px;font-size:17px;font-weight:600}
h2 small,h3 small{font-weight:400;color:var(--mute);font-size:12.5px;margin-left:8px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.4px;color:var(--mute);font-weight:600;background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.ids a{display:inline-block;margin:0 8px 2px 0}
.badge{display:inline-block;min-width:46px;text-align:center;padding:1px 7px;border-radius:4px;font-size:11.5px;font-weight:700;letter-spacing:.3px;color:#fff}
.badge.verdict-ok,.badge.sev-ok{background:var(--ok)}.badge.verdict-warning,.badge.sev-warning{background:var(--warn)}.badge.verdict-error,.badge.sev-error{background:var(--err)}.badge.sev-info{background:var(--info)}
tr.verdict-error td:first-child{box-shadow:inset 3px 0 var(--err)}tr.verdict-warning td:first-child{box-shadow:inset 3px 0 var(--warn)}tr.verdict-ok td:first-child{box-shadow:inset 3px 0 var(--ok)}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
svg.path .caption{font-size:11px;font-weight:700;fill:var(--mute);letter-spacing:.6px}
svg.path .node rect{fill:#fff;stroke:var(--none);stroke-width:1.5}
svg.path .node.tone-ok rect{stroke:var(--ok);fill:var(--ok-bg)}svg.path .node.tone-warning rect{stroke:var(--warn);fill:var(--warn-bg)}svg.path .node.tone-error rect{stroke:var(--err);fill:var(--err-bg)}svg.path .node.tone-none rect{fill:#f4f5f7}
svg.path .node .kind{font-size:10px;fill:var(--mute);text-transform:uppercase;letter-spacing:.5px}
svg.path .node .name{font-size:12.5px;font-weight:600;fill:var(--ink);font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}
svg.path .node .sub{font-size:10.5px;fill:var(--mute)}
svg.path .edge path{fill:none;stroke-width:2.2}
svg.path .edge.dashed path{stroke-dasharray:6 4}
svg.path .tone-ok path,svg.path marker.tone-ok path{stroke:var(--ok)}svg.path .tone-warning path{stroke:var(--warn)}svg.path .tone-error path{stroke:var(--err)}svg.path .tone-none path{stroke:var(--none)}
svg.path marker path{stroke:none!important}
svg.path marker.tone-ok path{fill:var(--ok)}svg.path marker.tone-warning path{fill:var(--warn)}svg.path marker.tone-error path{fill:var(--err)}svg.path marker.tone-none path{fill:var(--none)}
svg.path .label rect{fill:#fff;stroke-width:1.2}
svg.path .label text{font-size:10.5px;font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}
svg.path .tone-ok .label rect{stroke:var(--ok)}svg.path .tone-ok .label text{fill:var(--ok)}
svg.path .tone-warning .label rect{stroke:var(--warn)}svg.path .tone-warning .label text{fill:var(--warn)}
svg.path .tone-error .label rect{stroke:var(--err);fill:var(--err-bg)}svg.path .tone-error .label text{fill:var(--err);font-weight:700}
svg.path .tone-none .label rect{stroke:var(--none)}svg.path .tone-none .label text{fill:var(--mute)}
.legend{font-size:12px;color:var(--mute);margin:8px 0 0}
.legend .key{margin-right:14px;white-space:nowrap}
.legend .key i{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:5px;background:var(--none)}
.legend .key.tone-ok i{background:var(--ok)}.legend .key.tone-warning i{background:var(--warn)}.legend .key.tone-error i{background:var(--err)}
svg.waterfall .tick{stroke:var(--line);stroke-width:1}
svg.waterfall .axis{font-size:10px;fill:var(--mute);text-anchor:middle}
svg.waterfall .target{font-size:12.5px;fill:var(--accent);font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}
svg.waterfall .dot{fill:var(--none)}svg.waterfall .verdict-ok .dot{fill:var(--ok)}svg.waterfall .verdict-warning .dot{fill:var(--warn)}svg.waterfall .verdict-error .dot{fill:var(--err)}
svg.waterfall .total{font-size:11px;fill:var(--mute)}
svg.waterfall .broke-error rect{stroke:var(--err);stroke-width:3}svg.waterfall .broke-warning rect{stroke:var(--warn);stroke-width:3}
.legend .key.broke i{background:#fff;border:3px solid var(--err);box-sizing:border-box}
svg.waterfall .in{font-size:10.5px;fill:#fff;font-weight:600}
.p-dns rect,.key.p-dns i{fill:#5b7fb9;background:#5b7fb9}.p-tcp rect,.key.p-tcp i{fill:#3f9d8f;background:#3f9d8f}.p-stream rect,.key.p-stream i{fill:#7a6fb5;background:#7a6fb5}
.p-tls rect,.key.p-tls i{fill:#c0782c;background:#c0782c}.p-features rect,.key.p-features i{fill:#8b9a3c;background:#8b9a3c}.p-auth rect,.key.p-auth i{fill:#b5485d;background:#b5485d}.p-other rect,.key.p-other i{fill:#8a8f98;background:#8a8f98}
.target-block{border-top:1px solid var(--line);padding-top:14px;margin-top:14px}
.target-block:first-of-type{border-top:0;margin-top:0;padding-top:0}
.target-block h3{margin:0 0 4px;font-size:15.5px;font-weight:600}
.target-block h3 .name{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace}
.facts{margin:4px 0 10px;color:var(--mute);font-size:13px}
.facts dt{display:inline;font-weight:600;color:var(--ink)}.facts dd{display:inline;margin:0 16px 0 4px}
.finding{border:1px solid var(--line);border-left:4px solid var(--none);border-radius:6px;padding:10px 14px;margin:10px 0;background:#fff;break-inside:avoid}
.finding.sev-error{border-left-color:var(--err)}.finding.sev-warning{border-left-color:var(--warn)}.finding.sev-info{border-left-color:var(--info)}
.finding .head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.finding .fid{font-weight:700;font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:13px}
.finding .title{font-weight:600}
.finding .detail{margin:6px 0;color:#364152;white-space:pre-wrap}
.finding table.evidence{margin:6px 0;font-size:12.5px}
.finding table.evidence td{padding:3px 8px;border-bottom:1px dashed var(--line)}
.finding table.evidence td.label{width:1%;white-space:nowrap;color:var(--mute);font-weight:600}
.finding table.evidence td.value{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;word-break:break-word}
.finding table.evidence td.where{color:var(--mute);font-size:11.5px;word-break:break-all;width:28%}
.finding .fix{margin:8px 0 4px;padding:8px 12px;background:var(--ok-bg);border-radius:4px;white-space:pre-wrap}
.finding .fix b{color:var(--ok)}
.finding .refs{margin:6px 0 0;font-size:12.5px;color:var(--mute)}
.finding .refs a,.finding .refs .ref-text{margin-right:12px;word-break:break-all}
.glance{border:1px solid #f3c2c2;background:var(--err-bg);border-radius:6px;padding:10px 14px;margin:0 0 14px}
.glance b{color:var(--err)}.glance ul{margin:4px 0 0;padding-left:20px}.glance li{margin:2px 0}
.finding .detail code,.finding .fix code,.finding .title code,.glance code{background:#eef1f5;border-radius:3px;padding:0 3px}
.cause-note{margin:0 0 8px;color:var(--mute)}
.ignored{font-size:12.5px;color:var(--mute)}
footer{max-width:1180px;margin:0 auto;padding:0 32px 30px;color:var(--mute);font-size:12px}
@page{margin:14mm}
@media print{
 html{background:#fff;font-size:11.5px}
 header.top{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink);padding:0 0 8px}
 header.top .meta,header.top .meta b{color:var(--ink)}
 nav.toc{display:none}
 main{padding:0;max-width:none}
 section.block{border:0;padding:0;margin:14px 0}
 .chip,.badge,.finding,svg,.fix{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .finding,tr,svg{break-inside:avoid}
 h2,h3{break-after:avoid}
 .refs a[href^="http"]::after{content:" <" attr(href) ">";color:var(--mute)}
}
`;
