'use strict';

// A real Bitcoin full node for the integration tests
// (tests/integration/bitcoin_regtest_test.cpp, started through
// tests/support/bcoin_regtest.hpp): bcoin 1.0.2 on regtest, chain and
// mempool in memory, with its Bitcoin Core-compatible JSON-RPC on
// 127.0.0.1:<port> behind HTTP basic auth (any user, password <api key>).
// Its mempool applies bcoin's standardness policy (require-standard is on
// for regtest here, as on mainnet), so a spend it accepts is one the network
// relays. No peers (it dials none and listens on no P2P socket), no wallet.
//
// Usage: node bcoin_regtest.js <port> <api-key>
// Prints one line "ready <port>" on stdout once the RPC answers; exits on
// SIGTERM/SIGINT.

// Pure-JavaScript crypto: the npm install runs with --ignore-scripts, so
// bcoin's native backends are not built.
process.env.NODE_BACKEND = 'js';

// bcoin's bdb requires 'leveldown' when it is loaded, but a `memory: true`
// database never calls it, and the native module is not built. Answer the
// require with a stub that fails loudly if it is ever used.
const Module = require('module');
const realLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'leveldown') {
    return function leveldownStub() {
      throw new Error('leveldown is not available: bcoin must run with memory: true');
    };
  }
  return realLoad.call(this, request, parent, isMain);
};

const bcoin = require('bcoin');
// bcoin's own HTTP/RPC and argument libraries (dependencies of bcoin,
// resolved from it).
const { RPCError } = require(require.resolve('bweb', { paths: [require.resolve('bcoin')] }));
const Validator = require(require.resolve('bval', { paths: [require.resolve('bcoin')] }));

const port = Number(process.argv[2]);
const apiKey = process.argv[3];
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !apiKey) {
  process.stderr.write('usage: node bcoin_regtest.js <port> <api-key>\n');
  process.exit(2);
}

const node = new bcoin.FullNode({
  network: 'regtest',
  memory: true,
  // getrawtransaction of confirmed transactions needs the transaction index.
  indexTX: true,
  // Regtest defaults to accepting non-standard transactions; the point of
  // this peer is to apply the relay policy the network applies.
  requireStandard: true,
  // bcoin 1.0.2 alone refuses every transaction that signals BIP125 opt-in
  // replacement ("replace-by-fee (nonstandard)"); Bitcoin Core has relayed
  // them since 0.12. Every covenant spend signals it by protocol (input
  // sequence 0xFFFFFFFD, pinned by the plan rules and the reference), so
  // the peer takes Core's side here.
  replaceByFee: true,
  httpHost: '127.0.0.1',
  httpPort: port,
  apiKey,
  // No peers: no listening socket, no seeds (regtest's seed is
  // 127.0.0.1:48444), so the pool never dials anyone.
  listen: false,
  seeds: [],
  workers: false,
  logLevel: 'warning',
  logConsole: true,
});

// Bitcoin Core's error codes (src/rpc/protocol.h) for a refused broadcast.
const RPC_VERIFY_ERROR = -25;    // missing or spent inputs
const RPC_VERIFY_REJECTED = -26; // refused by policy or consensus

// bcoin 1.0.2's own sendrawtransaction hands the transaction to
// node.relay(), which logs a mempool rejection and answers the txid anyway
// (and FullNode#sendTX broadcasts a policy-rejected transaction "anyway"), so
// a caller could never see a refusal. Bitcoin Core's sendrawtransaction
// fails when its mempool refuses. This handler puts the transaction through
// the same mempool (bcoin's own checks, nothing simulated) and answers as
// Core does: the txid once the mempool holds it, else an error naming
// bcoin's reject reason and code.
async function sendRawTransaction(args) {
  if (args.length < 1 || args.length > 2 || typeof args[0] !== 'string')
    throw new RPCError(RPC_VERIFY_ERROR, 'sendrawtransaction "hexstring" ( allowhighfees )');
  let tx;
  try {
    tx = bcoin.TX.fromRaw(Buffer.from(args[0], 'hex'));
  } catch (e) {
    throw new RPCError(-22, `TX decode failed: ${e.message}`); // RPC_DESERIALIZATION_ERROR
  }
  let missing;
  try {
    missing = await node.mempool.addTX(tx);
  } catch (e) {
    if (e.type !== 'VerifyError')
      throw e;
    throw new RPCError(RPC_VERIFY_REJECTED, `${e.reason} (${e.code})`);
  }
  if (missing) {
    // Kept as an orphan by bcoin; Core refuses such a transaction outright.
    node.mempool.removeOrphan(tx.hash('hex'));
    throw new RPCError(RPC_VERIFY_ERROR, 'bad-txns-inputs-missingorspent');
  }
  return tx.txid();
}

// bcoin 1.0.2's gettxout with include_mempool finds outputs created in its
// mempool but ignores spends made there: a confirmed output that a mempool
// transaction spends is still answered as unspent. Bitcoin Core answers null
// for it (rpc/blockchain.cpp: the mempool view, then mempool.isSpent). This
// wrapper keeps bcoin's answer and adds that one check, from bcoin's own
// mempool.
let bcoinGetTXOut;
async function getTXOut(args, help) {
  const coin = await bcoinGetTXOut.call(this, args, help);
  if (coin === null || help)
    return coin;
  const valid = new Validator(args);
  // bcoin keys outpoints by the txid in internal byte order, as hex.
  const hash = Buffer.from(valid.str(0), 'hex').reverse().toString('hex');
  if (valid.bool(2, true) && node.mempool.isSpent(hash, valid.u32(1)))
    return null;
  return coin;
}

async function main() {
  await node.open();
  // The pool is "connected" to no one: bcoin's chain reset (invalidateblock)
  // asks the pool to resync and fails, leaving the mempool on the old tip,
  // if it is not.
  await node.connect();
  node.rpc.calls.sendrawtransaction = sendRawTransaction;
  bcoinGetTXOut = node.rpc.calls.gettxout;
  node.rpc.calls.gettxout = getTXOut;
  process.stdout.write(`ready ${port}\n`);
}

async function stop(signal) {
  try {
    await node.close();
  } finally {
    process.stderr.write(`bcoin_regtest: stopped on ${signal}\n`);
    process.exit(0);
  }
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

main().catch((e) => {
  process.stderr.write(`bcoin_regtest: ${e.stack || e}\n`);
  process.exit(1);
});
