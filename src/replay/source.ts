/**
 * Where replay reads recorded requests: any request log (`RequestLog.scan`), or records held in memory (tests,
 * and a log that is not a store).
 */
import type { RequestLog, RequestRecord } from '../stores/request-log/request-record';

/** What replay reads of a request log: its records of a window, oldest first. It reads them twice. */
export type ReplaySource = Pick<RequestLog, 'scan'>;

/**
 * A source over records in memory.
 *
 * @example await replay(recordSource([record1, record2]), candidate, { since: 0, until: Date.now() })
 */
export function recordSource(records: readonly RequestRecord[]): ReplaySource {
  return {
    async *scan(since: number, until: number) {
      yield* records.filter((r) => r.time >= since && r.time < until).sort((a, b) => a.time - b.time || a.id.localeCompare(b.id));
    },
  };
}
