// Compiles the test contracts with solc-js 0.8.26 (tests/peers) and writes
// <Name>.json beside each source: {"abi": [...], "bytecode": "0x..."}.
// Run from the repository root:
//   node tests/contracts/compile.js
// The committed JSON files are this command's output; the Ethereum tests
// deploy them and check that the embedded compiler version matches.
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', 'peers', 'node_modules', 'solc'));

const names = ['TestBridge', 'TestWalletRegistry', 'TestCovenantSpendAuthorization'];
const sources = {};
for (const name of names)
  sources[name + '.sol'] = { content: fs.readFileSync(path.join(__dirname, name + '.sol'), 'utf8') };
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'paris',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
for (const name of names) {
  const c = output.contracts[name + '.sol'][name];
  const artifact = { compiler: 'solc-js ' + solc.version(), abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
  fs.writeFileSync(path.join(__dirname, name + '.json'), JSON.stringify(artifact, null, 2) + '\n');
  console.log(name + ': ' + c.evm.bytecode.object.length / 2 + ' bytes');
}
