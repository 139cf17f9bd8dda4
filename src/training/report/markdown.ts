// The report card as markdown (report.md): the same verdict, eval table, timings, model and data as the
// HTML page; curves become one line each (first → last, min, max), since markdown has no charts.
import { summarize, fmtValue, fmtNumber, fmtGap, fmtSeconds, fmtCount } from './summary.ts';
import type { RunData } from './read-run.ts';
import { compareTable } from './compare-table.ts';

function table(head: string[], rows: string[][], right: number[] = []): string {
  const align = head.map((_, i) => (right.includes(i) ? '---:' : '---'));
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), `| ${align.join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function renderMarkdown(run: RunData): string {
  const s = summarize(run);
  const out: string[] = [`# ${s.title}`, ''];
  const bits = [run.run?.preset ? `preset **${run.run.preset}**` : '', run.run?.created ? `started ${run.run.created}` : '', `total ${fmtSeconds(s.totalSeconds)}`];
  out.push(bits.filter(Boolean).join(' · '), '');
  const missing = s.targets.length - s.measured;
  out.push(s.measured ? `**${s.met} of ${s.targets.length} targets met**${missing ? ` (${missing} not measured)` : ''}` : '_No evaluation yet._', '');

  const ev = run.evaluation;
  if (ev) {
    out.push('## Evaluation', '', `${ev.data.prompts} held-out prompts${ev.data.file ? ` from \`${ev.data.file}\`` : ` generated with seed ${ev.data.seed}`}, temperature ${ev.settings.temperature}; model \`${ev.path}\`.`, '');
    const against = !!ev.against;
    const rows = s.evalRows.map((r) => [r.label, fmtValue(r.key, r.value), ...(against ? [fmtValue(r.key, r.against)] : []), r.target ? `${r.target.op === '>=' ? '≥' : '≤'} ${r.target.value}` : '', r.target ? fmtGap(r.target) : '']);
    const win = s.targets.find((t) => t.key === 'winRate');
    if (s.comparison && win) {
      rows.push([`${win.label} at KL ${s.comparison.kl.toFixed(2)} nats/reply`, fmtValue('winRate', s.comparison.winRate), ...(against ? [''] : []), `≥ ${win.value}`, fmtGap(win)]);
    }
    out.push(table(['metric', 'model', ...(against ? ['against'] : []), 'target', 'status'], rows, against ? [1, 2] : [1]), '');
    if (s.comparison) {
      const c = s.comparison;
      out.push(`Against \`${c.against}\`: ${c.wins} wins, ${c.losses} losses, ${c.ties} ties of ${c.n} (gold simulated ranker); KL ${c.kl.toFixed(3)} nats per reply, ${c.klPerToken.toFixed(4)} per token.`, '');
    }
    if (ev.bestOf) out.push(`Best-of-${ev.bestOf.n}: chosen ${ev.bestOf.meanChosenScore.toFixed(3)} vs ${ev.bestOf.meanSampleScore.toFixed(3)} per sample (KL bound ${ev.bestOf.klBound.toFixed(3)} nats).`, '');
  }

  const cmp = compareTable(run);
  if (cmp) {
    out.push('## PPO vs DPO vs best-of-n vs SFT', '', table(['metric', ...cmp.columns], cmp.rows.map((r) => [r.label, ...r.cells]), [1, 2, 3, 4]), '');
    for (const n of cmp.notes) out.push(n, '');
  }
  if (s.curves.length) {
    out.push('## Training curves', '', 'The HTML report (report.html) has the charts; here each series from its first to its last step.', '');
    const rows = s.curves.flat().map((c) => {
      const ys = c.points.map((p) => p[1]);
      return [c.stage, c.key, String(c.points.length), fmtValue(c.key, ys[0]), fmtValue(c.key, ys[ys.length - 1]), fmtValue(c.key, Math.min(...ys)), fmtValue(c.key, Math.max(...ys))];
    });
    out.push(table(['stage', 'series', 'points', 'first', 'last', 'min', 'max'], rows, [2, 3, 4, 5, 6]), '');
  }
  const summaries = run.stages.filter((st) => st.summary && Object.keys(st.summary).length);
  if (summaries.length) {
    out.push('## Stage results', '');
    for (const st of summaries) out.push(`- **${st.stage}**: ${Object.entries(st.summary!).map(([k, v]) => `${k} ${fmtNumber(v)}`).join(', ')}`);
    out.push('');
  }
  if (s.timings.length) {
    out.push('## Stage timings', '', table(['step', 'time'], [...s.timings.map((t) => [t.step, fmtSeconds(t.seconds)]), ['**total**', `**${fmtSeconds(s.totalSeconds)}**`]], [1]), '');
  }
  const m = run.model;
  if (m) {
    out.push('## Model', '', `\`${m.dir}\`${m.stage ? ` (${m.stage})` : ''}: ${fmtCount(m.parameters)} parameters; ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads (${m.kvHeads} kv), MLP ${m.ffn}, vocabulary ${m.vocab}, context ${m.context}${m.tied ? ', tied embeddings' : ''}${m.bytes !== undefined ? `; model.safetensors ${(m.bytes / 2 ** 20).toFixed(1)} MB` : ''}.`, '');
  }
  const d = run.dataStats;
  if (d) {
    out.push('## Data', '');
    if (d.totals) out.push(Object.entries(d.totals).map(([k, v]) => `${k} ${v}`).join(' · '), '');
    if (d.families) out.push(table(['family', 'demonstrations', 'RL prompts', 'eval prompts'], Object.entries(d.families).map(([f, v]) => [f, String(v.sft), String(v.prompts), String(v.eval)]), [1, 2, 3]), '');
  }
  if (run.notes) out.push('## Notes: what was tried', '', run.notes.trim(), '');
  return out.join('\n');
}
