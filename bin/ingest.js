#!/usr/bin/env node
// The CLI is written in TypeScript and runs without a build step: tsx compiles it on load.
import { register } from 'tsx/esm/api';

// The SDK warns on every Node 20 start that versions released after January 2027 will need
// Node 22; the versions in the lock file run on 20, so the CLI keeps its output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
