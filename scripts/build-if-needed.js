#!/usr/bin/env node
// `npm start` runs this first: compile to dist/ when dist/cli.js is missing or older than any source file.
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const m = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

const stale = !fs.existsSync(cli) || newestMtime(path.join(root, 'src')) > fs.statSync(cli).mtimeMs;
if (stale) {
  console.error('switchyard: compiling to dist/ ...');
  execSync('npx tsc -p tsconfig.json', { cwd: root, stdio: 'inherit' });
}
// The dashboard's browser bundle (ui/ → dist/dashboard-ui/), built the same way when missing or older than ui/.
const bundle = path.join(root, 'dist', 'dashboard-ui', 'app.js');
if (!fs.existsSync(bundle) || newestMtime(path.join(root, 'ui')) > fs.statSync(bundle).mtimeMs) {
  console.error('switchyard: bundling the dashboard ...');
  execSync('node scripts/build-dashboard.js', { cwd: root, stdio: 'inherit' });
}
