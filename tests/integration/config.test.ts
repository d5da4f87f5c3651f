// Configuration is read once at start-up and fails with a sentence naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadParserConfig, loadStoreConfig } from '../../shared/config.ts';

const complete = { TABLE_NAME: 'documents', DOCUMENTS_BUCKET: 'uploads', BODIES_BUCKET: 'bodies' };

describe('parser configuration', () => {
  it('reads the variables and applies defaults', () => {
    expect(loadParserConfig(complete)).toEqual({
      tableName: 'documents',
      documentsBucket: 'uploads',
      bodiesBucket: 'bodies',
      maxDocumentBytes: 8 * 1024 * 1024,
      inlineBodyLimitBytes: 350_000,
      s3ForcePathStyle: false,
    });
    expect(
      loadParserConfig({ ...complete, MAX_DOCUMENT_BYTES: '1048576', INLINE_BODY_LIMIT_BYTES: '16000', S3_FORCE_PATH_STYLE: 'TRUE' }),
    ).toMatchObject({ maxDocumentBytes: 1_048_576, inlineBodyLimitBytes: 16_000, s3ForcePathStyle: true });
  });

  it.each([
    [{ ...complete, TABLE_NAME: undefined }, 'TABLE_NAME', /TABLE_NAME is not set/],
    [{ ...complete, BODIES_BUCKET: '  ' }, 'BODIES_BUCKET', /BODIES_BUCKET is not set/],
    [{ ...complete, DOCUMENTS_BUCKET: undefined }, 'DOCUMENTS_BUCKET', /DOCUMENTS_BUCKET is not set/],
    [{ ...complete, MAX_DOCUMENT_BYTES: '8MB' }, 'MAX_DOCUMENT_BYTES', /MAX_DOCUMENT_BYTES must be a positive whole number.*"8MB"/],
    [{ ...complete, MAX_DOCUMENT_BYTES: '0' }, 'MAX_DOCUMENT_BYTES', /positive/],
    [{ ...complete, INLINE_BODY_LIMIT_BYTES: '500000' }, 'INLINE_BODY_LIMIT_BYTES', /at most 409600/],
    [{ ...complete, S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE', /"true" or "false"/],
  ])('names the variable when one is missing or malformed (%#)', (env, variable, message) => {
    let error: unknown;
    try {
      loadParserConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('gives the read API what it needs without the parser-only variables', () => {
    expect(loadStoreConfig({ TABLE_NAME: 't', BODIES_BUCKET: 'b' })).toMatchObject({ tableName: 't', bodiesBucket: 'b' });
  });
});
