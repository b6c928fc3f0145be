// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

/// @title The verifier interface of MsglSettlement.
/// @notice v1 answers from a registry of statement hashes proven off chain
///         (the fact-registry pattern); an on-chain Stwo verifier can
///         implement the same interface later.
interface IFactRegistry {
    /// @return true when `fact` (a statement hash) has been proven.
    function isValid(bytes32 fact) external view returns (bool);
}
