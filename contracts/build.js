#!/usr/bin/env node
// Compiles every contracts/*.sol with the pinned solc-js (package.json) and
// writes <outDir>/<Name>.json = {abi, bytecode, deployedBytecode} for each
// deployable contract: sorted keys, 2-space indent, trailing newline, so the
// output is byte-for-byte reproducible. Usage: node build.js [outDir]
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const here = __dirname;
const outDir = path.resolve(process.argv[2] || path.join(here, 'out'));
const pinned = require('./package.json').devDependencies.solc;
const version = solc.version();
if (!version.startsWith(pinned + '+')) {
  console.error(`build.js: solc-js is ${version}, package.json pins ${pinned}: run npm ci`);
  process.exit(2);
}

const files = fs.readdirSync(here).filter((f) => f.endsWith('.sol')).sort();
const sources = {};
for (const f of files) sources[f] = { content: fs.readFileSync(path.join(here, f), 'utf8') };

const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: 'prague',
    // runs 1500: MsglVerifier's code is 23,366 bytes (limit 24,576) and a
    // 150k-unit proof verifies for 7.87M gas (8.12M at 1000 runs); 2000
    // saves another 20k but leaves 199 bytes for the next change (24,377).
    optimizer: { enabled: true, runs: 1500 },
    viaIR: false,
    metadata: { bytecodeHash: 'ipfs', useLiteralContent: false },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

function findImports(p) {
  const full = path.join(here, p);
  if (path.dirname(full) !== here || !fs.existsSync(full)) return { error: `not found: ${p}` };
  return { contents: fs.readFileSync(full, 'utf8') };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
let failed = false;
for (const e of output.errors || []) {
  console.error(e.formattedMessage || e.message);
  if (e.severity === 'error') failed = true;
}
// Warnings are errors too: the artifacts are committed and must be clean.
if ((output.errors || []).length !== 0) failed = true;
if (failed) process.exit(1);

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

fs.mkdirSync(outDir, { recursive: true });
const written = [];
for (const file of Object.keys(output.contracts).sort()) {
  for (const name of Object.keys(output.contracts[file]).sort()) {
    const c = output.contracts[file][name];
    if (!c.evm.bytecode.object) continue; // interfaces and abstract contracts
    const artifact = {
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    };
    const target = path.join(outDir, `${name}.json`);
    fs.writeFileSync(target, JSON.stringify(sortKeys(artifact), null, 2) + '\n');
    written.push(`${name}.json`);
  }
}
console.log(`solc ${version}: wrote ${written.join(', ')} to ${outDir}`);
