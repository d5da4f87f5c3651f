// Arbitraries for text that may hold any Unicode scalar value. fast-check's own `binary` unit
// covers the same range but takes seconds to build on first use.
import fc from 'fast-check';

/** Any code point but a surrogate: everything that UTF-8 can carry. */
export const anyCodePoint = fc.oneof(fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })).map((code) => String.fromCodePoint(code));
