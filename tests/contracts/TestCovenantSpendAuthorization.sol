// SPDX-License-Identifier: MIT
// Stand-in for tbtc-v2's CovenantSpendAuthorization (solidity/contracts/
// bridge/CovenantSpendAuthorization.sol, PR #1003), for covsigner's gate
// tests: the same ABI, the same key derivation and the same rules
// (owner-only, write-once, zero wallet and zero value refused, the same
// event). `covenantUtxoKey` is public here so tests can check the node's
// utxoKey against the compiler's own abi.encodePacked and keccak256.
pragma solidity 0.8.26;

contract TestCovenantSpendAuthorization {
    struct Authorization {
        bytes20 walletPKH;
        uint64 value;
        bytes32 outputsHash;
    }

    address public owner;
    mapping(uint256 => Authorization) public authorizations;

    event CovenantSpendAuthorized(
        uint256 indexed utxoKey,
        bytes20 walletPKH,
        uint64 value,
        bytes32 outputsHash
    );

    constructor() {
        owner = msg.sender;
    }

    function covenantUtxoKey(bytes32 fundingTxHash, uint32 fundingOutputIndex)
        public
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encodePacked(fundingTxHash, fundingOutputIndex)));
    }

    function authorizeCovenantSpend(
        bytes32 fundingTxHash,
        uint32 fundingOutputIndex,
        bytes20 walletPKH,
        uint64 value,
        bytes32 outputsHash
    ) external {
        require(msg.sender == owner, "Caller is not the owner");
        require(walletPKH != bytes20(0), "Wallet PKH must not be zero");
        require(value != 0, "Value must not be zero");
        uint256 utxoKey = covenantUtxoKey(fundingTxHash, fundingOutputIndex);
        require(
            authorizations[utxoKey].walletPKH == bytes20(0),
            "Covenant spend already authorized"
        );
        authorizations[utxoKey] = Authorization(walletPKH, value, outputsHash);
        emit CovenantSpendAuthorized(utxoKey, walletPKH, value, outputsHash);
    }

    function isAuthorized(
        uint256 utxoKey,
        bytes20 walletPKH,
        uint64 value,
        bytes32 outputsHash
    ) external view returns (bool) {
        Authorization storage a = authorizations[utxoKey];
        return
            a.walletPKH != bytes20(0) &&
            a.walletPKH == walletPKH &&
            a.value == value &&
            a.outputsHash == outputsHash;
    }
}
