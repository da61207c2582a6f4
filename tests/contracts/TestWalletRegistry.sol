// SPDX-License-Identifier: MIT
// Minimal stand-in for the ECDSA WalletRegistry, for covsigner's chain reader
// tests. `getWallet(bytes32)` returns the same tuple as the real registry
// (keep-network/keep-core solidity/ecdsa Wallets.Wallet: membersIdsHash,
// publicKeyX, publicKeyY); an unknown ID yields the zero tuple, as there.
// `setFailing(true)` makes every getWallet revert: the test switch for a
// registry outage.
pragma solidity 0.8.26;

contract TestWalletRegistry {
    struct Wallet {
        bytes32 membersIdsHash;
        bytes32 publicKeyX;
        bytes32 publicKeyY;
    }

    mapping(bytes32 => Wallet) private registry;
    bool public failing;

    function setWallet(bytes32 walletID, bytes32 membersIdsHash, bytes32 publicKeyX,
                       bytes32 publicKeyY) external {
        registry[walletID] = Wallet(membersIdsHash, publicKeyX, publicKeyY);
    }

    function setFailing(bool value) external {
        failing = value;
    }

    function getWallet(bytes32 walletID) external view returns (Wallet memory) {
        require(!failing, "TestWalletRegistry: failing (test switch)");
        return registry[walletID];
    }
}
