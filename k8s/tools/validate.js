#!/usr/bin/env node
// Validates every object of rendered manifests (multi-document YAML, files or stdin) against the
// Kubernetes schemas of kubernetes-models (offline; pinned in package-lock.json). Unknown kinds,
// unknown fields and wrong types are errors. Exit 1 on any error, printing each with its object.
// Usage: node validate.js FILE... ; prints "N objects valid" on success.
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

function modelOf(apiVersion, kind) {
  // "v1" -> kubernetes-models/v1, "apps/v1" -> kubernetes-models/apps/v1, ...
  const dir = path.join('kubernetes-models', apiVersion, kind);
  try {
    return require(dir)[kind];
  } catch (e) {
    return null;
  }
}

let count = 0;
const errors = [];
const files = process.argv.slice(2);
if (files.length === 0) files.push('/dev/stdin');
for (const file of files) {
  const docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d != null);
  for (const doc of docs) {
    const where = `${file}: ${doc.kind}/${doc.metadata && doc.metadata.name}`;
    const Model = modelOf(String(doc.apiVersion), String(doc.kind));
    if (!Model) {
      errors.push(`${where}: no schema for ${doc.apiVersion} ${doc.kind}`);
      continue;
    }
    try {
      new Model(doc).validate();
      count++;
    } catch (e) {
      errors.push(`${where}: ${e.message}${e.errors ? '\n' + JSON.stringify(e.errors, null, 1) : ''}`);
    }
  }
}
if (errors.length > 0) {
  console.error(errors.join('\n'));
  console.error(`${errors.length} invalid, ${count} valid`);
  process.exit(1);
}
if (count === 0) {
  console.error('no objects found');
  process.exit(1);
}
console.log(`${count} objects valid`);
