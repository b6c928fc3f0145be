// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

/// @title The verifier interface of MsglSettlement.
/// @notice Answers whether a fact (a statement hash, docs/DESIGN.md D2) is
///         proven. MsglVerifier implements it by verifying the Stwo proof on
///         chain; FactRegistry, a registry that trusted registrars fill after
///         checking proofs off chain, is a stand-in for tests and the demo.
interface IFactRegistry {
    /// @return true when `fact` (a statement hash) has been proven.
    function isValid(bytes32 fact) external view returns (bool);
}
