import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpendJournal } from './spend-journal';
import type { SpendRecord } from './spend-sink';

function record(requestId: string, costPico = 1000): SpendRecord {
  return {
    ts: 1,
    requestId,
    keyName: 'k',
    alias: 'chat',
    provider: 'p',
    model: 'm',
    inputTokens: 1,
    outputTokens: 1,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costPico,
    estimated: false,
    latencyMs: 1,
    status: 200,
    attempts: 1,
    cacheHit: false,
  };
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-journal-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const segments = () => fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'));

describe('spend journal', () => {
  it('gives a new start the records of segments the last run did not get fully acknowledged, the newest of each request', () => {
    const a = new SpendJournal(dir);
    a.append(record('r1', 1));
    a.append(record('r2'));
    a.append(record('r1', 2)); // the same request, recorded again when it was over
    a.acknowledge(['r2']);
    // No close(): the process died.
    const b = new SpendJournal(dir);
    // r2 shares a file with r1, so it comes back too; replaying it is harmless (the sink skips a request id it has).
    expect(b.pending()).toEqual([record('r1', 2), record('r2')]);
    b.close();
  });

  it('skips the torn last line of a process killed mid-append', () => {
    const a = new SpendJournal(dir);
    a.append(record('r1'));
    fs.appendFileSync(path.join(dir, segments()[0]), '{"ts":1,"requestId":"r2","ke');
    expect(new SpendJournal(dir).pending().map((r) => r.requestId)).toEqual(['r1']);
  });

  it('truncates the file being written once everything in it is acknowledged, and deletes full old segments', () => {
    const j = new SpendJournal(dir, { segmentRecords: 2 });
    j.append(record('r1'));
    j.append(record('r2'));
    j.append(record('r3')); // starts a second segment
    expect(segments()).toHaveLength(2);
    j.acknowledge(['r1', 'r2']);
    expect(segments()).toHaveLength(1);
    j.acknowledge(['r3']);
    expect(segments()).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, segments()[0]), 'utf8')).toBe('');
    j.append(record('r4'));
    expect(new SpendJournal(dir).pending().map((r) => r.requestId)).toEqual(['r4']);
    j.close();
  });

  it('counts and reports a full disk, and never throws', () => {
    const problems: string[] = [];
    let errors = 0;
    const j = new SpendJournal(dir, { segmentRecords: 1, onProblem: (m) => problems.push(m), onError: () => errors++ });
    expect(j.append(record('r1'))).toBe(true);
    // The next segment is /dev/full: every write to it fails with ENOSPC, as on a full disk.
    const [, pid, started] = /^spend-(\d+)-(\d+)-0\.jsonl$/.exec(segments()[0])!;
    fs.symlinkSync('/dev/full', path.join(dir, `spend-${pid}-${started}-1.jsonl`));
    expect(j.append(record('r2'))).toBe(false);
    expect(errors).toBe(1);
    expect(problems).toEqual(['cannot append to the spend journal']);
    j.close();
  });

  it('leaves alone the segments of another gateway still running on the same directory', () => {
    fs.writeFileSync(path.join(dir, `spend-${process.ppid}-1-0.jsonl`), JSON.stringify(record('theirs')) + '\n');
    expect(new SpendJournal(dir).pending()).toEqual([]);
  });
});
