#!/usr/bin/env node
// Generates the compact service models in src/protocol/models/ from AWS's own published models.
//
// Why: the wire codecs (AWS JSON and AWS Query) are driven by the shapes AWS publishes rather than by hundreds of
// hand-typed shapes. The current SQS model speaks AWS JSON and no longer carries the Query protocol's element names
// (`Attribute`, `MessageAttribute`, flattened lists…), so we overlay the last Query-protocol model onto it.
//
// Usage (the aws-sdk v2 npm package ships the models under apis/):
//   npm pack aws-sdk@2.1693.0 && tar xzf aws-sdk-2.1693.0.tgz   # current models      → NEW
//   npm pack aws-sdk@2.1490.0 && tar xzf aws-sdk-2.1490.0.tgz   # last SQS Query model → OLD
//   node scripts/generate-models.mjs NEW/package/apis OLD/package/apis
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [newDir, oldDir] = process.argv.slice(2);
if (!newDir || !oldDir) {
  console.error('usage: generate-models.mjs <current apis dir> <query-era apis dir>');
  process.exit(2);
}

function resolve(model, shape) {
  if (!shape) return undefined;
  const s = shape.shape ? { ...model.shapes[shape.shape], ...stripRef(shape) } : shape;
  const type = s.type ?? 'string';
  const out = { t: type };
  if (shape.locationName ?? s.locationName) out.ln = shape.locationName ?? s.locationName;
  if (s.flattened) out.f = true;
  if (type === 'structure') {
    out.m = {};
    for (const [name, member] of Object.entries(s.members ?? {})) out.m[name] = resolve(model, member);
    if (s.required?.length) out.r = s.required;
  } else if (type === 'list') {
    out.e = resolve(model, s.member ?? {});
  } else if (type === 'map') {
    out.k = resolve(model, s.key ?? {});
    out.v = resolve(model, s.value ?? {});
  }
  return out;
}

function stripRef(shape) {
  const { shape: _ref, ...rest } = shape;
  return rest;
}

/** Copies Query-protocol element names from the old resolved shape onto the new one, member by member. */
function overlay(cur, old) {
  if (!cur || !old || cur.t !== old.t) return cur;
  if (old.ln && !cur.ln) cur.ln = old.ln;
  if (old.f) cur.f = true;
  if (cur.t === 'structure') for (const k of Object.keys(cur.m)) overlay(cur.m[k], old.m?.[k]);
  if (cur.t === 'list') overlay(cur.e, old.e);
  if (cur.t === 'map') {
    overlay(cur.k, old.k);
    overlay(cur.v, old.v);
  }
  return cur;
}

function generate(file, outName) {
  const cur = JSON.parse(readFileSync(join(newDir, file), 'utf8'));
  let old;
  try {
    old = JSON.parse(readFileSync(join(oldDir, file), 'utf8'));
  } catch {
    old = undefined;
  }
  const operations = {};
  for (const [name, op] of Object.entries(cur.operations).sort(([a], [b]) => a.localeCompare(b))) {
    const oldOp = old?.operations[name];
    const input = overlay(resolve(cur, op.input ?? { type: 'structure', members: {} }), oldOp && resolve(old, oldOp.input));
    const output = op.output ? overlay(resolve(cur, op.output), oldOp?.output && resolve(old, oldOp.output)) : undefined;
    const resultWrapper = op.output?.resultWrapper ?? oldOp?.output?.resultWrapper;
    operations[name] = { input, ...(output ? { output } : {}), ...(resultWrapper ? { resultWrapper } : {}) };
  }
  const meta = old?.metadata ?? cur.metadata;
  const result = {
    apiVersion: cur.metadata.apiVersion,
    targetPrefix: cur.metadata.targetPrefix,
    xmlNamespace: meta.xmlNamespace ?? `https://${cur.metadata.endpointPrefix}.amazonaws.com/doc/${cur.metadata.apiVersion}/`,
    operations,
  };
  writeFileSync(new URL(`../src/protocol/models/${outName}.json`, import.meta.url), JSON.stringify(result) + '\n');
  console.log(`${outName}: ${Object.keys(operations).length} operations`);
}

generate('sqs-2012-11-05.min.json', 'sqs');
generate('sts-2011-06-15.min.json', 'sts');
generate('sns-2010-03-31.min.json', 'sns');
generate('eventbridge-2015-10-07.min.json', 'events');
