import { AbortFlag } from '../upstream/abort-flag';
import { AttemptSignal, AttemptTimeout, FirstByteTimeout } from './attempt-signal';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AttemptSignal', () => {
  it('runs no deadline until started, then aborts at the total time', async () => {
    const attempt = new AttemptSignal(new AbortFlag(), 20);
    await wait(60);
    expect(attempt.aborted).toBe(false);
    attempt.start();
    await wait(60);
    expect(attempt.reason).toBeInstanceOf(AttemptTimeout);
    attempt.dispose();
  });

  it('aborts on a late first byte, and not once the first byte arrived', async () => {
    const late = new AttemptSignal(new AbortFlag(), 5000, 20).start();
    await wait(60);
    expect(late.reason).toBeInstanceOf(FirstByteTimeout);
    late.dispose();

    const onTime = new AttemptSignal(new AbortFlag(), 5000, 20).start();
    onTime.firstByteArrived();
    await wait(60);
    expect(onTime.aborted).toBe(false);
    onTime.dispose();
  });

  it('follows the client at once, started or not, and lets go of it when disposed', () => {
    const client = new AbortFlag();
    const attempt = new AttemptSignal(client, 5000);
    client.abort(new Error('client left'));
    expect(attempt.aborted).toBe(true);
    expect((attempt.reason as Error).message).toBe('client left');

    const other = new AbortFlag();
    const disposed = new AttemptSignal(other, 5000).start();
    disposed.dispose();
    other.abort();
    expect(disposed.aborted).toBe(false);
  });
});
