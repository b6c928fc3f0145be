// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {IFactRegistry} from "./IFactRegistry.sol";

/// @dev The two ERC-20 calls the contract makes.
interface IERC20Minimal {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title msgl settlement (v1).
/// @notice Payers lock an ERC-20 deposit and open hash-chain channels
///         (PayWord) to payees. Anyone settles a batch statement whose hash
///         the verifier (a fact registry in v1) holds as proven: for every
///         entry the contract checks the channel's stored tip and count, pays `(newCount - oldCount) * unitPrice` from the channel's
///         escrow, then from the payer's deposit, and records the new tip.
///         See docs/DESIGN.md D1 (channel id = packed anchor) and D2 (the
///         statement and its fact, bound to this chain, contract and token).
contract MsglSettlement {
    /// @notice One statement entry, field for field as docs/DESIGN.md D2.
    struct Entry {
        bytes32 channel;
        bytes32 oldTip;
        uint64 oldCount;
        bytes32 newTip;
        uint64 newCount;
    }

    /// @notice Opens every fact (statement hash): keccak256("msgl/statement/v2").
    bytes32 public constant STATEMENT_TAG = keccak256("msgl/statement/v2");

    /// Five storage slots: (payer, units), (payee, releaseAt), tip,
    /// (count, unitPrice), escrow. unitPrice shares the slot that
    /// settle writes, so a channel's first settlement does not pay for a
    /// zero-to-nonzero store.
    struct Channel {
        address payer; // zero: the channel does not exist
        uint64 units; // cap on the cumulative count
        address payee;
        uint64 releaseAt; // nonzero: the payer asked for the escrow back
        bytes32 tip; // last settled preimage (the anchor before any settlement)
        uint64 count; // units settled so far
        uint128 unitPrice; // token base units per unit
        uint256 escrow; // locked for this channel's payee
    }

    struct Account {
        uint256 deposit; // free deposit, settlements draw on it
        uint256 withdrawAmount; // requested withdrawal (still part of `deposit`)
        uint64 withdrawReadyAt; // timestamp from which `withdraw()` succeeds
    }

    IERC20Minimal public immutable token;
    IFactRegistry public immutable registry;
    uint64 public immutable withdrawDelay;

    mapping(bytes32 => Channel) public channels;
    mapping(address => Account) public accounts;

    event Deposited(address indexed payer, uint256 amount, uint256 deposit);
    event ChannelOpened(
        bytes32 indexed channel,
        address indexed payer,
        address indexed payee,
        uint64 units,
        uint256 unitPrice,
        uint256 escrow
    );
    event Settled(
        bytes32 indexed channel,
        address indexed payee,
        bytes32 newTip,
        uint64 newCount,
        uint256 owed,
        uint256 paid
    );
    /// @notice The payer's escrow and deposit covered only `paid` of `owed`.
    event Shortfall(bytes32 indexed channel, address indexed payer, uint256 owed, uint256 paid);
    event StatementSettled(bytes32 indexed statement, uint256 entries);
    event EscrowReleaseRequested(bytes32 indexed channel, uint256 escrow, uint64 readyAt);
    event EscrowReleased(bytes32 indexed channel, address indexed payer, uint256 amount);
    event WithdrawRequested(address indexed payer, uint256 amount, uint64 readyAt);
    event Withdrawn(address indexed payer, uint256 amount);

    error ZeroAddress();
    error ZeroAmount();
    error SelfChannel();
    error ZeroUnits();
    error ZeroUnitPrice();
    error UnitPriceTooLarge(uint256 unitPrice);
    error NonCanonicalAnchor(bytes32 anchor);
    error ChannelExists(bytes32 channel);
    error InsufficientDeposit(uint256 available, uint256 needed);
    error EmptyStatement();
    error EntriesNotSorted(uint256 index);
    error UnknownChannel(bytes32 channel);
    error StaleTip(bytes32 channel, bytes32 storedTip, uint64 storedCount);
    error CountNotIncreasing(bytes32 channel, uint64 oldCount, uint64 newCount);
    error CountAboveCap(bytes32 channel, uint64 newCount, uint64 units);
    error StatementNotProven(bytes32 statement);
    error NotPayer(bytes32 channel, address caller);
    error NoReleaseRequest(bytes32 channel);
    error ReleaseNotReady(bytes32 channel, uint64 readyAt, uint256 now_);
    error NoWithdrawRequest();
    error WithdrawNotReady(uint64 readyAt, uint256 now_);
    error TokenTransferFailed();

    uint256 private constant M31 = 0x7fffffff;

    constructor(IERC20Minimal token_, IFactRegistry registry_, uint64 withdrawDelay_) {
        if (address(token_) == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        token = token_;
        registry = registry_;
        withdrawDelay = withdrawDelay_;
    }

    // ----------------------------------------------------------------- payer

    /// @notice Locks `amount` tokens (pulled with transferFrom) as the sender's deposit.
    function deposit(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 total = accounts[msg.sender].deposit + amount;
        accounts[msg.sender].deposit = total;
        emit Deposited(msg.sender, amount, total);
        _safeCall(abi.encodeCall(IERC20Minimal.transferFrom, (msg.sender, address(this), amount)));
    }

    /// @notice Opens the channel whose id is the packed anchor `w_0`
    ///         (8 big-endian Mersenne-31 elements), moving `escrow` from the
    ///         sender's deposit into the channel.
    function openChannel(address payee, bytes32 anchor, uint64 units, uint256 unitPrice, uint256 escrow) external {
        if (payee == address(0)) revert ZeroAddress();
        if (payee == msg.sender) revert SelfChannel();
        if (units == 0) revert ZeroUnits();
        if (unitPrice == 0) revert ZeroUnitPrice();
        if (!_canonical(anchor)) revert NonCanonicalAnchor(anchor);
        Channel storage c = channels[anchor];
        if (c.payer != address(0)) revert ChannelExists(anchor);
        // units * unitPrice < 2^192: no settlement amount can overflow.
        if (unitPrice > type(uint128).max) revert UnitPriceTooLarge(unitPrice);
        Account storage a = accounts[msg.sender];
        uint256 available = a.deposit;
        if (escrow > available) revert InsufficientDeposit(available, escrow);
        a.deposit = available - escrow;
        c.payer = msg.sender;
        c.units = units;
        c.payee = payee;
        c.tip = anchor;
        c.unitPrice = uint128(unitPrice);
        c.escrow = escrow;
        emit ChannelOpened(anchor, msg.sender, payee, units, unitPrice, escrow);
    }

    /// @notice Asks to withdraw `amount` of the deposit after `withdrawDelay`
    ///         seconds. Payees may still settle against the whole deposit
    ///         meanwhile. A new request replaces the previous one.
    function requestWithdraw(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Account storage a = accounts[msg.sender];
        if (amount > a.deposit) revert InsufficientDeposit(a.deposit, amount);
        uint64 readyAt = uint64(block.timestamp) + withdrawDelay;
        a.withdrawAmount = amount;
        a.withdrawReadyAt = readyAt;
        emit WithdrawRequested(msg.sender, amount, readyAt);
    }

    /// @notice Pays out the requested amount, or what is left of the deposit
    ///         if settlements drew on it during the delay.
    function withdraw() external {
        Account storage a = accounts[msg.sender];
        uint256 requested = a.withdrawAmount;
        if (requested == 0) revert NoWithdrawRequest();
        if (block.timestamp < a.withdrawReadyAt) revert WithdrawNotReady(a.withdrawReadyAt, block.timestamp);
        uint256 available = a.deposit;
        uint256 amount = requested < available ? requested : available;
        a.deposit = available - amount;
        a.withdrawAmount = 0;
        a.withdrawReadyAt = 0;
        emit Withdrawn(msg.sender, amount);
        if (amount != 0) _safeCall(abi.encodeCall(IERC20Minimal.transfer, (msg.sender, amount)));
    }

    /// @notice Asks for the channel's remaining escrow back, after
    ///         `withdrawDelay` seconds during which the payee may still settle
    ///         against it. A new request restarts the delay.
    function requestEscrowRelease(bytes32 channel) external {
        Channel storage c = channels[channel];
        if (c.payer == address(0)) revert UnknownChannel(channel);
        if (c.payer != msg.sender) revert NotPayer(channel, msg.sender);
        uint64 readyAt = uint64(block.timestamp) + withdrawDelay;
        c.releaseAt = readyAt;
        emit EscrowReleaseRequested(channel, c.escrow, readyAt);
    }

    /// @notice Moves what is left of the channel's escrow back into the
    ///         payer's deposit once the delay has passed. The channel stays
    ///         open: later settlements draw on the deposit.
    function releaseEscrow(bytes32 channel) external {
        Channel storage c = channels[channel];
        address payer = c.payer;
        if (payer == address(0)) revert UnknownChannel(channel);
        if (payer != msg.sender) revert NotPayer(channel, msg.sender);
        uint64 readyAt = c.releaseAt;
        if (readyAt == 0) revert NoReleaseRequest(channel);
        if (block.timestamp < readyAt) revert ReleaseNotReady(channel, readyAt, block.timestamp);
        uint256 amount = c.escrow;
        c.escrow = 0;
        c.releaseAt = 0;
        accounts[payer].deposit += amount;
        emit EscrowReleased(channel, payer, amount);
    }

    // ---------------------------------------------------------------- payees

    /// @notice Settles a proven statement. Entries must be sorted by channel
    ///         (strictly increasing, so distinct), as docs/DESIGN.md D2 says.
    function settle(Entry[] calldata entries) external {
        uint256 n = entries.length;
        if (n == 0) revert EmptyStatement();
        bytes32 statement = _fact(entries);
        if (!registry.isValid(statement)) revert StatementNotProven(statement);

        address[] memory payees = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        bytes32 previous;
        for (uint256 i = 0; i < n; ++i) {
            Entry calldata e = entries[i];
            if (i != 0 && e.channel <= previous) revert EntriesNotSorted(i);
            previous = e.channel;
            (payees[i], amounts[i]) = _apply(e);
        }
        emit StatementSettled(statement, n);

        // Interactions last: one transfer per run of entries with the same payee.
        uint256 j = 0;
        while (j < n) {
            address payee = payees[j];
            uint256 sum = 0;
            while (j < n && payees[j] == payee) {
                sum += amounts[j];
                ++j;
            }
            if (sum != 0) _safeCall(abi.encodeCall(IERC20Minimal.transfer, (payee, sum)));
        }
    }

    /// @notice The fact (statement hash) the registry must hold for
    ///         `entries` to settle here (docs/DESIGN.md D2).
    function statementHash(Entry[] calldata entries) external view returns (bytes32) {
        return _fact(entries);
    }

    // -------------------------------------------------------------- internal

    /// @dev keccak256(abi.encode(STATEMENT_TAG, chainid, this, token, entries)):
    ///      a fact for another chain, contract or token never settles here.
    function _fact(Entry[] calldata entries) private view returns (bytes32) {
        return keccak256(abi.encode(STATEMENT_TAG, block.chainid, address(this), address(token), entries));
    }

    function _apply(Entry calldata e) private returns (address payee, uint256 paid) {
        bytes32 id = e.channel;
        Channel storage c = channels[id];
        address payer = c.payer;
        if (payer == address(0)) revert UnknownChannel(id);
        if (e.oldTip != c.tip || e.oldCount != c.count) revert StaleTip(id, c.tip, c.count);
        if (e.newCount <= e.oldCount) revert CountNotIncreasing(id, e.oldCount, e.newCount);
        if (e.newCount > c.units) revert CountAboveCap(id, e.newCount, c.units);

        uint256 owed = uint256(e.newCount - e.oldCount) * c.unitPrice;
        uint256 escrow = c.escrow;
        uint256 fromEscrow = owed < escrow ? owed : escrow;
        paid = fromEscrow;
        if (fromEscrow != 0) c.escrow = escrow - fromEscrow;
        if (paid < owed) {
            Account storage a = accounts[payer];
            uint256 available = a.deposit;
            uint256 rest = owed - paid;
            uint256 fromDeposit = rest < available ? rest : available;
            if (fromDeposit != 0) a.deposit = available - fromDeposit;
            paid += fromDeposit;
        }
        c.tip = e.newTip;
        c.count = e.newCount;
        payee = c.payee;
        if (paid < owed) emit Shortfall(id, payer, owed, paid);
        emit Settled(id, payee, e.newTip, e.newCount, owed, paid);
    }

    /// @dev True when all 8 big-endian u32 words are canonical M31 elements.
    function _canonical(bytes32 digest) private pure returns (bool) {
        uint256 v = uint256(digest);
        for (uint256 k = 0; k < 8; ++k) {
            if ((v >> (32 * k)) & 0xffffffff >= M31) return false;
        }
        return true;
    }

    /// @dev Calls the token; accepts an empty return or `true` (the SafeERC20
    ///      rule) and passes the token's own revert data on.
    function _safeCall(bytes memory data) private {
        (bool ok, bytes memory ret) = address(token).call(data);
        if (!ok) {
            if (ret.length != 0) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            revert TokenTransferFailed();
        }
        if (ret.length == 0) {
            if (address(token).code.length == 0) revert TokenTransferFailed();
        } else if (ret.length != 32 || abi.decode(ret, (uint256)) != 1) {
            revert TokenTransferFailed();
        }
    }
}
