import { z } from '@hono/zod-openapi';
import { DOCUMENT_FORMATS } from '../../shared/document.ts';
import { DOCUMENT_ERROR_CODES } from '../../shared/errors.ts';
import { canonicalUrl } from '../../shared/url.ts';
import { normalizeAuthor } from '../../shared/store/index.ts';
import { normalizeDate } from './dates.ts';
import { PROBLEM_TYPES } from './problem.ts';

/**
 * The zod schemas of every request and response: they validate query and path parameters at
 * runtime and generate /openapi.json. Query strings arrive as strings (or arrays when a
 * parameter is repeated), so every parameter is a string schema with precise rules; each
 * rule's message completes the sentence `Parameter "<name>" ...`.
 */

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
// DynamoDB refuses key values over 2,048 bytes; these keep every filter well inside that.
const MAX_KEY_TEXT_BYTES = 1024;
const MAX_URL_LENGTH = 2000;

const REPEATED = 'must be given at most once';
// Control characters and lone surrogates (what invalid percent-escapes decode to): no stored
// value contains them, and DynamoDB keys must be valid UTF-8.
const NOT_TEXT = /[\p{Cc}\p{Cs}]/u;

/** A string query parameter: given once, not blank, printable, at most `max` characters. */
function textParam(max: number) {
  return z
    .string({ error: REPEATED })
    .refine((value) => value.trim() !== '', 'must not be empty')
    .refine((value) => value.length <= max, `must be at most ${max} characters long`)
    .refine((value) => !NOT_TEXT.test(value), 'must not contain control characters or invalid UTF-8');
}

const SiteParam = textParam(253).openapi({
  description: 'Only documents of this site: the host of the original URL without `www.`, any case.',
  example: 'themoscowtimes.com',
});

const AuthorParam = textParam(200)
  .refine((value) => Buffer.byteLength(normalizeAuthor(value)) <= MAX_KEY_TEXT_BYTES, 'is too long')
  .openapi({
    description:
      'Only documents with this author among their authors. Case, Unicode width and runs of spaces do not matter.',
    example: 'Ivan Petrov',
  });

const DATE_RULE = 'must be a date (YYYY, YYYY-MM or YYYY-MM-DD) or an ISO 8601 time with a zone (2024-05-01T12:00:00Z)';
function dateParam(description: string, example: string) {
  return textParam(40).refine((value) => normalizeDate(value) !== null, DATE_RULE).openapi({ description, example });
}

const UrlParam = textParam(MAX_URL_LENGTH)
  .refine((value) => canonicalUrl(value) !== null, 'must be an absolute http(s) URL')
  .refine((value) => Buffer.byteLength(canonicalUrl(value) ?? '') <= MAX_URL_LENGTH, 'is too long')
  .openapi({
    description:
      'Only documents whose original URL is this one. Compared canonically: tracking parameters (`utm_*`, `fbclid`, ...), the fragment, parameter order and a trailing slash do not matter.',
    example: 'https://www.themoscowtimes.com/2019/11/04/article?utm_source=feed',
  });

const LimitParam = z
  .string({ error: REPEATED })
  .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_LIMIT}`)
  .transform(Number)
  .pipe(z.number().int().min(1, `must be a whole number from 1 to ${MAX_LIMIT}`).max(MAX_LIMIT, `must be a whole number from 1 to ${MAX_LIMIT}`))
  .openapi({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: 'Items per page.',
  });

const CursorParam = z
  .string({ error: REPEATED })
  .min(1, 'must not be empty')
  .openapi({
    description:
      'The `nextCursor` of the previous page, passed back unchanged together with the same filters. Opaque and signed.',
  });

/** Query of `GET /documents`. Unknown parameters are refused, so a misspelt filter is an error, not a silently unfiltered page. */
export const ListDocumentsQuerySchema = z.strictObject({
  site: SiteParam.optional(),
  author: AuthorParam.optional(),
  from: dateParam('Earliest `publishedAt`, inclusive. Undated documents are left out when `from` or `to` is given.', '2019-11-01').optional(),
  to: dateParam('Latest `publishedAt`, inclusive: `2019-11` means up to the end of November 2019.', '2019-11-30').optional(),
  url: UrlParam.optional(),
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
});

/** Query of `GET /failures`. */
export const ListFailuresQuerySchema = z.strictObject({
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
});

/** Query of endpoints that take no parameters. */
export const NoQuerySchema = z.strictObject({});

export const DocumentIdParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 letters, digits, "-" or "_"')
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'The document id (`d` and 24 hex digits for an uploaded object).',
      example: 'd5f7353310f704cc7a1b2c3d4',
    }),
});

// ---- responses ---------------------------------------------------------------------------

export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');

export const DocumentSummarySchema = z
  .object({
    id: z.string(),
    schemaVersion: z.number().int(),
    sourceKey: z.string().nullable().openapi({ description: 'The S3 key the document came from.' }),
    format: z.enum(DOCUMENT_FORMATS),
    title: z.string(),
    authors: z.array(z.string()),
    publishedAt: z
      .string()
      .nullable()
      .openapi({ description: '`YYYY-MM-DD`, a UTC timestamp, or null when the document has no date.' }),
    imageCredit: z.string().nullable(),
    url: z.string().nullable().openapi({ description: 'The canonical original URL.' }),
    site: z.string().nullable().openapi({ description: 'The host of `url` without `www.`.' }),
    language: z.string().nullable().openapi({ description: 'ISO 639-1 code, or null when unsure.' }),
    tags: z.array(z.string()),
    excerpt: z.string(),
    wordCount: z.number().int(),
    readingTimeMinutes: z.number().int(),
    contentHash: z.string().openapi({ description: 'SHA-256 (hex) of the normalized title and body.' }),
    sourceBytes: z.number().int(),
    encoding: z.string(),
    ingestedAt: z.string().openapi({ description: 'When this version was stored (ISO 8601, UTC).' }),
  })
  .openapi('DocumentSummary');

export const DocumentSchema = DocumentSummarySchema.extend({
  body: z.string().openapi({
    description: 'The full article text, however large (bodies over the item size limit are read from S3).',
  }),
}).openapi('Document');

const NextCursor = z
  .string()
  .nullable()
  .openapi({ description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.' });

export const DocumentPageSchema = z
  .object({ items: z.array(DocumentSummarySchema), nextCursor: NextCursor })
  .openapi('DocumentPage');

export const FailureSchema = z
  .object({
    id: z.string().openapi({ description: 'The id the document would have had.' }),
    key: z.string().openapi({ description: 'The S3 key of the object that failed.' }),
    code: z.enum(DOCUMENT_ERROR_CODES),
    message: z.string().openapi({ description: 'One human sentence.' }),
    failedAt: z.string().openapi({ description: 'When the failure was recorded (ISO 8601, UTC).' }),
  })
  .openapi('Failure');

export const FailurePageSchema = z
  .object({ items: z.array(FailureSchema), nextCursor: NextCursor })
  .openapi('FailurePage');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({
      description: `\`${PROBLEM_TYPES.invalidParameter}\`, \`${PROBLEM_TYPES.invalidCursor}\`, or \`about:blank\` when the status says it all.`,
    }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional().openapi({ description: 'Also in the X-Request-Id header.' }),
    invalidParams: z
      .array(z.object({ name: z.string(), reason: z.string() }))
      .optional()
      .openapi({ description: 'Every rejected parameter (invalid-parameter problems only).' }),
  })
  .openapi('Problem');
