import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The request header that carries the API key (API Gateway's name for it). */
export const API_KEY_HEADER = 'x-api-key';

/** Media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Problem types of this API. Errors that are only their HTTP status (404, 405, 500, ...)
 * use `about:blank`, whose title is the status phrase, as RFC 9457 suggests.
 */
export const PROBLEM_TYPES = {
  /** A query or path parameter that is unknown, repeated, empty or out of range. */
  invalidParameter: 'urn:docflow:problem:invalid-parameter',
  /** A cursor that is malformed, altered, or issued for other filters. */
  invalidCursor: 'urn:docflow:problem:invalid-cursor',
  blank: 'about:blank',
} as const;

/** One rejected parameter: its name and why. */
export interface InvalidParam {
  readonly name: string;
  readonly reason: string;
}

/** An RFC 9457 problem as this API writes it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The request id, also sent as the `X-Request-Id` header: quote it when reporting an error. */
  readonly requestId?: string;
  /** For `invalid-parameter`: every parameter that was rejected. */
  readonly invalidParams?: readonly InvalidParam[];
}

const STATUS_PHRASES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The reason phrase of an HTTP status, for `about:blank` problems. */
export function statusPhrase(status: number): string {
  return STATUS_PHRASES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * An error that knows its HTTP status and problem body. Throw it from a handler or hook; the
 * app's `onError` adds the request id and writes it as `application/problem+json`.
 *
 * @example
 * throw ProblemError.invalidParams([{ name: 'limit', reason: 'must be a whole number from 1 to 100' }]);
 * throw ProblemError.notFound(`No document has the id ${id}.`);
 */
export class ProblemError extends HTTPException {
  override readonly name = 'ProblemError';
  readonly problem: Omit<Problem, 'requestId'>;
  /** Headers the response must carry (`Allow` for 405, ...). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    problem: Omit<Problem, 'requestId' | 'status'> & { status: ContentfulStatusCode },
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(problem.status, { message: problem.detail, cause: options.cause });
    this.problem = problem;
    this.headers = options.headers ?? {};
  }

  /** 400 for one or more bad parameters. */
  static invalidParams(params: readonly InvalidParam[]): ProblemError {
    const detail =
      params.length === 1
        ? `Parameter "${params[0]!.name}" ${params[0]!.reason}.`
        : `${params.length} parameters are invalid: ${params.map((p) => `"${p.name}" ${p.reason}`).join('; ')}.`;
    return new ProblemError({
      type: PROBLEM_TYPES.invalidParameter,
      title: 'Invalid request parameter',
      status: 400,
      detail,
      invalidParams: params,
    });
  }

  /** 400 for a cursor that cannot be used. */
  static invalidCursor(detail: string, cause?: unknown): ProblemError {
    return new ProblemError(
      { type: PROBLEM_TYPES.invalidCursor, title: 'Invalid cursor', status: 400, detail },
      { cause },
    );
  }

  /**
   * 401: the request carries no credentials. Says which header to send and nothing about what
   * the path would have answered.
   */
  static missingCredentials(): ProblemError {
    return new ProblemError(
      {
        type: PROBLEM_TYPES.blank,
        title: statusPhrase(401),
        status: 401,
        detail: `This API needs an API key: send it in the ${API_KEY_HEADER} header.`,
      },
      { headers: { 'WWW-Authenticate': `ApiKey header="${API_KEY_HEADER}"` } },
    );
  }

  /** 403: credentials were sent and are not valid. The same answer on every path. */
  static invalidCredentials(): ProblemError {
    return new ProblemError({
      type: PROBLEM_TYPES.blank,
      title: statusPhrase(403),
      status: 403,
      detail: `The API key in the ${API_KEY_HEADER} header is not valid.`,
    });
  }

  /** 404. */
  static notFound(detail: string): ProblemError {
    return new ProblemError({ type: PROBLEM_TYPES.blank, title: statusPhrase(404), status: 404, detail });
  }

  /** 405 with the `Allow` header. */
  static methodNotAllowed(method: string, path: string, allow: readonly string[]): ProblemError {
    return new ProblemError(
      {
        type: PROBLEM_TYPES.blank,
        title: statusPhrase(405),
        status: 405,
        detail: `${path} does not support ${method}; it supports ${allow.join(', ')}.`,
      },
      { headers: { Allow: allow.join(', ') } },
    );
  }
}

/**
 * Answers with a problem: JSON body, `application/problem+json`, never cached. Goes through
 * the context, so headers middleware set before (request id, CORS) stay on the response.
 *
 * @example
 * return sendProblem(c, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such path.' });
 */
export function sendProblem(c: Context, problem: Problem, headers: Readonly<Record<string, string>> = {}): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    ...headers,
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  });
}
