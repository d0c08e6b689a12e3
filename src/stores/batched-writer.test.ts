import { BatchedWriter } from './batched-writer';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('batched writer', () => {
  it('returns at once and writes in batches in the background', async () => {
    const batches: number[][] = [];
    const writer = new BatchedWriter<number>({ write: async (b) => void batches.push(b), batchSize: 3, flushIntervalMs: 20 });
    for (let i = 0; i < 7; i++) writer.push(i);
    await tick(100);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batches[0]).toEqual([0, 1, 2]);
    expect(writer.stats).toMatchObject({ buffered: 0, written: 7, dropped: 0 });
  });

  it('retries a failing destination and keeps the order', async () => {
    let failures = 2;
    const written: number[] = [];
    const problems: string[] = [];
    const writer = new BatchedWriter<number>({
      write: async (b) => {
        if (failures-- > 0) throw new Error('down');
        written.push(...b);
      },
      flushIntervalMs: 5,
      maxRetryDelayMs: 20,
      onProblem: (m) => problems.push(m),
    });
    writer.push(1);
    writer.push(2);
    await tick(300);
    expect(written).toEqual([1, 2]);
    expect(writer.stats.failedWrites).toBe(2);
    expect(problems).toEqual(['write failed; will retry', 'destination recovered']);
  });

  it('drops and counts what overflows its buffer while the destination is down', async () => {
    const writer = new BatchedWriter<number>({ write: async () => Promise.reject(new Error('down')), maxBuffer: 5, flushIntervalMs: 5 });
    for (let i = 0; i < 8; i++) writer.push(i);
    expect(writer.stats).toMatchObject({ buffered: 5, dropped: 3 });
    await writer.close(50);
    expect(writer.stats).toMatchObject({ buffered: 0, dropped: 8 });
  });

  it('flushes everything on close', async () => {
    const written: number[] = [];
    const writer = new BatchedWriter<number>({ write: async (b) => void written.push(...b), flushIntervalMs: 60_000, batchSize: 2 });
    for (let i = 0; i < 5; i++) writer.push(i);
    await writer.close();
    expect(written).toEqual([0, 1, 2, 3, 4]);
  });
});
