// loadApiConfig: the api function's environment, read once and checked.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config.ts';
import { loadApiConfig } from '../../functions/api/config.ts';

const base = { TABLE_NAME: 'documents', BODIES_BUCKET: 'bodies', CURSOR_SECRET: 'a-secret-of-32-characters-000000' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadApiConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadApiConfig did not throw');
}

describe('loadApiConfig', () => {
  it('reads the store settings, the secret, and defaults CORS to any origin and the log level to INFO', () => {
    expect(loadApiConfig(base)).toEqual({
      tableName: 'documents',
      bodiesBucket: 'bodies',
      inlineBodyLimitBytes: 350_000,
      s3ForcePathStyle: false,
      cursorSecret: base.CURSOR_SECRET,
      corsOrigins: ['*'],
      logLevel: 'INFO',
    });
  });

  it('requires CURSOR_SECRET of at least 16 characters', () => {
    const { CURSOR_SECRET: _secret, ...missing } = base;
    expect(errorOf(missing).variable).toBe('CURSOR_SECRET');
    const short = errorOf({ ...base, CURSOR_SECRET: 'fifteen-chars-x' });
    expect(short.variable).toBe('CURSOR_SECRET');
    expect(short.message).toContain('at least 16');
    expect(loadApiConfig({ ...base, CURSOR_SECRET: 'sixteen-chars-xx' }).cursorSecret).toBe('sixteen-chars-xx');
  });

  it('reads CORS_ORIGINS as a comma-separated list of origins, as browsers send them', () => {
    expect(loadApiConfig({ ...base, CORS_ORIGINS: ' https://App.Example.com , http://localhost:5173,https://a.example:443 ' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'https://a.example',
    ]);
    expect(loadApiConfig({ ...base, CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(loadApiConfig({ ...base, CORS_ORIGINS: '' }).corsOrigins).toEqual(['*']);
    expect(loadApiConfig({ ...base, CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
  });

  it.each(['https://app.example.com/', 'https://app.example.com/path', 'app.example.com', '*,https://a.example', 'ftp://a.example', ',', 'https://user@a.example'])(
    'refuses CORS_ORIGINS=%j',
    (value) => {
      expect(errorOf({ ...base, CORS_ORIGINS: value }).variable).toBe('CORS_ORIGINS');
    },
  );

  it('reads LOG_LEVEL in any case and refuses unknown levels', () => {
    expect(loadApiConfig({ ...base, LOG_LEVEL: 'debug' }).logLevel).toBe('DEBUG');
    expect(errorOf({ ...base, LOG_LEVEL: 'verbose' }).variable).toBe('LOG_LEVEL');
  });

  it('still requires the store settings', () => {
    const { TABLE_NAME: _table, ...missing } = base;
    expect(errorOf(missing).variable).toBe('TABLE_NAME');
  });
});

describe('loadApiConfig: the previous cursor secret', () => {
  const previous = { CURSOR_SECRET_PREVIOUS: 'the-secret-before-rotation-0123', CURSOR_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00Z' };

  it('reads the previous secret and the end of its grace period together', () => {
    expect(loadApiConfig({ ...base, ...previous }).cursorSecretPrevious).toEqual({
      secret: previous.CURSOR_SECRET_PREVIOUS,
      until: new Date('2026-05-01T12:00:00Z'),
    });
    expect(loadApiConfig(base).cursorSecretPrevious).toBeUndefined();
  });

  it('refuses one without the other, a short secret, and an end that is no instant', () => {
    expect(errorOf({ ...base, CURSOR_SECRET_PREVIOUS: previous.CURSOR_SECRET_PREVIOUS }).variable).toBe('CURSOR_SECRET_PREVIOUS_UNTIL');
    expect(errorOf({ ...base, CURSOR_SECRET_PREVIOUS_UNTIL: previous.CURSOR_SECRET_PREVIOUS_UNTIL }).variable).toBe('CURSOR_SECRET_PREVIOUS');
    expect(errorOf({ ...base, ...previous, CURSOR_SECRET_PREVIOUS: 'short' }).variable).toBe('CURSOR_SECRET_PREVIOUS');
    for (const until of ['tomorrow', '1714564800', '2026-13-45T00:00:00Z']) {
      expect(errorOf({ ...base, ...previous, CURSOR_SECRET_PREVIOUS_UNTIL: until }).variable).toBe('CURSOR_SECRET_PREVIOUS_UNTIL');
    }
  });
});
