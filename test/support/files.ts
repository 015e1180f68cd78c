import fs from 'node:fs';
import path from 'node:path';

/** The regular files directly in `dir`: what could hold a secret at rest (the broker's socket is not a file). */
export function regularFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(dir, e.name));
}
