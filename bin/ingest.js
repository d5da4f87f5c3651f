#!/usr/bin/env node
// The CLI is written in TypeScript and runs without a build step: tsx compiles it on load.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
