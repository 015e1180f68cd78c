#!/usr/bin/env node
// Runs the TypeScript sources directly (the package is consumed from source inside this repository).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
