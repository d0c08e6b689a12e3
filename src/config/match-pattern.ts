/**
 * How a `match:` value in a routing rule is read as a regular expression. It lives in config/ because the loader
 * rejects an invalid pattern with its line and column, and routing compiles the same string the same way.
 */

/**
 * Compiles `match:`; a `/pattern/flags` string keeps its flags. Throws SyntaxError for an invalid pattern.
 *
 * @example compileMatch('/prove|theorem/i').test('Prove it') // true
 */
export function compileMatch(pattern: string): RegExp {
  const slashed = /^\/(.*)\/([dgimsuvy]*)$/s.exec(pattern);
  return slashed ? new RegExp(slashed[1], slashed[2].replace(/[gy]/g, '')) : new RegExp(pattern);
}
