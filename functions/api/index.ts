export { createApp, SCALAR_CDN } from './app.ts';
export type { ApiApp, ApiEnv, ApiLogger, AppDependencies } from './app.ts';
export { loadApiConfig, LOG_LEVELS } from './config.ts';
export type { ApiConfig, AppConfig, LogLevel } from './config.ts';
export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, ProblemError } from './problem.ts';
export type { InvalidParam, Problem } from './problem.ts';
