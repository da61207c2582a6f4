'use strict';

// Independent BIP-143 hashOutputs for covsigner's CovenantSpendAuthorization
// vectors (tests/unit/chain/spend_authorization_vector_test.cpp): bitcoinjs-lib
// parses each transaction and hashes its outputs (value as 8 bytes LE, then
// the varint-prefixed script) with its own double SHA-256.
// Usage: node hash_outputs.js <cases.json>
// Input:  {"cases": [{"name", "tx_hex"}]}
// Output (stdout): {"results": [{"name", "hash_outputs", "outputs"}]}

const fs = require('fs');
const bitcoin = require('bitcoinjs-lib');

function varint(n) {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) { const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = 0xfe; b.writeUInt32LE(n, 1); return b;
}

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const results = input.cases.map((c) => {
  const tx = bitcoin.Transaction.fromHex(c.tx_hex);
  const parts = [];
  for (const out of tx.outs) {
    const value = Buffer.alloc(8);
    value.writeBigUInt64LE(BigInt(out.value));
    parts.push(value, varint(out.script.length), Buffer.from(out.script));
  }
  const hash = bitcoin.crypto.hash256(Buffer.concat(parts));
  return { name: c.name, hash_outputs: '0x' + Buffer.from(hash).toString('hex'), outputs: tx.outs.length };
});
process.stdout.write(JSON.stringify({ results }) + '\n');
