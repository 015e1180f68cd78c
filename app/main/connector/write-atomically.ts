import fs from 'node:fs';
import path from 'node:path';

/** Replaces a file whole: written beside it, then renamed over it, so a crash leaves the old file or the new. */
export function writeAtomically(file: string, text: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}
