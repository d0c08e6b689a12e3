#!/usr/bin/env node
// Bundles the dashboard's browser code (ui/) with esbuild into dist/dashboard-ui/, which the gateway serves at
// /ui. Part of `npm run build`, so `npm install && npm start` serves it; nothing is fetched at run time.
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'dashboard-ui');
fs.mkdirSync(out, { recursive: true });
esbuild.buildSync({
  entryPoints: [path.join(root, 'ui', 'app.tsx')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'ui', 'app.css'), path.join(out, 'app.css'));
fs.copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), path.join(out, 'uplot.css'));
