import { AffinityBook, conversationKey, preferPinned } from './affinity';

const t = (provider: string, model: string) => ({ provider, model, weight: 1 });

describe('affinity', () => {
  it('names a conversation by key, alias and the messages up to the first user message', () => {
    const opening = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ];
    const later = [...opening, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }];
    expect(conversationKey('k', 'chat', later)).toBe(conversationKey('k', 'chat', opening));
    expect(conversationKey('other', 'chat', later)).not.toBe(conversationKey('k', 'chat', opening));
    expect(conversationKey('k', 'chat', [])).toBeUndefined();
    expect(conversationKey('k', 'chat', undefined)).toBeUndefined();
  });

  it('forgets a pin ttl after its last use, and the least recently used first when full', () => {
    let now = 0;
    const book = new AffinityBook(() => now, 2);
    book.remember('c1', 'a/m', 1000);
    now = 999;
    expect(book.pinned('c1')).toBe('a/m');
    now = 1000;
    expect(book.pinned('c1')).toBeUndefined();
    book.remember('c1', 'a/m', 1000);
    book.remember('c2', 'b/m', 1000);
    book.remember('c1', 'a/m', 1000); // c1 used again: c2 is now the oldest
    book.remember('c3', 'c/m', 1000);
    expect([book.pinned('c1'), book.pinned('c2'), book.pinned('c3')]).toEqual(['a/m', undefined, 'c/m']);
  });

  it('moves the pinned target first unless it is unusable or gone', () => {
    const order = [t('a', 'm'), t('b', 'm'), t('c', 'm')];
    expect(preferPinned(order, 'c/m', () => true).map((x) => x.provider)).toEqual(['c', 'a', 'b']);
    expect(preferPinned(order, 'c/m', () => false)).toBe(order);
    expect(preferPinned(order, 'z/m', () => true)).toBe(order);
    expect(preferPinned(order, undefined, () => true)).toBe(order);
  });
});
