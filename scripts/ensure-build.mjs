// `npm start` on a fresh clone must work without a separate build step:
// build once when dist/ is missing or older than the sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

const entry = 'dist/main.js';
if (!existsSync(entry) || statSync(entry).mtimeMs < newestMtime('src')) {
  console.log('[sift] building dist/ (first start or sources changed)…');
  execSync('npx nest build', { stdio: 'inherit' });
}
