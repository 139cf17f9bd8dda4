// The report card as one self-contained HTML page: verdict first (targets met), then the eval table,
// the curves per stage (inline SVG), stage timings, the model's shape, the data and the run's notes.
import { marked } from 'marked';
import { lineChart, escapeXml as esc } from './svg-chart.ts';
import { summarize, fmtValue, fmtNumber, fmtGap, fmtSeconds, fmtCount, type ReportSummary } from './summary.ts';
import type { RunData } from './read-run.ts';
import { compareTable } from './compare-table.ts';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2937;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}.muted{color:#6b7280}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #f0f0f0;text-align:left}
th{font-weight:600;background:#f9fafb}td.n{text-align:right;font-variant-numeric:tabular-nums}
.met{color:#047857;font-weight:600}.missed{color:#b91c1c;font-weight:600}.na{color:#9ca3af}
.verdict{display:inline-block;padding:6px 12px;border-radius:6px;font-weight:600;margin:8px 0}
.verdict.ok{background:#d1fae5;color:#065f46}.verdict.bad{background:#fee2e2;color:#991b1b}.verdict.none{background:#f3f4f6;color:#374151}
.charts{display:flex;flex-wrap:wrap;gap:8px}.charts svg{background:#fff;border:1px solid #e5e7eb;border-radius:4px}
svg .t{font:600 11px system-ui,sans-serif;fill:#111827}svg .a{font:10px system-ui,sans-serif;fill:#6b7280}
svg .v{font:10px system-ui,sans-serif;fill:#374151}svg .g{stroke:#f0f0f0}svg .f{fill:none;stroke:#d1d5db}
.bar{background:#93c5fd;height:10px;border-radius:2px}.row{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}
`;

function statusCell(s: ReportSummary['targets'][number] | undefined): string {
  if (!s) return '<td></td><td></td>';
  const cls = s.met === null ? 'na' : s.met ? 'met' : 'missed';
  return `<td>${s.op === '>=' ? '≥' : '≤'} ${s.value}</td><td class="${cls}">${esc(fmtGap(s))}</td>`;
}

function verdict(s: ReportSummary): string {
  if (s.measured === 0) return '<div class="verdict none">No evaluation yet: run the pipeline\'s eval step or `parley eval`.</div>';
  const all = s.met === s.measured && s.measured === s.targets.length;
  const missing = s.targets.length - s.measured;
  return `<div class="verdict ${all ? 'ok' : 'bad'}">${s.met} of ${s.targets.length} targets met${missing ? ` (${missing} not measured)` : ''}</div>`;
}

function evalSection(run: RunData, s: ReportSummary): string {
  const ev = run.evaluation;
  if (!ev) return '<h2>Evaluation</h2><p class="muted">No eval/eval.json in this run yet.</p>';
  const against = !!ev.against;
  const rows = s.evalRows.map((r) => `<tr><td>${esc(r.label)}</td><td class="n">${fmtValue(r.key, r.value)}</td>${against ? `<td class="n">${fmtValue(r.key, r.against)}</td>` : ''}${statusCell(r.target)}</tr>`);
  const win = s.targets.find((t) => t.key === 'winRate');
  let comparison = '';
  if (s.comparison && win) {
    const c = s.comparison;
    rows.push(`<tr><td>${esc(win.label)} at KL ${c.kl.toFixed(2)} nats/reply</td><td class="n">${fmtValue('winRate', c.winRate)}</td>${against ? '<td></td>' : ''}${statusCell(win)}</tr>`);
    comparison = `<p>Against <code>${esc(c.against)}</code>: ${c.wins} wins, ${c.losses} losses, ${c.ties} ties of ${c.n} prompts, judged by the simulated ranker in gold mode; KL(model ‖ against) on the model's replies ${c.kl.toFixed(3)} nats per reply (${c.klPerToken.toFixed(4)} per token).</p>`;
  }
  const bo = ev.bestOf ? `<p>Best-of-${ev.bestOf.n}: the reward model's favourite scores ${ev.bestOf.meanChosenScore.toFixed(3)} vs ${ev.bestOf.meanSampleScore.toFixed(3)} per sample (KL bound ${ev.bestOf.klBound.toFixed(3)} nats).</p>` : '';
  const setting = `${ev.data.prompts} held-out prompts${ev.data.file ? ` from <code>${esc(ev.data.file)}</code>` : ` generated with seed ${ev.data.seed}`}, temperature ${ev.settings.temperature}, up to ${ev.settings.maxTokens} tokens per turn; model <code>${esc(ev.path)}</code>.`;
  const families = Object.entries(ev.families).map(([f, v]) => {
    const labels = Object.entries(v!.labels).sort((a, b) => b[1] - a[1]).map(([l, n]) => `${esc(l)} ${n}`).join(', ');
    return `<tr><td>${esc(f)}</td><td class="n">${v!.n}</td><td class="n">${v!.accuracy.toFixed(3)}</td><td class="n">${v!.meanScore.toFixed(3)}</td><td class="n">${v!.verboseShare.toFixed(3)}</td><td>${labels}</td></tr>`;
  });
  return `<h2>Evaluation</h2><p class="muted">${setting}</p>
<table><tr><th>metric</th><th>model</th>${against ? '<th>against</th>' : ''}<th>target</th><th>status</th></tr>${rows.join('')}</table>${comparison}${bo}
<h3>Per family</h3><table><tr><th>family</th><th>n</th><th>accuracy</th><th>mean score</th><th>verbose</th><th>grader labels</th></tr>${families.join('')}</table>`;
}

function compareSection(run: RunData): string {
  const t = compareTable(run);
  if (!t) return '';
  const head = `<tr><th>metric</th>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr><td>${esc(r.label)}</td>${r.cells.map((c) => `<td class="n">${esc(c)}</td>`).join('')}</tr>`);
  return `<h2>PPO vs DPO vs best-of-n vs SFT</h2><table>${head}${rows.join('')}</table>${t.notes.map((n) => `<p class="muted">${esc(n)}</p>`).join('')}`;
}

function curvesSection(s: ReportSummary): string {
  if (s.curves.length === 0) return '<h2>Training curves</h2><p class="muted">No metrics.jsonl lines yet.</p>';
  const blocks = s.curves.map((cs) => `<h3>${esc(cs[0].stage)}</h3><div class="charts">${cs.map((c) => lineChart(c.points, { title: c.key })).join('')}</div>`);
  return `<h2>Training curves</h2><p class="muted">x: optimizer step. Noisy series show a centered moving average over the raw values (faint).</p>${blocks.join('')}`;
}

function summariesSection(run: RunData): string {
  const withSummary = run.stages.filter((st) => st.summary && Object.keys(st.summary).length);
  if (withSummary.length === 0) return '';
  const blocks = withSummary.map((st) => `<div><h3>${esc(st.stage)}</h3><table>${Object.entries(st.summary!).map(([k, v]) => `<tr><td>${esc(k)}</td><td class="n">${fmtNumber(v)}</td></tr>`).join('')}</table></div>`);
  return `<h2>Stage results</h2><div class="row">${blocks.join('')}</div>`;
}

function timingSection(s: ReportSummary): string {
  if (s.timings.length === 0) return '';
  const max = Math.max(...s.timings.map((t) => t.seconds), 1e-9);
  const rows = s.timings.map((t) => `<tr><td>${esc(t.step)}</td><td class="n">${fmtSeconds(t.seconds)}</td><td style="width:320px"><div class="bar" style="width:${((t.seconds / max) * 100).toFixed(1)}%"></div></td></tr>`);
  return `<h2>Stage timings</h2><table><tr><th>step</th><th>time</th><th></th></tr>${rows.join('')}<tr><th>total</th><th class="n">${fmtSeconds(s.totalSeconds)}</th><th></th></tr></table>`;
}

function modelSection(run: RunData): string {
  const m = run.model;
  if (!m) return '';
  const rows: Array<[string, string]> = [
    ['checkpoint', `<code>${esc(m.dir)}</code>${m.stage ? ` (${esc(m.stage)})` : ''}`], ['parameters', fmtCount(m.parameters)],
    ['layers', String(m.layers)], ['hidden size', String(m.hidden)], ['attention heads / kv heads', `${m.heads} / ${m.kvHeads}`],
    ['MLP size', String(m.ffn)], ['vocabulary', String(m.vocab)], ['context', String(m.context)], ['tied embeddings', m.tied ? 'yes' : 'no'],
  ];
  if (m.bytes !== undefined) rows.push(['model.safetensors', `${(m.bytes / 2 ** 20).toFixed(1)} MB`]);
  return `<h2>Model</h2><table>${rows.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join('')}</table>`;
}

function dataSection(run: RunData): string {
  const d = run.dataStats;
  if (!d) return '';
  const totals = Object.entries(d.totals ?? {}).map(([k, v]) => `<tr><td>${esc(k)}</td><td class="n">${v}</td></tr>`).join('');
  const fam = Object.entries(d.families ?? {}).map(([f, v]) => `<tr><td>${esc(f)}</td><td class="n">${v.sft}</td><td class="n">${v.prompts}</td><td class="n">${v.eval}</td></tr>`).join('');
  const files = Object.entries(d.files ?? {}).map(([f, v]) => `<tr><td>${esc(f)}</td><td class="n">${v.lines}</td><td class="n">${(v.bytes / 1024).toFixed(0)} KB</td><td class="n">${v.tokens ?? '—'}</td></tr>`).join('');
  return `<h2>Data</h2><p class="muted">Generated by the conversation world${d.seed !== undefined ? `, seed ${d.seed}` : ''}${d.scale !== undefined ? `, scale ${d.scale}` : ''}.</p>
<table>${totals}</table>${fam ? `<table><tr><th>family</th><th>demonstrations</th><th>RL prompts</th><th>eval prompts</th></tr>${fam}</table>` : ''}${files ? `<table><tr><th>file</th><th>lines</th><th>size</th><th>tokens</th></tr>${files}</table>` : ''}`;
}

export function renderHtml(run: RunData): string {
  const s = summarize(run);
  const preset = run.run?.preset ? `preset <b>${esc(String(run.run.preset))}</b>` : '';
  const created = run.run?.created ? `started ${esc(run.run.created)}` : '';
  const notes = run.notes ? `<h2>Notes: what was tried</h2>${marked.parse(run.notes, { async: false }) as string}` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(s.title)}</title><style>${STYLE}</style></head><body>
<h1>${esc(s.title)}</h1><div class="muted">${[preset, created, `total ${fmtSeconds(s.totalSeconds)}`, `<code>${esc(run.dir)}</code>`].filter(Boolean).join(' · ')}</div>
${verdict(s)}
${evalSection(run, s)}
${compareSection(run)}
${curvesSection(s)}
${summariesSection(run)}
${timingSection(s)}
${modelSection(run)}
${dataSection(run)}
${notes}
<p class="muted">Made by <code>parley report --run ${esc(run.dir)}</code> at ${new Date().toISOString()}.</p>
</body></html>
`;
}
