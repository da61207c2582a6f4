'use strict';

// Independent check of covsigner's Bitcoin output, run by
// tests/unit/bitcoin/peer_verification_test.cpp:
//  * bcoin (pure JavaScript script interpreter) verifies every spend with
//    the flags the test names, and reports its ScriptError code;
//  * bitcoinjs-lib re-parses each transaction, recomputes the BIP143
//    SIGHASH_ALL digest for the witness script, the txid and the wtxid.
// Usage: node verify_witness.js <cases.json>
// Input:  {"flags": ["WITNESS", ...], "cases": [{"name", "tx_hex",
//          "input_index", "prevout_script_hex", "amount",
//          "witness_script_hex"}]}
// Output (stdout): {"results": [{"name", "bcoin", "sighash", "txid",
//          "wtxid", "roundtrip"}]}

const fs = require('fs');
const bcoin = require('bcoin');
const bitcoin = require('bitcoinjs-lib');

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { Script, TX } = bcoin;

let flags = 0;
for (const name of input.flags) {
  const value = Script.flags['VERIFY_' + name];
  if (value === undefined)
    throw new Error('unknown bcoin verify flag ' + name);
  flags |= value;
}

const results = input.cases.map((c) => {
  const tx = TX.fromRaw(Buffer.from(c.tx_hex, 'hex'));
  const txin = tx.inputs[c.input_index];
  const prevout = Script.fromRaw(Buffer.from(c.prevout_script_hex, 'hex'));
  let verdict = 'OK';
  try {
    Script.verify(txin.script, txin.witness, prevout, tx, c.input_index, c.amount, flags);
  } catch (e) {
    if (e.type !== 'ScriptError')
      throw e;
    verdict = e.code;
  }

  const btx = bitcoin.Transaction.fromHex(c.tx_hex);
  const sighash = btx.hashForWitnessV0(c.input_index,
    Buffer.from(c.witness_script_hex, 'hex'), BigInt(c.amount),
    bitcoin.Transaction.SIGHASH_ALL);
  return {
    name: c.name,
    bcoin: verdict,
    sighash: Buffer.from(sighash).toString('hex'),
    txid: btx.getId(),
    wtxid: Buffer.from(btx.getHash(true)).reverse().toString('hex'),
    roundtrip: btx.toHex() === c.tx_hex,
  };
});

process.stdout.write(JSON.stringify({ results }));
