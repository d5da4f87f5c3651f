import { DocumentError } from '../errors.ts';
import { linesToParagraphs, splitLines } from '../text.ts';
import { bodyFrom, metadataFrom } from './record.ts';
import type { Extracted } from './types.ts';

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/**
 * Reads a JSON record: an object with a title, author(s), date, url and a body. Returns null
 * when the text is not JSON at all (it may be text that starts with a brace).
 */
export function parseJson(text: string): Extracted | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new DocumentError('too_complex', 'The JSON document is nested too deeply to read.', { cause: error });
    }
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DocumentError('malformed', `The JSON document is ${describe(data)}, not an object with a title and a body.`);
  }
  const record = data as Record<string, unknown>;
  const body = bodyFrom(record);
  if (body === null) {
    throw new DocumentError('malformed', 'The JSON object has no "body", "text" or "content" string.');
  }
  return { ...metadataFrom(record), paragraphs: linesToParagraphs(splitLines(body)) };
}
