/**
 * The size of an item as DynamoDB counts it against the 400 KB limit and for capacity units:
 * the UTF-8 length of every attribute name plus the size of its value. Strings count their
 * UTF-8 bytes; numbers 1 byte per two significant digits plus 1; booleans and nulls 1; lists
 * and maps 3 bytes plus 1 byte per element plus their contents (map keys count like names).
 * (AWS, "Item sizes and formats" in the DynamoDB Developer Guide.) Slightly generous where the
 * rules are approximate, never smaller than the real size.
 *
 * @example
 * itemSize({ pk: 'DOC#d1', n: 12345 }) // 2 + 6 + 1 + 4 = 13
 */
export function itemSize(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return total;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return numberSize(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value) size += 1 + valueSize(element);
    return size;
  }
  if (value instanceof Set) {
    let size = 0;
    for (const element of value) size += valueSize(element);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [key, element] of Object.entries(value)) {
      if (element === undefined) continue;
      size += 1 + Buffer.byteLength(key, 'utf8') + valueSize(element);
    }
    return size;
  }
  return 0;
}

function numberSize(value: number): number {
  // Significant digits of the decimal representation, leading and trailing zeros trimmed.
  const digits = Math.abs(value).toExponential().split('e')[0]!.replace('.', '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}
