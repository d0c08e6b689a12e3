/**
 * Spend records appended to a JSON Lines file: easy to ship to a log pipeline or load into a notebook.
 * Totals are computed by reading the file, which is fine for the sizes a single file is meant for. A request id
 * seen twice (a retried append) counts once.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { usdToPico } from '../pricing/money';
import { byCost, spendTotal, type SpendGroupBy, type SpendQuery, type SpendRecord, type SpendSink, type SpendSums, type SpendTotal } from './spend-sink';

/** A record's value for a group-by dimension. */
function groupValue(r: SpendRecord, dimension: SpendGroupBy): string | null {
  if (dimension === 'day') return new Date(r.ts).toISOString().slice(0, 10);
  const value = dimension === 'key' ? r.keyName : r[dimension];
  return value === null || value === undefined ? null : String(value);
}

/** A line as written now, or by a Switchyard from before pico-dollars (`costUsd`, no cache-write fields). */
function fromLine(raw: SpendRecord & { costUsd?: number | null }): SpendRecord {
  const costPico = raw.costPico !== undefined ? raw.costPico : typeof raw.costUsd === 'number' ? usdToPico(raw.costUsd) : null;
  return { ...raw, costPico, cacheWriteTokens: raw.cacheWriteTokens ?? 0, reasoningTokens: raw.reasoningTokens ?? 0, estimated: raw.estimated ?? false };
}

const zero = (): SpendSums => ({
  requests: 0n,
  inputTokens: 0n,
  outputTokens: 0n,
  cachedTokens: 0n,
  cacheWriteTokens: 0n,
  reasoningTokens: 0n,
  costPico: 0n,
  unpriced: 0n,
  estimated: 0n,
});

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
    const groups = new Map<string, { values: (string | null)[]; sums: SpendSums }>();
    for await (const r of this.records()) {
      if (r.ts < (query.since ?? 0) || r.ts >= (query.until ?? Number.MAX_SAFE_INTEGER)) continue;
      const values = query.groupBy.map((d) => groupValue(r, d));
      const id = JSON.stringify(values);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { values, sums: zero() }));
      const s = group.sums;
      s.requests++;
      s.inputTokens += BigInt(r.inputTokens);
      s.outputTokens += BigInt(r.outputTokens);
      s.cachedTokens += BigInt(r.cachedTokens);
      s.cacheWriteTokens += BigInt(r.cacheWriteTokens);
      s.reasoningTokens += BigInt(r.reasoningTokens);
      if (r.costPico === null) s.unpriced++;
      else s.costPico += BigInt(Math.round(r.costPico));
      if (r.estimated) s.estimated++;
    }
    return [...groups.values()].map((g) => spendTotal(query.groupBy, g.values, g.sums)).sort(byCost(query.groupBy));
  }

  async costSince(keyName: string, since: number): Promise<number> {
    let cost = 0n;
    for await (const r of this.records()) if (r.keyName === keyName && r.ts >= since && r.costPico !== null) cost += BigInt(Math.round(r.costPico));
    return Number(cost);
  }

  async close(): Promise<void> {}

  private async *records(): AsyncGenerator<SpendRecord> {
    if (!fs.existsSync(this.file)) return;
    const seen = new Set<string>();
    const lines = readline.createInterface({ input: fs.createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let r: SpendRecord;
      try {
        r = fromLine(JSON.parse(line) as SpendRecord);
      } catch {
        // A line cut short by a crash mid-append is skipped rather than poisoning every total.
        continue;
      }
      if (seen.has(r.requestId)) continue;
      seen.add(r.requestId);
      yield r;
    }
  }
}
