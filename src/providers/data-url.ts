/**
 * Splits base64 data URLs (how OpenAI clients inline images) into MIME type and payload, which native APIs
 * want as separate fields.
 */

/**
 * @example parseBase64DataUrl('data:image/png;base64,iVBOR') // { mimeType: 'image/png', data: 'iVBOR' }
 * @example parseBase64DataUrl('https://example.com/cat.jpg') // undefined
 */
export function parseBase64DataUrl(url: string): { mimeType: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mimeType: match[1], data: match[2] } : undefined;
}
