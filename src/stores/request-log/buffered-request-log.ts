/**
 * A database request log as the gateway uses it: `append` hands the record to a batched writer (bounded buffer,
 * batches, retry with backoff), so a request never waits for the database and never fails because of it. A
 * failing write or a dropped record is logged (first of an outage, then every thousandth) and counted in
 * `switchyard_request_log_failures_total`; reads go straight to the database.
 */
import client from 'prom-client';
import { registry } from '../../observability/metrics';
import type { Logger } from '../../observability/logger';
import { BatchedWriter } from '../batched-writer';
import type { Overview, OverviewRange, RequestFilter, RequestLog, RequestRecord } from './request-record';

/** What a database request log does; the batching around it is this module's. */
export interface RequestLogEngine {
  readonly kind: string;
  /** Stores a batch in one transaction with its rollup additions; ids already stored are skipped (and not counted again). */
  write(records: readonly RequestRecord[]): Promise<void>;
  list(filter: RequestFilter, limit: number): Promise<RequestRecord[]>;
  get(id: string): Promise<RequestRecord | undefined>;
  scan(since: number, until: number): AsyncIterable<RequestRecord>;
  overview(range: OverviewRange, now: number): Promise<Overview>;
  purge(before: number): Promise<number>;
  close(): Promise<void>;
}

let failures: client.Counter<'store' | 'reason'> | undefined;

/** The counter, made once per process (a second registration would throw). */
function failureCounter(): client.Counter<'store' | 'reason'> {
  failures ??= new client.Counter({
    name: 'switchyard_request_log_failures_total',
    help: 'Dashboard request log problems: batches whose write failed (retried), and records dropped (buffer full, or unwritten at shutdown).',
    labelNames: ['store', 'reason'],
    registers: [registry],
  });
  return failures;
}

export interface BufferedRequestLogOptions {
  log: Logger;
  /** A name of the store fit for log lines (no password). */
  where: string;
  maxBuffer?: number;
  batchSize?: number;
  flushIntervalMs?: number;
}

/**
 * @example
 * const log = new BufferedRequestLog(new SqliteRequestEngine('/var/lib/switchyard/requests.db'), { log: logger, where: 'sqlite://…' });
 * log.append(record); // returns at once
 */
export class BufferedRequestLog implements RequestLog {
  readonly kind: string;
  private readonly writer: BatchedWriter<RequestRecord>;

  constructor(
    readonly engine: RequestLogEngine,
    options: BufferedRequestLogOptions,
  ) {
    this.kind = engine.kind;
    const counter = failureCounter();
    counter.inc({ store: engine.kind, reason: 'write_failed' }, 0);
    counter.inc({ store: engine.kind, reason: 'dropped' }, 0);
    this.writer = new BatchedWriter<RequestRecord>({
      write: async (batch) => {
        try {
          await engine.write(batch);
        } catch (err) {
          counter.inc({ store: engine.kind, reason: 'write_failed' });
          throw err;
        }
      },
      maxBuffer: options.maxBuffer ?? 20_000,
      batchSize: options.batchSize ?? 500,
      flushIntervalMs: options.flushIntervalMs ?? 250,
      onProblem: (message, detail) => options.log.warn(`dashboard request log: ${message}`, { store: options.where, ...detail }),
      onDrop: (count) => counter.inc({ store: engine.kind, reason: 'dropped' }, count),
    });
  }

  append(record: RequestRecord): void {
    this.writer.push(record);
  }

  list(filter: RequestFilter, limit: number): Promise<RequestRecord[]> {
    return this.engine.list(filter, limit);
  }

  get(id: string): Promise<RequestRecord | undefined> {
    return this.engine.get(id);
  }

  scan(since: number, until: number): AsyncIterable<RequestRecord> {
    return this.engine.scan(since, until);
  }

  overview(range: OverviewRange, now: number): Promise<Overview> {
    return this.engine.overview(range, now);
  }

  purge(before: number): Promise<number> {
    return this.engine.purge(before);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.engine.close();
  }
}
