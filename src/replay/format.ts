/**
 * The replay report as text for a terminal: one table, per alias and in total, of actual beside candidate
 * (cost, mean latency, failed requests), then where the candidate's answers would come from, the failures it
 * would meet on the way, and the assumptions.
 */
import type { ReplayGroup } from './aggregate';
import type { ReplayReport } from './replay';

function money(usd: number | null, unpriced: number): string {
  if (usd === null) return unpriced > 0 ? `unpriced (${count(unpriced)})` : 'n/a';
  // Six decimals: a request costs fractions of a cent, and the columns line up.
  const text = `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(6)}`;
  return unpriced > 0 ? `${text} +${count(unpriced)} unpriced` : text;
}

function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function row(name: string, g: ReplayGroup): string[] {
  const a = g.actual;
  const c = g.candidate;
  return [
    name,
    String(g.requests),
    money(a.cost_usd, a.unpriced),
    money(c.cost_usd, c.unpriced),
    g.diff.cost_usd === null ? 'n/a' : `${g.diff.cost_usd > 0 ? '+' : ''}${money(g.diff.cost_usd, 0)}`,
    `${a.latency_ms.toFixed(0)} ms`,
    `${c.latency_ms.toFixed(0)} ms`,
    count(a.failed),
    count(c.failed),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

function shares(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length ? entries.map(([k, v]) => `${k} ${count(v)}`).join(', ') : 'none';
}

/**
 * @example console.log(formatReplayReport(await replay(log, candidate, window)));
 */
export function formatReplayReport(report: ReplayReport): string {
  if (report.records === 0)
    return `No request was recorded from ${report.window.since} to ${report.window.until}: nothing to replay (is server.dashboard.enabled or record on for the gateway that writes this log?).`;
  const lines = [
    `Replay of ${report.records} recorded request(s), ${report.window.since} to ${report.window.until}`,
    `under ${report.candidate.file} (${report.candidate.hash}); no provider was called.`,
    '',
    table([
      [
        'alias',
        'requests',
        'cost (actual)',
        'cost (candidate)',
        'difference',
        'latency (actual)',
        'latency (candidate)',
        'failed (actual)',
        'failed (candidate)',
      ],
      ...report.aliases.map((a) => row(a.alias, a)),
      row('total', report.total),
    ]),
    '',
    'Where the candidate\u2019s answers come from, and the failures it meets:',
  ];
  for (const a of report.aliases) {
    if (a.replayed === 0) continue;
    lines.push(`  ${a.alias}: served by ${shares(a.candidate.served_by)}`);
    if (Object.keys(a.candidate.attempt_failures).length) lines.push(`    failed tries: ${shares(a.candidate.attempt_failures)}`);
    if (Object.keys(a.candidate.errors).length) lines.push(`    errors to the client: ${shares(a.candidate.errors)}`);
    if (a.candidate.assumed_target_requests)
      lines.push(`    ${a.candidate.assumed_target_requests} request(s) may reach a target never observed (assumed behaviour)`);
  }
  lines.push('', 'Targets (behaviour from the window):');
  for (const t of report.targets) {
    const failures = Object.entries(t.failures)
      .map(([label, p]) => `, ${label} ${(p * 100).toFixed(1)}%`)
      .join('');
    lines.push(
      `  ${t.target}: ${t.observed ? `${t.tries} tries` : 'never called, assumed'}, ${(t.success_rate * 100).toFixed(1)}% answered, ${t.latency_ms.toFixed(0)} ms${failures}`,
    );
  }
  lines.push('', 'Assumptions:', ...report.assumptions.map((s) => `  - ${s}`));
  return lines.join('\n');
}
