// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {IFactRegistry} from "./IFactRegistry.sol";

/// @title Registry of statement hashes proven off chain: a TRUSTED stand-in.
/// @notice Only an authorized registrar (`isVerifier`) may register a fact,
///         and the contract believes it without seeing a proof: whoever the
///         owner authorizes decides what settles, so a settlement contract
///         on this registry trusts the owner and every registrar with every
///         escrow. For tests and the demo; a deployment that holds value uses
///         MsglVerifier, which checks the proof on chain. The owner (the
///         deployer, then whoever ownership is transferred to) manages the
///         set; the constructor authorizes the first registrar.
contract FactRegistry is IFactRegistry {
    address public owner;
    mapping(address => bool) public isVerifier;
    mapping(bytes32 => bool) private facts;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event VerifierSet(address indexed verifier, bool authorized);
    event FactRegistered(bytes32 indexed fact, address indexed verifier);

    error NotOwner(address caller);
    error NotVerifier(address caller);
    error ZeroAddress();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(address verifier) {
        if (verifier == address(0)) revert ZeroAddress();
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        isVerifier[verifier] = true;
        emit VerifierSet(verifier, true);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function setVerifier(address verifier, bool authorized) external onlyOwner {
        if (verifier == address(0)) revert ZeroAddress();
        isVerifier[verifier] = authorized;
        emit VerifierSet(verifier, authorized);
    }

    /// @notice Records that `fact` (a statement hash) has been proven.
    ///         Registering a known fact again changes nothing and succeeds,
    ///         so a verifier may retry safely.
    function registerFact(bytes32 fact) external {
        if (!isVerifier[msg.sender]) revert NotVerifier(msg.sender);
        if (facts[fact]) return;
        facts[fact] = true;
        emit FactRegistered(fact, msg.sender);
    }

    /// @inheritdoc IFactRegistry
    function isValid(bytes32 fact) external view returns (bool) {
        return facts[fact];
    }
}
