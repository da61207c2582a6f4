// SPDX-License-Identifier: MIT
// Minimal stand-in for the tBTC Bridge, for covsigner's chain reader tests.
// Only `wallets(bytes20)` matters: its return tuple mirrors Wallets.Wallet in
// keep-network/tbtc-v2 solidity/contracts/bridge/Wallets.sol field for field
// (the enum WalletState is ABI-encoded as uint8), so the node's ABI decoder
// reads this contract exactly as it reads the real Bridge.
pragma solidity 0.8.26;

contract TestBridge {
    struct Wallet {
        bytes32 ecdsaWalletID;
        bytes32 mainUtxoHash;
        uint64 pendingRedemptionsValue;
        uint32 createdAt;
        uint32 movingFundsRequestedAt;
        uint32 closingStartedAt;
        uint32 pendingMovedFundsSweepRequestsCount;
        uint8 state;
        bytes32 movingFundsTargetWalletsCommitmentHash;
    }

    mapping(bytes20 => Wallet) private registeredWallets;

    // The Bridge's pointer to its CovenantSpendAuthorization registry (tbtc-v2
    // PR #1003). The real Bridge's public getter is not confirmed yet, so the
    // node takes the registry from --chain.spend-authorization-address; tests
    // still set the pointer as a deployment would.
    address public covenantSpendAuthorization;

    event CovenantSpendAuthorizationUpdated(address covenantSpendAuthorization);

    function setCovenantSpendAuthorization(address registry) external {
        covenantSpendAuthorization = registry;
        emit CovenantSpendAuthorizationUpdated(registry);
    }

    function setWallet(bytes20 walletPubKeyHash, Wallet calldata wallet) external {
        registeredWallets[walletPubKeyHash] = wallet;
    }

    function wallets(bytes20 walletPubKeyHash) external view returns (Wallet memory) {
        return registeredWallets[walletPubKeyHash];
    }
}
