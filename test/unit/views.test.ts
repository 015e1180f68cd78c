import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { declaresUi, Views } from '../../app/main/mcp/views.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the MCP App views', () => {
  it('are offered only when all three are built (a checkout without npm run build serves text only)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'views-'));
    dirs.push(dir);
    expect(new Views(dir).available()).toBe(false);
    fs.writeFileSync(path.join(dir, 'results.html'), '<!doctype html>');
    fs.writeFileSync(path.join(dir, 'schema.html'), '<!doctype html>');
    expect(new Views(dir).available()).toBe(false);
    fs.writeFileSync(path.join(dir, 'write.html'), '<!doctype html>');
    expect(new Views(dir).available()).toBe(true);
  });

  it('are for clients that declare the ui extension with the MCP App HTML profile, nothing else', () => {
    const ui = (mimeTypes?: string[]) => ({ extensions: { 'io.modelcontextprotocol/ui': { mimeTypes } } });
    expect(declaresUi(ui(['text/html;profile=mcp-app']))).toBe(true);
    expect(declaresUi(ui(['text/html']))).toBe(false);
    expect(declaresUi(ui())).toBe(false);
    expect(declaresUi({ elicitation: {} })).toBe(false);
    expect(declaresUi(undefined)).toBe(false);
  });
});
