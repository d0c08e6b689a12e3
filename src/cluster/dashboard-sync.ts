/**
 * The dashboard's Providers page is one across workers, eventually: every SHARE_MS each worker that counted
 * something new sends the others its new error counts (per target, kind and minute, with the last, already
 * redacted, message) and the rate-limit headroom its upstreams last reported (per provider and model, with when
 * it was seen), through the primary (ipc.ts `broadcast`). Peers add the counts to their own and keep the newer
 * headroom, so whichever worker answers the page shows all workers' traffic, up to that interval late. A worker
 * that exits leaves its counts in the others' books: the errors happened. A worker started later (a replacement)
 * begins with what it sees from then on.
 */
import type { HeadroomBook, HeadroomReport } from '../routing/headroom-book';
import { newBooks, type ErrorsReport, type TargetErrors } from '../dashboard/target-errors';
import { broadcast, isGatewayWorker, onBroadcast } from './ipc';

/** How often, at most, a worker sends what it counted (only when it counted something). */
export const SHARE_MS = 1000;

const errorBooks = new Set<TargetErrors>();
const headroomBooks = new Map<string, HeadroomBook>();
let started = false;

/**
 * Shares the dashboard's error counts with the other workers: listens to them and starts this worker's timer,
 * once per process (later calls, from reloads, do nothing). In a single process it starts nothing.
 *
 * @example shareProvidersPage();
 */
export function shareProvidersPage(): void {
  if (started || !isGatewayWorker()) return;
  started = true;
  newBooks.onMade = (book) => {
    book.sharing = true;
    errorBooks.add(book);
  };
  onBroadcast('dashboard-errors', (report) => {
    for (const book of errorBooks) book.applyPeer(report as ErrorsReport);
  });
  onBroadcast('dashboard-headroom', (payload) => {
    for (const [provider, reports] of Object.entries(payload as Record<string, HeadroomReport[]>)) headroomBooks.get(provider)?.applyPeer(reports);
  });
  setInterval(() => {
    const errors = [...errorBooks].flatMap((b) => b.report());
    if (errors.length > 0) broadcast('dashboard-errors', errors);
    const headroom: Record<string, HeadroomReport[]> = {};
    for (const [provider, book] of headroomBooks) {
      const reports = book.report();
      if (reports.length > 0) headroom[provider] = reports;
    }
    if (Object.keys(headroom).length > 0) broadcast('dashboard-headroom', headroom);
  }, SHARE_MS).unref();
}

/**
 * Shares a provider's headroom book with the other workers; in a single process it returns the book untouched.
 *
 * @example rateLimits: state.keep(`rate-limits:${name}`, () => shareHeadroom(name, new HeadroomBook()))
 */
export function shareHeadroom(provider: string, book: HeadroomBook): HeadroomBook {
  if (!isGatewayWorker()) return book;
  shareProvidersPage();
  book.sharing = true;
  headroomBooks.set(provider, book);
  return book;
}
