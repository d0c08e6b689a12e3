import { LocalTokenBuckets, perMinuteBucket } from '../../stores/token-buckets';
import { FairQueue, QueueTimeout } from './fair-queue';

describe('FairQueue.admitSoon', () => {
  it('answers at once, without a promise, when nobody waits and the in-process buckets allow', () => {
    const queue = new FairQueue(new LocalTokenBuckets());
    const taken = queue.admitSoon('a', [perMinuteBucket('key:a:rpm', 2, 1)], Date.now() + 1000);
    expect(taken).not.toBeInstanceOf(Promise);
    expect(taken).toMatchObject({ allowed: true });
  });

  it('hands back a promise for a denial, rejected with QueueTimeout when the wait would pass the deadline', async () => {
    const queue = new FairQueue(new LocalTokenBuckets());
    const spec = perMinuteBucket('key:a:rpm', 1, 1);
    expect(queue.admitSoon('a', [spec], Date.now() + 1000)).toMatchObject({ allowed: true });
    const denied = queue.admitSoon('a', [spec], Date.now() + 10);
    expect(denied).toBeInstanceOf(Promise);
    await expect(denied).rejects.toBeInstanceOf(QueueTimeout);
  });

  it('turns a throwing store into a rejected promise, as admit does', async () => {
    const queue = new FairQueue({
      take: () => {
        throw new Error('store down');
      },
      adjust: () => Promise.resolve(),
    } as unknown as LocalTokenBuckets);
    const taken = queue.admitSoon('a', [perMinuteBucket('key:a:rpm', 1, 1)], Date.now() + 10);
    expect(taken).toBeInstanceOf(Promise);
    await expect(taken).rejects.toThrow('store down');
  });
});
