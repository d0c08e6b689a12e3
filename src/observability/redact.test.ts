import { redactedExcerpt, redactSecrets, registerSecrets } from './redact';

const KEY = 'redact-unit-key/with+odd"chars';

beforeAll(() => registerSecrets([KEY]));

describe('redactSecrets', () => {
  test('catches a registered key as is, URL-encoded and JSON-escaped', () => {
    expect(redactSecrets(`key ${KEY}`)).toBe('key [REDACTED]');
    expect(redactSecrets(`GET /x?key=${encodeURIComponent(KEY)}`)).toBe('GET /x?key=[REDACTED]');
    expect(redactSecrets(`{"k":${JSON.stringify(KEY)}}`)).toBe('{"k":"[REDACTED]"}');
  });
});

describe('redactedExcerpt', () => {
  test('a key straddling the cut leaves no piece of itself behind', () => {
    const text = `${'x'.repeat(490)}${KEY} and more`;
    const excerpt = redactedExcerpt(text, 500);
    expect(excerpt).toBe(`${'x'.repeat(490)}[REDACTED]`);
    expect(excerpt).not.toContain(KEY.slice(0, 10));
  });

  test('short text is only redacted; long text is cut', () => {
    expect(redactedExcerpt('short', 500)).toBe('short');
    expect(redactedExcerpt('y'.repeat(5000), 500)).toHaveLength(500);
  });
});
