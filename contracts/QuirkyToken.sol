// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

/// @title ERC-20 with the two habits of real tokens that break naive
///        contracts, for tests only: a fee taken from every transfer (the
///        recipient gets `value - fee`, as with USDT's fee switch or PAXG) and
///        a blocklist (transfers to or from a blocked address revert, as with
///        USDC and USDT). Anyone may mint and anyone may block: never deploy
///        it where the token is meant to have value.
contract QuirkyToken {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    /// @notice Fee per transfer in basis points (1/10,000 of the value), burned.
    uint16 public immutable feeBasisPoints;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public blocked;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Blocked(address indexed account, bool blocked);

    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);
    error ZeroAddress();
    error FeeTooHigh(uint16 feeBasisPoints);
    error AccountBlocked(address account);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint16 feeBasisPoints_) {
        if (feeBasisPoints_ > 10_000) revert FeeTooHigh(feeBasisPoints_);
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        feeBasisPoints = feeBasisPoints_;
    }

    function mint(address to, uint256 value) external {
        if (to == address(0)) revert ZeroAddress();
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
        emit Blocked(account, isBlocked);
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(from, msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0)) revert ZeroAddress();
        if (blocked[from]) revert AccountBlocked(from);
        if (blocked[to]) revert AccountBlocked(to);
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(from, balance, value);
        uint256 fee = (value * feeBasisPoints) / 10_000;
        unchecked {
            balanceOf[from] = balance - value;
            totalSupply -= fee;
        }
        balanceOf[to] += value - fee;
        emit Transfer(from, to, value - fee);
        if (fee != 0) emit Transfer(from, address(0), fee);
    }
}
