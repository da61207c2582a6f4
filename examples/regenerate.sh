#!/bin/sh
# Regenerates every committed example with covsignerctl, from the repository
# root (after `make build`):
#
#   examples/regenerate.sh [path/to/covsignerctl]
#
# The output is deterministic (RFC 6979 signatures), so an unchanged tool
# reproduces the files byte for byte; tests/unit/tools checks that it does.
# Everything is signed with the PUBLIC development keys: development only.
set -eu
ctl=${1:-build/bin/covsignerctl}

# The SIMULATED fixture chain: the dev wallet and both funding transactions.
"$ctl" example-chain > examples/chain/dev-chain.json
for route in qc_v1 self_v1; do
  # For a node without a chain (no certificate verifier): no signerApproval.
  "$ctl" example --route "$route" > "examples/requests/$route.json"
  # For examples/dev.ini (`make run`, the README walk-through): the same
  # request with a signer approval certificate valid through block 1000000.
  "$ctl" example --route "$route" --signer-approval-end-block 1000000 \
    > "examples/requests/$route-certified.json"
done
