#!/usr/bin/env node
// The `parley` command: runs the TypeScript CLI through tsx so no separate compile step is needed.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
