/**
 * Spend records appended to a JSON Lines file: easy to ship to a log pipeline or load into a notebook.
 * Totals are computed by reading the file, which is fine for the sizes a single file is meant for.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { type SpendGroupBy, type SpendQuery, type SpendRecord, type SpendSink, type SpendTotal } from './spend-sink';

const GROUP_FIELDS: Readonly<Record<SpendGroupBy, keyof SpendRecord>> = { key: 'keyName', alias: 'alias', provider: 'provider', model: 'model' };

/**
 * @example const sink = new JsonlSpendSink('./data/spend.jsonl');
 */
export class JsonlSpendSink implements SpendSink {
  readonly kind = 'jsonl';

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  async write(records: readonly SpendRecord[]): Promise<void> {
    await fs.promises.appendFile(this.file, records.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  async totals(query: SpendQuery): Promise<SpendTotal[]> {
    const field = GROUP_FIELDS[query.groupBy];
    const groups = new Map<string | null, SpendTotal>();
    for await (const r of this.records()) {
      if (r.ts < (query.since ?? 0) || r.ts >= (query.until ?? Number.MAX_SAFE_INTEGER)) continue;
      const value = r[field];
      const group = value === null || value === undefined ? null : String(value);
      let total = groups.get(group);
      if (!total) groups.set(group, (total = { group, requests: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, unpriced_requests: 0 }));
      total.requests++;
      total.input_tokens += r.inputTokens;
      total.output_tokens += r.outputTokens;
      total.cached_tokens += r.cachedTokens;
      if (r.costUsd === null) total.unpriced_requests++;
      else total.cost_usd = Math.round((total.cost_usd + r.costUsd) * 1e9) / 1e9;
    }
    return [...groups.values()].sort((a, b) => b.cost_usd - a.cost_usd || String(a.group).localeCompare(String(b.group)));
  }

  async costSince(keyName: string, since: number): Promise<number> {
    let cost = 0;
    for await (const r of this.records()) if (r.keyName === keyName && r.ts >= since && r.costUsd !== null) cost += r.costUsd;
    return Math.round(cost * 1e9) / 1e9;
  }

  async close(): Promise<void> {}

  private async *records(): AsyncGenerator<SpendRecord> {
    if (!fs.existsSync(this.file)) return;
    const lines = readline.createInterface({ input: fs.createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      try {
        yield JSON.parse(line) as SpendRecord;
      } catch {
        // A line cut short by a crash mid-append is skipped rather than poisoning every total.
      }
    }
  }
}
