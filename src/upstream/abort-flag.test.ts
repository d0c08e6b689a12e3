import { AbortFlag, asAbortSignal } from './abort-flag';

describe('AbortFlag', () => {
  it('calls each listener once, not the removed ones, and none added after the abort', () => {
    const gone = new AbortFlag();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    gone.addEventListener('abort', a);
    gone.addEventListener('abort', b);
    gone.removeEventListener('abort', b);
    gone.abort(new Error('left'));
    gone.abort(new Error('again'));
    gone.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['a']);
    expect(gone.aborted).toBe(true);
    expect((gone.reason as Error).message).toBe('left');
  });

  it('makes its AbortSignal only when asked, and keeps it in step either way round', () => {
    const early = new AbortFlag();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.abort();
    expect(signal.aborted).toBe(true);

    const late = new AbortFlag();
    late.abort(new Error('gone'));
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as Error).message).toBe('gone');
  });

  it('asAbortSignal passes a real signal through and bridges anything else', () => {
    const real = new AbortController().signal;
    expect(asAbortSignal(real)).toBe(real);
    const gone = new AbortFlag();
    expect(asAbortSignal(gone)).toBe(gone.signal);
    let listener: (() => void) | undefined;
    const foreign = { aborted: false, reason: 'why', addEventListener: (_: 'abort', l: () => void) => (listener = l), removeEventListener: () => undefined };
    const bridged = asAbortSignal(foreign);
    expect(bridged.aborted).toBe(false);
    listener!();
    expect(bridged.aborted).toBe(true);
    expect(bridged.reason).toBe('why');
  });
});
