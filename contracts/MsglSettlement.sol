// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.28;

import {IFactRegistry} from "./IFactRegistry.sol";

/// @dev The three ERC-20 calls the contract makes.
interface IERC20Minimal {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function balanceOf(address who) external view returns (uint256);
}

/// @title msgl settlement (v2).
/// @notice Payers deposit an ERC-20 token and open hash-chain channels
///         (PayWord) to payees, each backed by its own escrow and by nothing
///         else. A channel exists only with the terms its payee signed
///         (EIP-712 `Accept`). Anyone settles a statement whose fact the
///         verifier holds as proven: each entry moves its channel along its
///         own hash chain and credits `(newCount - oldCount) * unitPrice`
///         from that channel's escrow to the payee's claimable balance; what
///         the escrow cannot cover stays owed on chain as the channel's debt,
///         paid first from any later top-up. An entry that does not apply
///         (stale, unknown, released, beyond the chain, or sent by anyone but
///         the payee while an exit is pending) is skipped with an event; the
///         others settle. Payees take their balances with `claim`.
///         A payer gets a channel's escrow back only through an exit: the
///         request closes the channel to new service at once, matures after
///         `withdrawDelay` (the payee's window to settle what was acked
///         before it) and lapses if not executed within `EXIT_WINDOW` after
///         that. Free deposit backs nothing and is withdrawn at any time.
///         See docs/DESIGN.md D1 (channel id = packed anchor), D2 (statement
///         and fact) and D5 (this contract).
contract MsglSettlement {
    /// @notice One statement entry, field for field as docs/DESIGN.md D2.
    struct Entry {
        bytes32 channel;
        bytes32 oldTip;
        uint64 oldCount;
        bytes32 newTip;
        uint64 newCount;
    }

    /// @notice Why `settle` skipped an entry (`EntrySkipped`).
    enum Skip {
        UnknownChannel, // no channel has this id
        Released, // the payer's exit released the escrow: the channel is closed
        StaleTip, // oldTip/oldCount are not the stored tip and count
        CountNotIncreasing, // newCount <= the stored count
        CountAboveUnits, // newCount is past the channel's length
        ExitPending // an exit is pending and the sender is not the payee
    }

    /// @notice A channel's state as `status` reports it.
    enum Status {
        None, // no such channel
        Open, // serving: no exit requested (or the last request lapsed)
        Exiting, // exit requested, not mature: closed to new service, the payee settles
        Releasable, // exit mature and not lapsed: the payer may release the escrow
        Released // escrow released: the channel is closed for good
    }

    /// Five storage slots. `settle` reads and writes slots 1-4 only.
    struct Channel {
        address payer; // slot 0
        address payee; // slot 1: zero: the channel does not exist
        bool released; // slot 1
        uint64 exitAt; // slot 1: nonzero: an exit was requested; releasable from exitAt
        bytes32 tip; // slot 2: last settled preimage (the anchor before any settlement)
        uint64 count; // slot 3: units settled so far
        uint64 units; // slot 3: the chain's length: cap on the count
        uint128 unitPrice; // slot 3: token base units per unit
        uint128 escrow; // slot 4: what backs this channel, and only this channel
        uint128 debt; // slot 4: settled but unpaid (the escrow fell short); paid first from top-ups
    }

    /// @notice Bounds of `withdrawDelay`, the payee's window to settle after
    ///         an exit request: at least an hour (time to notice, prove and
    ///         settle), at most 30 days (money is not locked indefinitely).
    uint64 public constant MIN_WITHDRAW_DELAY = 1 hours;
    uint64 public constant MAX_WITHDRAW_DELAY = 30 days;
    /// @notice How long a mature exit can be executed; after that it lapses
    ///         and the channel is open again.
    uint64 public constant EXIT_WINDOW = 7 days;

    /// @notice Opens every fact (statement hash): keccak256("msgl/statement/v2").
    bytes32 public constant STATEMENT_TAG = keccak256("msgl/statement/v2");
    /// @notice EIP-712 type of the payee's acceptance of a channel's terms.
    bytes32 public constant ACCEPT_TYPEHASH = keccak256(
        "Accept(bytes32 channel,address payer,address payee,address token,uint64 units,uint128 unitPrice,uint128 escrow)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("msgl");
    bytes32 private constant VERSION_HASH = keccak256("2");
    /// @dev secp256k1's group order / 2: a larger s is the malleable twin.
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    uint256 private constant M31 = 0x7fffffff;

    IERC20Minimal public immutable token;
    /// @notice Holds the facts of proven statements (docs/DESIGN.md D2).
    IFactRegistry public immutable verifier;
    uint64 public immutable withdrawDelay;

    mapping(bytes32 => Channel) public channels;
    /// @notice Free deposit per payer: backs no channel, withdrawn at once.
    mapping(address => uint256) public deposits;
    /// @notice Settled payments per payee, taken with `claim`.
    mapping(address => uint256) public claimable;

    bool private transient locked;

    event Deposited(address indexed payer, uint256 received, uint256 deposit);
    event Withdrawn(address indexed payer, uint256 amount, uint256 deposit);
    event ChannelOpened(
        bytes32 indexed channel,
        address indexed payer,
        address indexed payee,
        uint64 units,
        uint128 unitPrice,
        uint128 escrow
    );
    event EscrowToppedUp(bytes32 indexed channel, uint256 amount, uint256 escrow);
    /// @notice A top-up paid `amount` of the channel's debt to the payee.
    event DebtPaid(bytes32 indexed channel, address indexed payee, uint256 amount, uint256 debt);
    event Settled(
        bytes32 indexed channel,
        address indexed payee,
        bytes32 newTip,
        uint64 oldCount,
        uint64 newCount,
        uint256 owed,
        uint256 paid
    );
    /// @notice The escrow covered `owed - unpaid`; `unpaid` joins the channel's debt.
    event Shortfall(bytes32 indexed channel, address indexed payer, uint256 unpaid, uint256 debt);
    event EntrySkipped(bytes32 indexed channel, Skip reason);
    event StatementSettled(bytes32 indexed fact, uint256 entries, uint256 settled);
    event ExitRequested(bytes32 indexed channel, address indexed payer, uint64 releasableAt, uint64 lapsesAt);
    event ExitCancelled(bytes32 indexed channel);
    event EscrowReleased(bytes32 indexed channel, address indexed payer, uint256 amount);
    event Claimed(address indexed payee, address indexed to, uint256 amount);

    error ZeroAddress();
    error ZeroAmount();
    error WithdrawDelayOutOfRange(uint64 delay, uint64 min, uint64 max);
    error SelfChannel();
    error ZeroUnits();
    error ZeroUnitPrice();
    error TermsTooLarge(uint64 units, uint128 unitPrice);
    error NonCanonicalAnchor(bytes32 anchor);
    error ChannelExists(bytes32 channel);
    error InvalidSignature();
    error NotAcceptedByPayee(address signer, address payee);
    error InsufficientDeposit(uint256 available, uint256 needed);
    error EscrowTooLarge(uint256 escrow);
    error EmptyStatement();
    error EntriesNotSorted(uint256 index);
    error StatementNotProven(bytes32 fact);
    error UnknownChannel(bytes32 channel);
    error NotPayer(bytes32 channel, address caller);
    error ChannelReleased(bytes32 channel);
    error ExitPending(bytes32 channel, uint64 releasableAt);
    error NoExitRequest(bytes32 channel);
    error ExitNotReady(bytes32 channel, uint64 releasableAt, uint256 now_);
    error ExitLapsed(bytes32 channel, uint64 lapsedAt, uint256 now_);
    error NothingToClaim();
    error Reentered();
    error TokenTransferFailed();

    modifier nonReentrant() {
        if (locked) revert Reentered();
        locked = true;
        _;
        locked = false;
    }

    constructor(IERC20Minimal token_, IFactRegistry verifier_, uint64 withdrawDelay_) {
        if (address(token_) == address(0) || address(verifier_) == address(0)) revert ZeroAddress();
        if (withdrawDelay_ < MIN_WITHDRAW_DELAY || withdrawDelay_ > MAX_WITHDRAW_DELAY) {
            revert WithdrawDelayOutOfRange(withdrawDelay_, MIN_WITHDRAW_DELAY, MAX_WITHDRAW_DELAY);
        }
        token = token_;
        verifier = verifier_;
        withdrawDelay = withdrawDelay_;
    }

    // ----------------------------------------------------------------- payer

    /// @notice Pulls `amount` tokens (transferFrom) and credits the sender's
    ///         free deposit with what arrived (a fee-on-transfer token
    ///         delivers less than `amount`).
    function deposit(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 before = token.balanceOf(address(this));
        _safeCall(abi.encodeCall(IERC20Minimal.transferFrom, (msg.sender, address(this), amount)));
        uint256 received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
        uint256 total = deposits[msg.sender] + received;
        deposits[msg.sender] = total;
        emit Deposited(msg.sender, received, total);
    }

    /// @notice Pays `amount` of the sender's free deposit out at once: it
    ///         backs no channel, so no payee waits on it.
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 available = deposits[msg.sender];
        if (amount > available) revert InsufficientDeposit(available, amount);
        deposits[msg.sender] = available - amount;
        emit Withdrawn(msg.sender, amount, available - amount);
        _safeCall(abi.encodeCall(IERC20Minimal.transfer, (msg.sender, amount)));
    }

    /// @notice Opens channel `channel` (the packed anchor `w_0`: 8 canonical
    ///         big-endian Mersenne-31 elements) from the sender to `payee`
    ///         with the terms the payee signed: `payeeSignature` is the
    ///         payee's EIP-712 signature of `Accept(channel, msg.sender, payee,
    ///         token, units, unitPrice, escrow)`. Moves `escrow` from the
    ///         sender's free deposit into the channel.
    function openChannel(
        bytes32 channel,
        address payee,
        uint64 units,
        uint128 unitPrice,
        uint128 escrow,
        bytes calldata payeeSignature
    ) external {
        if (payee == address(0)) revert ZeroAddress();
        if (payee == msg.sender) revert SelfChannel();
        if (units == 0) revert ZeroUnits();
        if (unitPrice == 0) revert ZeroUnitPrice();
        // The most the channel can ever owe fits 128 bits, so do its debt
        // and every settlement's amount.
        if (uint256(units) * unitPrice > type(uint128).max) revert TermsTooLarge(units, unitPrice);
        if (channel == bytes32(0) || !_canonical(channel)) revert NonCanonicalAnchor(channel);
        Channel storage c = channels[channel];
        if (c.payee != address(0)) revert ChannelExists(channel);
        address signer = _recover(acceptDigest(channel, msg.sender, payee, units, unitPrice, escrow), payeeSignature);
        if (signer != payee) revert NotAcceptedByPayee(signer, payee);
        uint256 available = deposits[msg.sender];
        if (escrow > available) revert InsufficientDeposit(available, escrow);
        deposits[msg.sender] = available - escrow;
        c.payer = msg.sender;
        c.payee = payee;
        c.tip = channel;
        c.units = units;
        c.unitPrice = unitPrice;
        c.escrow = escrow;
        emit ChannelOpened(channel, msg.sender, payee, units, unitPrice, escrow);
    }

    /// @notice Moves `amount` of the sender's free deposit into its channel:
    ///         the channel's debt is paid to the payee first, the rest joins
    ///         the escrow.
    function topUp(bytes32 channel, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Channel storage c = _own(channel);
        if (c.released) revert ChannelReleased(channel);
        uint256 available = deposits[msg.sender];
        if (amount > available) revert InsufficientDeposit(available, amount);
        deposits[msg.sender] = available - amount;
        uint256 debt = c.debt;
        uint256 toDebt = amount < debt ? amount : debt;
        if (toDebt != 0) {
            address payee = c.payee;
            c.debt = uint128(debt - toDebt);
            claimable[payee] += toDebt;
            emit DebtPaid(channel, payee, toDebt, debt - toDebt);
        }
        uint256 escrow = uint256(c.escrow) + (amount - toDebt);
        if (escrow > type(uint128).max) revert EscrowTooLarge(escrow);
        c.escrow = uint128(escrow);
        emit EscrowToppedUp(channel, amount - toDebt, escrow);
    }

    /// @notice Asks for the channel's escrow back. From this moment the
    ///         channel is closed to new service (`status` is Exiting); the
    ///         payee has `withdrawDelay` to settle what was acked before, then
    ///         the payer has `EXIT_WINDOW` to release the escrow, after which
    ///         the request lapses.
    function requestExit(bytes32 channel) external {
        Channel storage c = _own(channel);
        if (c.released) revert ChannelReleased(channel);
        uint64 exitAt = c.exitAt;
        if (exitAt != 0 && block.timestamp < uint256(exitAt) + EXIT_WINDOW) revert ExitPending(channel, exitAt);
        uint64 releasableAt = uint64(block.timestamp) + withdrawDelay;
        c.exitAt = releasableAt;
        emit ExitRequested(channel, msg.sender, releasableAt, releasableAt + EXIT_WINDOW);
    }

    /// @notice Withdraws a pending exit request: the channel is open again.
    function cancelExit(bytes32 channel) external {
        Channel storage c = _own(channel);
        uint64 exitAt = c.exitAt;
        if (c.released || exitAt == 0 || block.timestamp >= uint256(exitAt) + EXIT_WINDOW) {
            revert NoExitRequest(channel);
        }
        c.exitAt = 0;
        emit ExitCancelled(channel);
    }

    /// @notice Executes a mature exit: what is left of the escrow goes back
    ///         to the payer's free deposit and the channel closes for good
    ///         (later entries for it are skipped; its debt stays recorded).
    function releaseEscrow(bytes32 channel) external {
        Channel storage c = _own(channel);
        if (c.released) revert ChannelReleased(channel);
        uint64 exitAt = c.exitAt;
        if (exitAt == 0) revert NoExitRequest(channel);
        if (block.timestamp < exitAt) revert ExitNotReady(channel, exitAt, block.timestamp);
        uint64 lapsesAt = exitAt + EXIT_WINDOW;
        if (block.timestamp >= lapsesAt) revert ExitLapsed(channel, lapsesAt, block.timestamp);
        uint256 amount = c.escrow;
        c.escrow = 0;
        c.released = true;
        deposits[msg.sender] += amount;
        emit EscrowReleased(channel, msg.sender, amount);
    }

    // ---------------------------------------------------------------- payees

    /// @notice Settles a proven statement. Entries must be sorted by channel
    ///         (strictly increasing, so distinct), as docs/DESIGN.md D2 says,
    ///         and the verifier must hold their fact for this deployment.
    ///         Entries that do not apply are skipped (`EntrySkipped`); the
    ///         others settle.
    function settle(Entry[] calldata entries) external {
        uint256 n = entries.length;
        if (n == 0) revert EmptyStatement();
        bytes32 fact = _fact(entries);
        if (!verifier.isValid(fact)) revert StatementNotProven(fact);
        bytes32 previous;
        uint256 settled;
        for (uint256 i = 0; i < n; ++i) {
            Entry calldata e = entries[i];
            if (i != 0 && e.channel <= previous) revert EntriesNotSorted(i);
            previous = e.channel;
            if (_apply(e)) ++settled;
        }
        emit StatementSettled(fact, n, settled);
    }

    /// @notice Pays the sender's claimable balance to `to`.
    function claim(address to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = claimable[msg.sender];
        if (amount == 0) revert NothingToClaim();
        claimable[msg.sender] = 0;
        emit Claimed(msg.sender, to, amount);
        _safeCall(abi.encodeCall(IERC20Minimal.transfer, (to, amount)));
    }

    // ----------------------------------------------------------------- views

    /// @notice The fact (statement hash) the verifier must hold for
    ///         `entries` to settle here (docs/DESIGN.md D2).
    function statementHash(Entry[] calldata entries) external view returns (bytes32) {
        return _fact(entries);
    }

    /// @notice The EIP-712 domain separator: name "msgl", version "2", this
    ///         chain, this contract.
    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @notice The digest the payee signs to accept a channel's terms.
    function acceptDigest(
        bytes32 channel,
        address payer,
        address payee,
        uint64 units,
        uint128 unitPrice,
        uint128 escrow
    ) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(ACCEPT_TYPEHASH, channel, payer, payee, address(token), units, unitPrice, escrow));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// @notice Where the channel stands; a payee serves only while Open.
    function status(bytes32 channel) external view returns (Status) {
        Channel storage c = channels[channel];
        if (c.payee == address(0)) return Status.None;
        if (c.released) return Status.Released;
        uint64 exitAt = c.exitAt;
        if (exitAt == 0 || block.timestamp >= uint256(exitAt) + EXIT_WINDOW) return Status.Open;
        return block.timestamp < exitAt ? Status.Exiting : Status.Releasable;
    }

    // -------------------------------------------------------------- internal

    /// @dev keccak256(abi.encode(STATEMENT_TAG, chainid, this, token, entries)):
    ///      a fact for another chain, contract or token never settles here.
    function _fact(Entry[] calldata entries) private view returns (bytes32) {
        return keccak256(abi.encode(STATEMENT_TAG, block.chainid, address(this), address(token), entries));
    }

    /// @dev The sender's channel `channel`.
    function _own(bytes32 channel) private view returns (Channel storage c) {
        c = channels[channel];
        if (c.payee == address(0)) revert UnknownChannel(channel);
        if (c.payer != msg.sender) revert NotPayer(channel, msg.sender);
    }

    /// @dev Applies one entry; false (and `EntrySkipped`) when it does not apply.
    ///      Never reverts: one entry cannot stop the others.
    function _apply(Entry calldata e) private returns (bool) {
        bytes32 id = e.channel;
        Channel storage c = channels[id];
        address payee = c.payee;
        if (payee == address(0)) return _skip(id, Skip.UnknownChannel);
        if (c.released) return _skip(id, Skip.Released);
        // While an exit is pending only the payee moves the channel: no one
        // (the payer least) can keep its statements stale until the release.
        uint64 exitAt = c.exitAt;
        if (exitAt != 0 && msg.sender != payee && block.timestamp < uint256(exitAt) + EXIT_WINDOW) {
            return _skip(id, Skip.ExitPending);
        }
        uint64 count = c.count;
        if (e.oldTip != c.tip || e.oldCount != count) return _skip(id, Skip.StaleTip);
        if (e.newCount <= count) return _skip(id, Skip.CountNotIncreasing);
        if (e.newCount > c.units) return _skip(id, Skip.CountAboveUnits);

        // At most units * unitPrice < 2^128 (openChannel): no overflow, and
        // the debt (at most what the whole chain is worth) fits 128 bits.
        uint256 owed = uint256(e.newCount - count) * c.unitPrice;
        uint256 escrow = c.escrow;
        uint256 paid = owed < escrow ? owed : escrow;
        if (paid != 0) claimable[payee] += paid;
        c.tip = e.newTip;
        c.count = e.newCount;
        emit Settled(id, payee, e.newTip, count, e.newCount, owed, paid);
        if (paid < owed) {
            // escrow and debt share a slot: one store.
            uint256 debt = uint256(c.debt) + (owed - paid);
            c.escrow = 0;
            c.debt = uint128(debt);
            emit Shortfall(id, c.payer, owed - paid, debt);
        } else if (paid != 0) {
            c.escrow = uint128(escrow - paid);
        }
        return true;
    }

    function _skip(bytes32 channel, Skip reason) private returns (bool) {
        emit EntrySkipped(channel, reason);
        return false;
    }

    /// @dev The signer of `digest`; refuses a signature that is not 65 bytes,
    ///      a malleable one (s in the upper half) and v other than 27 or 28.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        if (signature.length != 65) revert InvalidSignature();
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 32))
            v := byte(0, calldataload(add(signature.offset, 64)))
        }
        if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) revert InvalidSignature();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
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
