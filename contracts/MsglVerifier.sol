// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {IFactRegistry} from "./IFactRegistry.sol";
import {MsglAir, MsglAirProgram} from "./MsglAir.sol";

/// @title On-chain verifier of msgl's Stwo batch proofs (issue 18).
/// @notice Replays the proof's Fiat–Shamir transcript (Keccak-256 channel,
///         circuits/src/keccak.rs), checks the LogUp sum against the
///         statement, the out-of-domain constraint evaluation (the program in
///         MsglAir.sol, generated from the Rust AIR), the Merkle
///         decommitments of the three committed trees, the DEEP quotients and
///         circle FRI, and the proof of work — all from calldata. It records a
///         statement's fact only after the whole proof verified; no key and no
///         owner can register anything.
/// @dev Mirrors stwo 2.3.0's `verify` step by step (core/verifier.rs,
///      core/pcs/verifier.rs, core/pcs/quotients.rs, core/fri.rs,
///      core/vcs_lifted/verifier.rs) for the on-chain proof system of
///      circuits/src/air/mod.rs (`chain_pcs_config`, `Layout::for_chain`).
///      QM31 values are packed in one word: four 64-bit lanes
///      `a0 << 192 | a1 << 128 | a2 << 64 | a3`, each lane in [0, P].
contract MsglVerifier is IFactRegistry {
    /// @notice One statement entry (docs/DESIGN.md D2), as MsglSettlement's.
    struct Entry {
        bytes32 channel;
        bytes32 oldTip;
        uint64 oldCount;
        bytes32 newTip;
        uint64 newCount;
    }

    /// @notice Opens every fact: keccak256("msgl/statement/v2") (as MsglSettlement).
    bytes32 public constant STATEMENT_TAG = keccak256("msgl/statement/v2");

    uint256 internal constant P = 0x7fffffff;
    uint256 internal constant L31 = 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff;
    uint256 internal constant L1 = 0x0000000000000001000000000000000100000000000000010000000000000001;
    uint256 internal constant PP = 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff;
    uint256 internal constant M64 = 0xffffffffffffffff;
    uint256 internal constant M32 = 0xffffffff;
    /// Columns of the third tree: the composition polynomial's, 8 M31 values
    /// a row (its two QM31 halves, each 4 coordinates).
    uint256 internal constant N_COMPOSITION_COLS = 8;

    uint256 internal constant MAX_UNITS = 1 << 20;
    uint256 internal constant MAX_ENTRY_UNITS = 1 << 30;

    mapping(bytes32 => bool) private facts;

    /// @notice The contract whose code is the generated constraint program.
    address public immutable program;

    constructor() {
        // _foldLevel reverses at most 4 bits by table: folds of 2^5 values at most
        require(MsglAir.FOLD_STEP <= 5);
        program = address(new MsglAirProgram());
    }

    /// @notice A proof verified and its statement's fact was recorded.
    event FactRegistered(bytes32 indexed fact, uint256 units);

    error BadStatement(uint256 index);
    error TooManyUnits(uint256 units);
    error Malformed(uint256 off);
    error NonCanonical();
    error LogUpMismatch();
    error OodsMismatch();
    error ProofOfWork();
    error MerkleMismatch(uint256 tree);
    error FriMismatch(uint256 layer);
    error LastLayerMismatch();

    /// @inheritdoc IFactRegistry
    function isValid(bytes32 fact) external view returns (bool) {
        return facts[fact];
    }

    /// @notice The fact of a statement (D2): keccak256(abi.encode(STATEMENT_TAG,
    ///         chainId, settlement, token, entries)), what the settlement
    ///         contract deployed at (chainId, settlement, token) asks about.
    function statementHash(uint64 chainId, address settlement, address token, Entry[] calldata entries)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(STATEMENT_TAG, uint256(chainId), settlement, token, entries));
    }

    /// @notice Verifies `proof` for the statement (chainId, settlement, token,
    ///         entries) and records its fact. Reverts (recording nothing)
    ///         unless the proof verifies.
    function verifyAndRegister(
        uint64 chainId,
        address settlement,
        address token,
        Entry[] calldata entries,
        bytes calldata proof
    ) external returns (bytes32 fact) {
        uint256 units = _checkStatement(entries);
        _verify(_statementBytes(chainId, settlement, token, entries), entries, units, proof);
        fact = statementHash(chainId, settlement, token, entries);
        if (!facts[fact]) {
            facts[fact] = true;
            emit FactRegistered(fact, units);
        }
    }

    /// @notice The same checks as `verifyAndRegister`, recording nothing.
    function verify(uint64 chainId, address settlement, address token, Entry[] calldata entries, bytes calldata proof)
        external
        view
        returns (bool)
    {
        uint256 units = _checkStatement(entries);
        _verify(_statementBytes(chainId, settlement, token, entries), entries, units, proof);
        return true;
    }

    // ------------------------------------------------------------------
    // Statement (D2 rules, as msgl_circuits::Statement::validate)

    function _checkStatement(Entry[] calldata entries) internal pure returns (uint256 units) {
        if (entries.length == 0) revert BadStatement(0);
        for (uint256 i = 0; i < entries.length; i++) {
            Entry calldata e = entries[i];
            if (!_canonicalDigest(e.oldTip) || !_canonicalDigest(e.newTip)) revert BadStatement(i);
            if (e.newCount <= e.oldCount) revert BadStatement(i);
            uint256 u = uint256(e.newCount) - e.oldCount;
            if (u >= MAX_ENTRY_UNITS) revert BadStatement(i);
            if (i > 0 && uint256(entries[i - 1].channel) >= uint256(e.channel)) revert BadStatement(i);
            units += u;
        }
        if (units > MAX_UNITS) revert TooManyUnits(units);
    }

    function _canonicalDigest(bytes32 d) internal pure returns (bool) {
        uint256 v = uint256(d);
        for (uint256 k = 0; k < 8; k++) {
            if ((v >> (224 - 32 * k)) & 0xffffffff >= P) return false;
        }
        return true;
    }

    /// The Fiat–Shamir words of the statement (D2, msgl_circuits::Statement::fs_words):
    /// the tag (5 words), chain id (2), settlement (5), token (5), the entry
    /// count (2), then 28 words per entry.
    function _statementBytes(uint64 chainId, address settlement, address token, Entry[] calldata entries)
        internal
        pure
        returns (bytes memory out)
    {
        uint256 n = entries.length;
        out = new bytes(76 + 112 * n);
        bytes memory head =
            abi.encodePacked(bytes17("msgl/statement/v2"), bytes3(0), chainId, settlement, token, uint64(n));
        assembly {
            let d := add(out, 32)
            let h := add(head, 32)
            mstore(d, mload(h))
            mstore(add(d, 32), mload(add(h, 32)))
            mstore(add(d, 64), mload(add(h, 64)))
        }
        for (uint256 i = 0; i < n; i++) {
            Entry calldata e = entries[i];
            uint256 off = 76 + 112 * i;
            bytes32 channel = e.channel;
            bytes32 oldTip = e.oldTip;
            bytes32 newTip = e.newTip;
            uint256 oldCount = e.oldCount;
            uint256 newCount = e.newCount;
            assembly {
                let m := add(add(out, 32), off)
                mstore(m, channel)
                mstore(add(m, 32), oldTip)
                mstore(add(m, 64), shl(192, oldCount))
                mstore(add(m, 72), newTip)
                mstore(add(m, 104), shl(192, newCount))
            }
        }
    }

    // ------------------------------------------------------------------
    // Field arithmetic: M31, CM31, QM31 (packed)

    function _qadd(uint256 a, uint256 b) internal pure returns (uint256 r) {
        unchecked {
            r = a + b;
            r = (r & L31) + ((r >> 31) & L1);
            r = (r & L31) + ((r >> 31) & L1);
        }
    }

    function _qsub(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            return _qadd(a, PP - b);
        }
    }

    function _canon(uint256 a) internal pure returns (uint256) {
        unchecked {
            return a - (((a + L1) >> 31) & L1) * P;
        }
    }

    function _pack(uint256 a0, uint256 a1, uint256 a2, uint256 a3) internal pure returns (uint256) {
        return (a0 << 192) | (a1 << 128) | (a2 << 64) | a3;
    }

    /// QM31 product (lanes of both in [0, P]). The same product is written
    /// out as a Yul function in _evalConstraints, _deepSums and _foldLevel
    /// (inline assembly blocks cannot share functions, and a call out of
    /// assembly costs more than the copy); honest proofs fail to verify if
    /// any copy differs.
    function _qmul(uint256 a, uint256 b) internal pure returns (uint256 r) {
        assembly {
            // lanes 64 bits apart, so one MUL by an M31 lane multiplies
            // all four lanes of a word: with b i = (-b1, b0, -b3, b2) and
            // the CM31 halves swapped (s: rotate by 128 bits),
            // x = a0 b + a1 (b i) = (ac, ad) and y = a2 s(b) + a3 s(b i) =
            // (bd, bc), lanes < 2^63; then ac + (2 + i) bd and ad + bc.
            let m := 0xffffffffffffffff
            let sw := or(
                and(shl(64, b), 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000),
                and(shr(64, b), 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
            )
            let bi := sub(
                add(sw, 0x000000007fffffff0000000000000000000000007fffffff0000000000000000),
                shl(1, and(sw, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000))
            )
            let x := add(mul(shr(192, a), b), mul(and(shr(128, a), m), bi))
            let y := add(
                mul(and(shr(64, a), m), or(shl(128, b), shr(128, b))),
                mul(and(a, m), or(shl(128, bi), shr(128, bi)))
            )
            let p := 0x7fffffff
            r := or(
                or(
                    shl(192, mod(add(add(shr(192, x), shl(1, shr(192, y))), sub(0x7fffffff00000000, and(shr(128, y), m))), p)),
                    shl(128, mod(add(add(and(shr(128, x), m), shr(192, y)), shl(1, and(shr(128, y), m))), p))
                ),
                or(shl(64, mod(add(and(shr(64, x), m), and(shr(64, y), m)), p)), mod(add(and(x, m), and(y, m)), p))
            )
        }
    }

    /// QM31 times an M31 value.
    function _qmulc(uint256 a, uint256 c) internal pure returns (uint256 r) {
        assembly {
            let p := 0x7fffffff
            let m := 0xffffffffffffffff
            let r0 := mulmod(shr(192, a), c, p)
            let r1 := mulmod(and(shr(128, a), m), c, p)
            let r2 := mulmod(and(shr(64, a), m), c, p)
            let r3 := mulmod(and(a, m), c, p)
            r := or(or(shl(192, r0), shl(128, r1)), or(shl(64, r2), r3))
        }
    }

    /// QM31 times a CM31 value (c0 + c1 i).
    function _qmulcm(uint256 a, uint256 c0, uint256 c1) internal pure returns (uint256 r) {
        assembly {
            let p := 0x7fffffff
            let m := 0xffffffffffffffff
            let pp := mul(p, p)
            let a0 := shr(192, a)
            let a1 := and(shr(128, a), m)
            let a2 := and(shr(64, a), m)
            let a3 := and(a, m)
            let r0 := mod(add(mul(a0, c0), sub(pp, mul(a1, c1))), p)
            let r1 := mod(add(mul(a0, c1), mul(a1, c0)), p)
            let r2 := mod(add(mul(a2, c0), sub(pp, mul(a3, c1))), p)
            let r3 := mod(add(mul(a2, c1), mul(a3, c0)), p)
            r := or(or(shl(192, r0), shl(128, r1)), or(shl(64, r2), r3))
        }
    }

    /// x^(P-2) mod P (x != 0): the M31 inverse, by an addition chain, its
    /// 29 squarings written out (a loop costs more than they do).
    function _minv(uint256 x) internal pure returns (uint256 r) {
        assembly {
            let p := 0x7fffffff
            let t2 := mulmod(mulmod(x, x, p), x, p) // 2^2 - 1
            let w := mulmod(t2, t2, p)
            w := mulmod(w, w, p)
            let t4 := mulmod(w, t2, p) // 2^4 - 1
            w := mulmod(t4, t4, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            let t8 := mulmod(w, t4, p) // 2^8 - 1
            w := mulmod(t8, t8, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            let t16 := mulmod(w, t8, p) // 2^16 - 1
            w := mulmod(t16, t16, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            let t24 := mulmod(w, t8, p) // 2^24 - 1
            w := mulmod(t24, t24, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            w := mulmod(w, w, p)
            let t28 := mulmod(w, t4, p) // 2^28 - 1
            let t29 := mulmod(mulmod(t28, t28, p), x, p) // 2^29 - 1
            w := mulmod(t29, t29, p)
            w := mulmod(w, w, p)
            r := mulmod(w, x, p) // 2^31 - 3
        }
    }

    /// CM31 inverse of (a + b i).
    function _cminv(uint256 a, uint256 b) internal pure returns (uint256, uint256) {
        uint256 n = _minv(addmod(mulmod(a, a, P), mulmod(b, b, P), P));
        return (mulmod(a, n, P), mulmod(P - b, n, P));
    }

    /// QM31 inverse: (a + b u)^-1 = (a - b u) / (a^2 - R b^2), R = 2 + i.
    function _qinv(uint256 x) internal pure returns (uint256) {
        uint256 c = _canon(x);
        uint256 a0 = c >> 192;
        uint256 a1 = (c >> 128) & M64;
        uint256 b0 = (c >> 64) & M64;
        uint256 b1 = c & M64;
        // a^2 and b^2 in CM31
        uint256 aa0 = addmod(mulmod(a0, a0, P), P - mulmod(a1, a1, P), P);
        uint256 aa1 = mulmod(2, mulmod(a0, a1, P), P);
        uint256 bb0 = addmod(mulmod(b0, b0, P), P - mulmod(b1, b1, P), P);
        uint256 bb1 = mulmod(2, mulmod(b0, b1, P), P);
        // R b^2 = (2 bb0 - bb1) + (2 bb1 + bb0) i
        uint256 d0 = addmod(aa0, P - addmod(addmod(bb0, bb0, P), P - bb1, P), P);
        uint256 d1 = addmod(aa1, P - addmod(addmod(bb1, bb1, P), bb0, P), P);
        (uint256 i0, uint256 i1) = _cminv(d0, d1);
        return _qmulcm(_pack(a0, a1, (P - b0) % P, (P - b1) % P), i0, i1);
    }

    function _isZero(uint256 a) internal pure returns (bool) {
        return _canon(a) == 0;
    }

    // ------------------------------------------------------------------
    // Circle points (M31 coordinates) by index in the circle group of order 2^31

    /// G^(2^k) as (x << 32 | y).
    function _gen(uint256 k) internal pure returns (uint256 w) {
        uint256 j = k >> 2;
        if (j < 4) {
            if (j < 2) w = j == 0 ? MsglAir.GEN0 : MsglAir.GEN1;
            else w = j == 2 ? MsglAir.GEN2 : MsglAir.GEN3;
        } else {
            if (j < 6) w = j == 4 ? MsglAir.GEN4 : MsglAir.GEN5;
            else w = j == 6 ? MsglAir.GEN6 : MsglAir.GEN7;
        }
        w = (w >> (192 - 64 * (k & 3))) & M64;
    }

    /// The points G^(j 16^w), j < 16, w < 8, of the circle group of order
    /// 2^31 as (x << 32 | y) words in memory (4 KiB, made once per
    /// verification): G^index is then at most eight reads and additions
    /// (_point), against up to 31 for a walk over the index's bits.
    function _pointTable() internal pure returns (uint256 tbl) {
        assembly {
            tbl := mload(0x40)
            mstore(0x40, add(tbl, 4096))
        }
        for (uint256 w = 0; w < 8; w++) {
            uint256 g = _gen(4 * w);
            (uint256 gx, uint256 gy) = (g >> 32, g & 0xffffffff);
            (uint256 x, uint256 y) = (1, 0);
            for (uint256 j = 0; j < 16; j++) {
                uint256 slot = tbl + 32 * (16 * w + j);
                assembly {
                    mstore(slot, or(shl(32, x), y))
                }
                (x, y) = _padd(x, y, gx, gy);
            }
        }
    }

    /// The point G^index of the circle group of order 2^31, from the table.
    function _point(uint256 tbl, uint256 index) internal pure returns (uint256 x, uint256 y) {
        assembly {
            let p := 0x7fffffff
            index := and(index, 0x7fffffff)
            x := 1
            y := 0
            for { let w := 0 } index {
                w := add(w, 1)
                index := shr(4, index)
            } {
                let j := and(index, 15)
                if j {
                    let e := mload(add(tbl, shl(5, add(shl(4, w), j))))
                    let x2 := shr(32, e)
                    let y2 := and(e, 0xffffffff)
                    let nx := mod(add(mul(x, x2), sub(mul(p, p), mul(y, y2))), p)
                    y := mod(add(mul(x, y2), mul(y, x2)), p)
                    x := nx
                }
            }
        }
    }

    function _padd(uint256 x1, uint256 y1, uint256 x2, uint256 y2) internal pure returns (uint256 x, uint256 y) {
        assembly {
            let p := 0x7fffffff
            x := mod(add(mul(x1, x2), sub(mul(p, p), mul(y1, y2))), p)
            y := mod(add(mul(x1, y2), mul(y1, x2)), p)
        }
    }

    function _bitrev(uint256 i, uint256 logSize) internal pure returns (uint256 r) {
        if (logSize == 0) return 0;
        assembly {
            let v := i
            v := or(shr(1, and(v, 0xaaaaaaaa)), shl(1, and(v, 0x55555555)))
            v := or(shr(2, and(v, 0xcccccccc)), shl(2, and(v, 0x33333333)))
            v := or(shr(4, and(v, 0xf0f0f0f0)), shl(4, and(v, 0x0f0f0f0f)))
            v := or(shr(8, and(v, 0xff00ff00)), shl(8, and(v, 0x00ff00ff)))
            v := or(shr(16, v), and(shl(16, v), 0xffff0000))
            r := shr(sub(32, logSize), v)
        }
    }

    /// Index of element i of the canonic circle domain of size 2^logSize.
    function _circleDomainIndex(uint256 i, uint256 logSize) internal pure returns (uint256) {
        uint256 half = 1 << (logSize - 1);
        uint256 initial = 1 << (30 - logSize);
        uint256 step = 1 << (32 - logSize);
        if (i < half) return (initial + i * step) & ((1 << 31) - 1);
        return ((1 << 31) - ((initial + (i - half) * step) & ((1 << 31) - 1))) & ((1 << 31) - 1);
    }

    // ------------------------------------------------------------------
    // The Keccak channel (circuits/src/keccak.rs)

    struct Channel {
        bytes32 digest;
        uint256 nDraws;
    }

    function _mixBytes(Channel memory ch, bytes memory data) internal pure {
        ch.digest = keccak256(abi.encodePacked(ch.digest, data));
        ch.nDraws = 0;
    }

    function _mixRoot(Channel memory ch, bytes32 root) internal pure {
        ch.digest = keccak256(abi.encodePacked(ch.digest, root));
        ch.nDraws = 0;
    }

    function _mixCalldata(Channel memory ch, uint256 offset, uint256 len) internal pure {
        bytes32 d = ch.digest;
        bytes32 h;
        assembly {
            let m := mload(0x40)
            mstore(m, d)
            calldatacopy(add(m, 32), offset, len)
            h := keccak256(m, add(32, len))
        }
        ch.digest = h;
        ch.nDraws = 0;
    }

    function _drawWords(Channel memory ch) internal pure returns (uint256 h) {
        h = uint256(keccak256(abi.encodePacked(ch.digest, uint32(ch.nDraws), uint8(0))));
        ch.nDraws += 1;
    }

    /// Eight base-field elements (retrying while a word is >= 2P), packed as two QM31.
    function _drawBase(Channel memory ch) internal pure returns (uint256 lo, uint256 hi) {
        while (true) {
            uint256 h = _drawWords(ch);
            bool ok = true;
            uint256[8] memory w;
            for (uint256 k = 0; k < 8; k++) {
                uint256 v = (h >> (224 - 32 * k)) & 0xffffffff;
                if (v >= 2 * P) {
                    ok = false;
                    break;
                }
                w[k] = v >= P ? v - P : v;
            }
            if (ok) return (_pack(w[0], w[1], w[2], w[3]), _pack(w[4], w[5], w[6], w[7]));
        }
    }

    function _drawFelt(Channel memory ch) internal pure returns (uint256 f) {
        (f,) = _drawBase(ch);
    }

    function _qbytes(uint256 a) internal pure returns (bytes16) {
        uint256 c = _canon(a);
        return bytes16(uint128(((c >> 192) << 96) | (((c >> 128) & M64) << 64) | (((c >> 64) & M64) << 32) | (c & M64)));
    }

    // ------------------------------------------------------------------
    // Proof reading

    /// Reads the QM31 at calldata offset `off` (4 big-endian words), refusing non-canonical coordinates.
    function _readQ(uint256 off) internal pure returns (uint256 r) {
        uint256 w;
        assembly {
            w := shr(128, calldataload(off))
        }
        uint256 a0 = w >> 96;
        uint256 a1 = (w >> 64) & 0xffffffff;
        uint256 a2 = (w >> 32) & 0xffffffff;
        uint256 a3 = w & 0xffffffff;
        if (a0 >= P || a1 >= P || a2 >= P || a3 >= P) revert NonCanonical();
        r = _pack(a0, a1, a2, a3);
    }

    function _readU32(uint256 off) internal pure returns (uint256 v) {
        assembly {
            v := shr(224, calldataload(off))
        }
    }

    function _readB32(uint256 off) internal pure returns (bytes32 v) {
        assembly {
            v := calldataload(off)
        }
    }

    // ------------------------------------------------------------------
    // Verification

    /// Everything the verifier derives before the queries.
    struct Ctx {
        uint256 logRows;
        uint256 logLift; // logRows + log blowup
        uint256 start; // calldata offset of the proof
        uint256 end;
        uint256 cur; // reading cursor (variable part)
        uint256 sampled; // offset of the sampled values
        uint256 nInner;
        uint256 innerAt; // offset of the inner-layer commitments
        uint256 lastAt; // offset of the last layer polynomial
        uint256 oodsX;
        uint256 oodsY;
        uint256 alphaQ; // DEEP random coefficient
        uint256[] friAlphas; // first layer, then inner layers
        uint256[] queries; // sorted unique positions in the lifted domain
        uint256 pts; // memory offset of the point table (_pointTable)
    }

    function _verify(bytes memory statementWords, Entry[] calldata entries, uint256 units, bytes calldata proof)
        internal
        view
    {
        Ctx memory c;
        c.pts = _pointTable();
        c.logRows = MsglAir.MIN_LOG_ROWS;
        while ((1 << c.logRows) < units) c.logRows++;
        c.logLift = c.logRows + MsglAir.LOG_BLOWUP;
        uint256 proofStart;
        assembly {
            proofStart := proof.offset
        }
        c.start = proofStart;
        c.end = proofStart + proof.length;
        c.sampled = c.start + 16 + 4 * 32;
        // FRI layers: first folds FOLD_STEP; inner layers fold FOLD_STEP (the last one the rest).
        uint256 lineBound = c.logRows - MsglAir.FOLD_STEP;
        c.nInner = (lineBound - MsglAir.LOG_LAST_LAYER + MsglAir.FOLD_STEP - 1) / MsglAir.FOLD_STEP;
        c.innerAt = c.sampled + 16 * MsglAir.N_SAMPLED + 32;
        c.lastAt = c.innerAt + 32 * c.nInner;
        c.cur = c.lastAt + 16 * (1 << MsglAir.LOG_LAST_LAYER) + 8;
        if (c.cur > c.end) revert Malformed(0);

        Channel memory ch;
        _mixBytes(
            ch,
            abi.encodePacked(
                uint32(MsglAir.POW_BITS),
                uint32(MsglAir.LOG_BLOWUP),
                uint32(MsglAir.N_QUERIES),
                uint32(MsglAir.LOG_LAST_LAYER),
                uint32(MsglAir.FOLD_STEP),
                uint32(0),
                uint32(0),
                uint32(0)
            )
        );
        _mixBytes(ch, statementWords);
        _mixRoot(ch, _readB32(c.start + 16));
        _mixRoot(ch, _readB32(c.start + 48));
        uint256[] memory params = new uint256[](MsglAir.N_PARAMS);
        (params[0], params[1]) = _drawBase(ch); // ChainStart z, alpha
        (params[2], params[3]) = _drawBase(ch); // ChainEnd z, alpha
        uint256 claimed = _readQ(c.start);
        _mixBytes(ch, abi.encodePacked(_qbytes(claimed)));
        _mixRoot(ch, _readB32(c.start + 80));
        _checkLogUp(entries, params, claimed);

        uint256 alphaC = _drawFelt(ch);
        _mixRoot(ch, _readB32(c.start + 112));
        {
            uint256 t = _drawFelt(ch);
            uint256 t2 = _qmul(t, t);
            uint256 inv = _qinv(_qadd(t2, _pack(1, 0, 0, 0)));
            c.oodsX = _qmul(_qsub(_pack(1, 0, 0, 0), t2), inv);
            c.oodsY = _qmul(_qadd(t, t), inv);
        }
        _checkOods(c, params, claimed, alphaC);

        _mixCalldata(ch, c.sampled, 16 * MsglAir.N_SAMPLED);
        c.alphaQ = _drawFelt(ch);
        c.friAlphas = new uint256[](1 + c.nInner);
        _mixRoot(ch, _readB32(c.innerAt - 32));
        c.friAlphas[0] = _drawFelt(ch);
        for (uint256 i = 0; i < c.nInner; i++) {
            _mixRoot(ch, _readB32(c.innerAt + 32 * i));
            c.friAlphas[1 + i] = _drawFelt(ch);
        }
        for (uint256 i = 0; i < (1 << MsglAir.LOG_LAST_LAYER); i++) {
            _readQ(c.lastAt + 16 * i); // canonical
        }
        _mixCalldata(ch, c.lastAt, 16 * (1 << MsglAir.LOG_LAST_LAYER));
        {
            uint256 nonce;
            uint256 off = c.lastAt + 16 * (1 << MsglAir.LOG_LAST_LAYER);
            assembly {
                nonce := shr(192, calldataload(off))
            }
            bytes32 prefixed =
                keccak256(abi.encodePacked(uint32(0x12345678), bytes12(0), ch.digest, uint32(MsglAir.POW_BITS)));
            bytes32 res = keccak256(abi.encodePacked(prefixed, uint64(nonce)));
            if (uint256(res) >> (256 - MsglAir.POW_BITS) != 0) revert ProofOfWork();
            _mixBytes(ch, abi.encodePacked(uint64(nonce)));
        }
        c.queries = _drawQueries(ch, c.logLift);

        uint256[] memory answers = _traceDecommitments(c);
        _fri(c, answers);
        if (c.cur != c.end) revert Malformed(c.cur - c.start);
    }

    /// The public side of the LogUp sum must equal the claimed sum:
    /// sum over the entries of 1/Start + 1/End. The powers of each
    /// relation's alpha are made once, and the 2n denominators are
    /// inverted together (one QM31 inversion and three products each).
    function _checkLogUp(Entry[] calldata entries, uint256[] memory params, uint256 claimed) internal pure {
        uint256 n = 2 * entries.length;
        uint256[10] memory powStart;
        uint256[10] memory powEnd;
        powStart[0] = _pack(1, 0, 0, 0);
        powEnd[0] = powStart[0];
        for (uint256 k = 1; k < 10; k++) {
            powStart[k] = _qmul(powStart[k - 1], params[1]);
            powEnd[k] = _qmul(powEnd[k - 1], params[3]);
        }
        uint256[] memory den = new uint256[](n);
        for (uint256 i = 0; i < entries.length; i++) {
            Entry calldata e = entries[i];
            uint256 ds = _combineDigest(params[0], powStart, i, e.newTip, 0, false);
            uint256 de = _combineDigest(params[2], powEnd, i, e.oldTip, uint256(e.newCount) - e.oldCount, true);
            if (_isZero(ds) || _isZero(de)) revert LogUpMismatch();
            den[2 * i] = ds;
            den[2 * i + 1] = de;
        }
        // prefix[j] = den[0] ... den[j - 1]; then walk back with the inverse of the whole product.
        uint256[] memory prefix = new uint256[](n);
        uint256 acc = _pack(1, 0, 0, 0);
        for (uint256 j = 0; j < n; j++) {
            prefix[j] = acc;
            acc = _qmul(acc, den[j]);
        }
        uint256 inv = _qinv(acc);
        uint256 sum = 0;
        for (uint256 j = n; j > 0; j--) {
            sum = _qadd(sum, _qmul(inv, prefix[j - 1]));
            inv = _qmul(inv, den[j - 1]);
        }
        if (_canon(sum) != _canon(claimed)) revert LogUpMismatch();
    }

    /// sum_k alpha^k v_k - z over (seg, digest[0..8] [, step]), with pw[k] = alpha^k.
    function _combineDigest(uint256 z, uint256[10] memory pw, uint256 seg, bytes32 d, uint256 step, bool withStep)
        internal
        pure
        returns (uint256 acc)
    {
        acc = _qmulc(pw[0], seg);
        for (uint256 k = 0; k < 8; k++) {
            acc = _qadd(acc, _qmulc(pw[k + 1], (uint256(d) >> (224 - 32 * k)) & 0xffffffff));
        }
        if (withStep) {
            acc = _qadd(acc, _qmulc(pw[9], step));
        }
        acc = _qsub(acc, z);
    }

    /// The composition polynomial's value at the OODS point against the constraints.
    function _checkOods(Ctx memory c, uint256[] memory params, uint256 claimed, uint256 alphaC) internal view {
        // V = x-coordinate of the OODS point doubled logRows - 1 times; 1/V is the
        // vanishing polynomial's inverse and the composition is left + V * right.
        uint256 v = c.oodsX;
        for (uint256 i = 1; i < c.logRows; i++) {
            v = _qsub(_qadd(_qmul(v, v), _qmul(v, v)), _pack(1, 0, 0, 0));
        }
        uint256 compAt = c.sampled + 16 * (MsglAir.N_SAMPLED - N_COMPOSITION_COLS);
        uint256 left = _partial(compAt);
        uint256 right = _partial(compAt + 64);
        uint256 composition = _qadd(left, _qmul(v, right));
        // cumsum shift = claimed / 2^logRows
        params[4] = _qmulc(claimed, _minv(1 << c.logRows));
        uint256 mark = _mark();
        uint256 acc = _evalConstraints(c.sampled, params, alphaC);
        _release(mark);
        if (_canon(_qmul(composition, v)) != _canon(acc)) revert OodsMismatch();
    }

    /// from_partial_evals of 4 consecutive sampled QM31 values.
    function _partial(uint256 off) internal pure returns (uint256 r) {
        r = _readQ(off);
        r = _qadd(r, _qmul(_readQ(off + 16), _pack(0, 1, 0, 0)));
        r = _qadd(r, _qmul(_readQ(off + 32), _pack(0, 0, 1, 0)));
        r = _qadd(r, _qmul(_readQ(off + 48), _pack(0, 0, 0, 1)));
    }

    /// Runs the generated constraint program (MsglAir.PROGRAM) over the sampled
    /// values and the parameters; returns sum_i alphaC^(N-1-i) c_i.
    function _evalConstraints(uint256 sampled, uint256[] memory params, uint256 alphaC)
        internal
        view
        returns (uint256 acc)
    {
        bytes memory prog = new bytes(MsglAir.PROGRAM_LENGTH);
        address code = program;
        assembly {
            extcodecopy(code, add(prog, 32), 1, mload(prog))
        }
        uint256[] memory reg = new uint256[](MsglAir.N_REGISTERS);
        for (uint256 i = 0; i < MsglAir.N_SAMPLED; i++) {
            reg[i] = _readQ(sampled + 16 * i);
        }
        for (uint256 i = 0; i < MsglAir.N_PARAMS; i++) {
            reg[MsglAir.N_SAMPLED + i] = params[i];
        }
        // Powers of the relations' alphas: registers after the parameters.
        {
            uint256 base = MsglAir.N_SAMPLED + MsglAir.N_PARAMS;
            uint256 pw = _pack(1, 0, 0, 0);
            for (uint256 k = 0; k < MsglAir.START_SIZE; k++) {
                reg[base + k] = pw;
                pw = _qmul(pw, params[1]);
            }
            base += MsglAir.START_SIZE;
            pw = _pack(1, 0, 0, 0);
            for (uint256 k = 0; k < MsglAir.END_SIZE; k++) {
                reg[base + k] = pw;
                pw = _qmul(pw, params[3]);
            }
        }
        uint256 first = MsglAir.N_SAMPLED + MsglAir.N_PARAMS + MsglAir.START_SIZE + MsglAir.END_SIZE;
        assembly {
            function qadd(x, y) -> r {
                r := add(x, y)
                r := add(
                    and(r, 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff),
                    and(shr(31, r), 0x0000000000000001000000000000000100000000000000010000000000000001)
                )
                r := add(
                    and(r, 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff),
                    and(shr(31, r), 0x0000000000000001000000000000000100000000000000010000000000000001)
                )
            }
            function qneg(x) -> r {
                r := qadd(0, sub(0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff, x))
            }
            function qmulc(x, c) -> r {
                let p := 0x7fffffff
                let m := 0xffffffffffffffff
                r := or(
                    or(shl(192, mulmod(shr(192, x), c, p)), shl(128, mulmod(and(shr(128, x), m), c, p))),
                    or(shl(64, mulmod(and(shr(64, x), m), c, p)), mulmod(and(x, m), c, p))
                )
            }
            function qmul(a, b) -> r {
                // lanes 64 bits apart, so one MUL by an M31 lane multiplies
                // all four lanes of a word: with b i = (-b1, b0, -b3, b2) and
                // the CM31 halves swapped (s: rotate by 128 bits),
                // x = a0 b + a1 (b i) = (ac, ad) and y = a2 s(b) + a3 s(b i) =
                // (bd, bc), lanes < 2^63; then ac + (2 + i) bd and ad + bc.
                let m := 0xffffffffffffffff
                let sw := or(
                    and(shl(64, b), 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000),
                    and(shr(64, b), 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
                )
                let bi := sub(
                    add(sw, 0x000000007fffffff0000000000000000000000007fffffff0000000000000000),
                    shl(1, and(sw, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000))
                )
                let x := add(mul(shr(192, a), b), mul(and(shr(128, a), m), bi))
                let y := add(
                    mul(and(shr(64, a), m), or(shl(128, b), shr(128, b))),
                    mul(and(a, m), or(shl(128, bi), shr(128, bi)))
                )
                let p := 0x7fffffff
                r := or(
                    or(
                        shl(192, mod(add(add(shr(192, x), shl(1, shr(192, y))), sub(0x7fffffff00000000, and(shr(128, y), m))), p)),
                        shl(128, mod(add(add(and(shr(128, x), m), shr(192, y)), shl(1, and(shr(128, y), m))), p))
                    ),
                    or(shl(64, mod(add(and(shr(64, x), m), and(shr(64, y), m)), p)), mod(add(and(x, m), and(y, m)), p))
                )
            }
            let base := add(reg, 32)
            let nxt := add(base, mul(first, 32))
            let ip := add(prog, 32)
            let end := add(ip, mload(prog))
            for {} lt(ip, end) {} {
                let w := mload(ip)
                let a := mload(add(base, shl(5, and(shr(232, w), 0xffff))))
                // cases by frequency in the program (qadd 1,047 of 2,499; qmul 478; qsub 319; acc 305; ...)
                switch shr(248, w)
                case 1 {
                    mstore(nxt, qadd(a, mload(add(base, shl(5, and(shr(216, w), 0xffff))))))
                    nxt := add(nxt, 32)
                    ip := add(ip, 5)
                }
                case 3 {
                    mstore(nxt, qmul(a, mload(add(base, shl(5, and(shr(216, w), 0xffff))))))
                    nxt := add(nxt, 32)
                    ip := add(ip, 5)
                }
                case 2 {
                    mstore(nxt, qadd(a, qneg(mload(add(base, shl(5, and(shr(216, w), 0xffff)))))))
                    nxt := add(nxt, 32)
                    ip := add(ip, 5)
                }
                case 8 {
                    acc := qadd(qmul(acc, alphaC), a)
                    ip := add(ip, 3)
                }
                case 5 {
                    mstore(nxt, qmulc(a, and(shr(200, w), 0xffffffff)))
                    nxt := add(nxt, 32)
                    ip := add(ip, 7)
                }
                case 4 {
                    mstore(nxt, qadd(a, shl(192, and(shr(200, w), 0xffffffff))))
                    nxt := add(nxt, 32)
                    ip := add(ip, 7)
                }
                case 6 {
                    mstore(nxt, qneg(a))
                    nxt := add(nxt, 32)
                    ip := add(ip, 3)
                }
                case 7 {
                    mstore(
                        nxt,
                        or(
                            or(shl(192, and(shr(216, w), 0xffffffff)), shl(128, and(shr(184, w), 0xffffffff))),
                            or(shl(64, and(shr(152, w), 0xffffffff)), and(shr(120, w), 0xffffffff))
                        )
                    )
                    nxt := add(nxt, 32)
                    ip := add(ip, 17)
                }
                default { revert(0, 0) }
            }
        }
    }

    /// Sorted, deduplicated query positions in [0, 2^logSize).
    function _drawQueries(Channel memory ch, uint256 logSize) internal pure returns (uint256[] memory qs) {
        uint256[] memory raw = new uint256[](MsglAir.N_QUERIES);
        uint256 n = 0;
        uint256 mask = (1 << logSize) - 1;
        while (n < MsglAir.N_QUERIES) {
            uint256 h = _drawWords(ch);
            for (uint256 k = 0; k < 8 && n < MsglAir.N_QUERIES; k++) {
                raw[n++] = ((h >> (224 - 32 * k)) & 0xffffffff) & mask;
            }
        }
        // insertion sort, then dedup
        for (uint256 i = 1; i < n; i++) {
            uint256 v = raw[i];
            uint256 j = i;
            while (j > 0 && raw[j - 1] > v) {
                raw[j] = raw[j - 1];
                j--;
            }
            raw[j] = v;
        }
        uint256 m = 0;
        for (uint256 i = 0; i < n; i++) {
            if (i == 0 || raw[i] != raw[i - 1]) raw[m++] = raw[i];
        }
        qs = new uint256[](m);
        for (uint256 i = 0; i < m; i++) {
            qs[i] = raw[i];
        }
    }

    /// Stwo's lifted Merkle verification of `leaves` at sorted unique `pos`
    /// over `height` layers, reading the hash witness (u32 count, hashes) at c.cur.
    function _merkle(Ctx memory c, uint256[] memory pos, bytes32[] memory leaves, uint256 height, bytes32 root, uint256 tree)
        internal
        pure
    {
        uint256 count = _readU32(c.cur);
        uint256 w = c.cur + 4;
        c.cur = w + 32 * count;
        if (c.cur > c.end) revert Malformed(c.cur - c.start);
        uint256 n = pos.length;
        bytes32 computed;
        uint256 used;
        assembly {
            // work in place on copies: p (positions) and h (hashes), each
            // layer's nodes written over the one below it
            let p := mload(0x40)
            let h := add(p, shl(5, n))
            mstore(0x40, add(h, shl(5, n)))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(p, shl(5, i)), mload(add(pos, shl(5, add(i, 1)))))
                mstore(add(h, shl(5, i)), mload(add(leaves, shl(5, add(i, 1)))))
            }
            let sib := w
            for { let layer := 0 } lt(layer, height) { layer := add(layer, 1) } {
                let rp := p
                let wp := p
                let pend := add(p, shl(5, n))
                for {} lt(rp, pend) {} {
                    let pi := mload(rp)
                    let rh := add(rp, sub(h, p))
                    switch and(lt(add(rp, 32), pend), eq(mload(add(rp, 32)), xor(pi, 1)))
                    case 1 {
                        // both children known
                        mstore(0x00, mload(rh))
                        mstore(0x20, mload(add(rh, 32)))
                        rp := add(rp, 64)
                    }
                    default {
                        // the sibling from the witness, on the side pi's bit says
                        let bit := and(pi, 1)
                        mstore(shl(5, bit), mload(rh))
                        mstore(shl(5, xor(bit, 1)), calldataload(sib))
                        sib := add(sib, 32)
                        rp := add(rp, 32)
                    }
                    mstore(wp, shr(1, pi))
                    mstore(add(wp, sub(h, p)), keccak256(0x00, 0x40))
                    wp := add(wp, 32)
                }
                n := shr(5, sub(wp, p))
            }
            used := shr(5, sub(sib, w))
            computed := mload(h)
        }
        if (used != count || n != 1 || computed != root) revert MerkleMismatch(tree);
    }

    /// True when every 4-byte big-endian value in calldata[o, o + len) is < P:
    /// per 32-byte word, no lane has its top bit set and none equals P.
    function _canonicalRow(uint256 o, uint256 len) internal pure returns (bool ok) {
        assembly {
            let hi := 0x8000000080000000800000008000000080000000800000008000000080000000
            let one := 0x0000000100000001000000010000000100000001000000010000000100000001
            let bad := 0
            let end := add(o, len)
            for { let p := o } lt(p, end) { p := add(p, 32) } {
                let w := calldataload(p)
                let rest := sub(end, p)
                if lt(rest, 32) {
                    // keep only the row's lanes
                    w := and(w, not(sub(shl(mul(sub(32, rest), 8), 1), 1)))
                }
                bad := or(bad, or(and(w, hi), and(add(w, one), hi)))
            }
            ok := iszero(bad)
        }
    }

    /// Columns (M31 values a row) of the three trees: trace, interaction,
    /// composition.
    function _treeCols() internal pure returns (uint256[3] memory) {
        return [MsglAir.N_TRACE_COLS, MsglAir.N_INTERACTION_COLS, N_COMPOSITION_COLS];
    }

    /// Verifies the three trace trees at the queries and returns the DEEP
    /// quotient (the FRI first layer's value) at each query.
    function _traceDecommitments(Ctx memory c) internal pure returns (uint256[] memory answers) {
        uint256 width = MsglAir.N_TRACE_COLS + MsglAir.N_INTERACTION_COLS + N_COMPOSITION_COLS;
        uint256[3] memory cols = _treeCols();
        uint256[] memory rowAt = new uint256[](3);
        for (uint256 t = 0; t < 3; t++) {
            uint256 mark = _mark();
            uint256 at_ = _treeRows(c, t, cols[t]);
            _release(mark);
            rowAt[t] = at_;
        }
        answers = _deep(c, rowAt, width);
    }

    /// Reads one tree's rows (row-major, one per query), checks them against
    /// the tree's root, and returns where they start.
    function _treeRows(Ctx memory c, uint256 t, uint256 nCols) internal pure returns (uint256 rows) {
        uint256 nq = c.queries.length;
        uint256 len = 4 * nCols;
        rows = c.cur;
        c.cur = rows + len * nq;
        if (c.cur > c.end) revert Malformed(c.cur - c.start);
        bytes32[] memory leaves = new bytes32[](nq);
        for (uint256 q = 0; q < nq; q++) {
            uint256 o = rows + len * q;
            bytes32 lh;
            assembly {
                let m := mload(0x40)
                calldatacopy(m, o, len)
                lh := keccak256(m, len)
            }
            leaves[q] = lh;
            if (!_canonicalRow(o, len)) revert NonCanonical();
        }
        _merkle(c, c.queries, leaves, c.logLift, _readB32(c.start + 48 + 32 * t), 1 + t);
    }

    /// DEEP quotients (stwo core/pcs/quotients.rs: fri_answers).
    function _deep(Ctx memory c, uint256[] memory rowAt, uint256 width) internal pure returns (uint256[] memory ans) {
        // Sample points: batch 0 = oods + g, 1 = oods, 2 = oods - g (g: trace step).
        (uint256 gx, uint256 gy) = _point(c.pts, 1 << (31 - c.logRows));
        uint256[3] memory px;
        uint256[3] memory py;
        px[1] = c.oodsX;
        py[1] = c.oodsY;
        // (x, y) + (gx, gy) = (x gx - y gy, x gy + y gx)
        px[0] = _qsub(_qmulc(c.oodsX, gx), _qmulc(c.oodsY, gy));
        py[0] = _qadd(_qmulc(c.oodsX, gy), _qmulc(c.oodsY, gx));
        px[2] = _qadd(_qmulc(c.oodsX, gx), _qmulc(c.oodsY, gy));
        py[2] = _qsub(_qmulc(c.oodsY, gx), _qmulc(c.oodsX, gy));
        // Per batch: s[b][col] = sum of random powers; A_b, B_b.
        Deep memory dp;
        for (uint256 b = 0; b < 3; b++) {
            dp.s[b] = new uint256[](width);
            uint256 y = _canon(py[b]);
            uint256 conjY = (y & ~uint256((1 << 128) - 1)) | (_canon(PP - y) & ((1 << 128) - 1));
            dp.kappa[b] = _qsub(conjY, py[b]);
            dp.py[b] = py[b];
        }
        dp.pw = _pack(1, 0, 0, 0);
        dp.alpha = c.alphaQ;
        _deepSums(c, dp, width);
        for (uint256 b = 0; b < 3; b++) {
            dp.den[b] = _denominator(px[b], py[b]);
        }
        ans = new uint256[](c.queries.length);
        for (uint256 q = 0; q < c.queries.length; q++) {
            uint256 mark = _mark();
            uint256 v = _deepRow(c, dp, rowAt, q);
            _release(mark);
            ans[q] = v;
        }
    }

    function _deepRow(
        Ctx memory c,
        Deep memory dp,
        uint256[] memory rowAt,
        uint256 q
    ) internal pure returns (uint256 row) {
        uint256[3] memory bases = [
            rowAt[0] + 4 * MsglAir.N_TRACE_COLS * q,
            rowAt[1] + 4 * MsglAir.N_INTERACTION_COLS * q,
            rowAt[2] + 4 * N_COMPOSITION_COLS * q
        ];
        (uint256 dx, uint256 dy) = _point(c.pts, _circleDomainIndex(_bitrev(c.queries[q], c.logLift), c.logLift));
        uint256[3] memory inv = _inverses(dp, dx, dy);
        for (uint256 b = 0; b < 3; b++) {
            uint256 num = b == 1 ? _rowDotDense(dp.list[1], bases) : _rowDot(dp.list[b], bases);
            num = _qmul(num, dp.kappa[b]);
            num = _qsub(num, _qadd(_qmulc(dp.aSum[b], dy), dp.bSum[b]));
            row = _qadd(row, _qmulcm(num, inv[b] >> 32, inv[b] & M32));
        }
    }

    /// The inverses of the three DEEP denominators (CM31, _denominator) at
    /// the domain point (dx, dy), packed (re << 32 | im), with one inversion.
    function _inverses(Deep memory dp, uint256 dx, uint256 dy) internal pure returns (uint256[3] memory inv) {
        uint256[3] memory d;
        for (uint256 b = 0; b < 3; b++) {
            uint256 k = dp.den[b];
            // d = K + dy (x2, x3) - dx (y2, y3)
            uint256 d0 = addmod(
                addmod(k >> 160, mulmod(dy, (k >> 96) & M32, P), P), P - mulmod(dx, (k >> 32) & M32, P), P
            );
            uint256 d1 = addmod(
                addmod((k >> 128) & M32, mulmod(dy, (k >> 64) & M32, P), P), P - mulmod(dx, k & M32, P), P
            );
            d[b] = (d0 << 32) | d1;
            inv[b] = addmod(mulmod(d0, d0, P), mulmod(d1, d1, P), P);
        }
        {
            // 1/n_b for the norms n_b = d0^2 + d1^2
            uint256 n01 = mulmod(inv[0], inv[1], P);
            uint256 all = _minv(mulmod(n01, inv[2], P));
            uint256 i2 = mulmod(all, n01, P);
            all = mulmod(all, inv[2], P);
            uint256 i1 = mulmod(all, inv[0], P);
            inv[0] = mulmod(all, inv[1], P);
            inv[1] = i1;
            inv[2] = i2;
        }
        for (uint256 b = 0; b < 3; b++) {
            // 1/d = conj(d) / n
            uint256 d0 = d[b] >> 32;
            uint256 d1 = d[b] & M32;
            inv[b] = (mulmod(d0, inv[b], P) << 32) | mulmod(P - d1, inv[b], P);
        }
    }

    /// The constant parts of the DEEP denominator of sample point (px, py)
    /// at a domain point (dx, dy): (Re(px) - dx) Im(py) - (Re(py) - dy) Im(px)
    /// in CM31 = K + dy Im(px) - dx Im(py), K = Re(px) Im(py) - Re(py) Im(px);
    /// packed (K0, K1, Im(px), Im(py)), 32 bits each.
    function _denominator(uint256 px, uint256 py) internal pure returns (uint256) {
        px = _canon(px);
        py = _canon(py);
        uint256 x0 = px >> 192;
        uint256 x1 = (px >> 128) & M64;
        uint256 x2 = (px >> 64) & M64;
        uint256 x3 = px & M64;
        uint256 y0 = py >> 192;
        uint256 y1 = (py >> 128) & M64;
        uint256 y2 = (py >> 64) & M64;
        uint256 y3 = py & M64;
        // (x0 + x1 i)(y2 + y3 i) - (y0 + y1 i)(x2 + x3 i)
        uint256 k0 = addmod(addmod(mulmod(x0, y2, P), P - mulmod(x1, y3, P), P), P - addmod(mulmod(y0, x2, P), P - mulmod(y1, x3, P), P), P);
        uint256 k1 = addmod(addmod(mulmod(x0, y3, P), mulmod(x1, y2, P), P), P - addmod(mulmod(y0, x3, P), mulmod(y1, x2, P), P), P);
        return (k0 << 160) | (k1 << 128) | (x2 << 96) | (x3 << 64) | (y2 << 32) | y3;
    }

    /// Walks the sampled values in the proof's order and adds each sample
    /// (with the periodicity sample of two-sample columns) to its batch.
    function _deepSums(Ctx memory c, Deep memory dp, uint256 width) internal pure {
        // ctx: s_0, s_1, s_2 (pointers), A_0..A_2, V_0..V_2, alpha
        uint256[] memory ctx = new uint256[](10);
        ctx[0] = _ptr(dp.s[0]);
        ctx[1] = _ptr(dp.s[1]);
        ctx[2] = _ptr(dp.s[2]);
        ctx[9] = dp.alpha;
        bytes memory runs = MsglAir.SAMPLE_RUNS;
        uint256 sampled = c.sampled;
        uint256 endPtr;
        uint256 col;
        bytes4 sel = NonCanonical.selector;
        assembly {
            function qadd(x, y) -> r {
                r := add(x, y)
                r := add(
                    and(r, 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff),
                    and(shr(31, r), 0x0000000000000001000000000000000100000000000000010000000000000001)
                )
                r := add(
                    and(r, 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff),
                    and(shr(31, r), 0x0000000000000001000000000000000100000000000000010000000000000001)
                )
            }
            function qmul(a, b) -> r {
                // lanes 64 bits apart, so one MUL by an M31 lane multiplies
                // all four lanes of a word: with b i = (-b1, b0, -b3, b2) and
                // the CM31 halves swapped (s: rotate by 128 bits),
                // x = a0 b + a1 (b i) = (ac, ad) and y = a2 s(b) + a3 s(b i) =
                // (bd, bc), lanes < 2^63; then ac + (2 + i) bd and ad + bc.
                let m := 0xffffffffffffffff
                let sw := or(
                    and(shl(64, b), 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000),
                    and(shr(64, b), 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
                )
                let bi := sub(
                    add(sw, 0x000000007fffffff0000000000000000000000007fffffff0000000000000000),
                    shl(1, and(sw, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000))
                )
                let x := add(mul(shr(192, a), b), mul(and(shr(128, a), m), bi))
                let y := add(
                    mul(and(shr(64, a), m), or(shl(128, b), shr(128, b))),
                    mul(and(a, m), or(shl(128, bi), shr(128, bi)))
                )
                let p := 0x7fffffff
                r := or(
                    or(
                        shl(192, mod(add(add(shr(192, x), shl(1, shr(192, y))), sub(0x7fffffff00000000, and(shr(128, y), m))), p)),
                        shl(128, mod(add(add(and(shr(128, x), m), shr(192, y)), shl(1, and(shr(128, y), m))), p))
                    ),
                    or(shl(64, mod(add(and(shr(64, x), m), and(shr(64, y), m)), p)), mod(add(and(x, m), and(y, m)), p))
                )
            }
            // the QM31 at calldata offset o, canonical or revert
            function readq(o, e) -> r {
                let w := shr(128, calldataload(o))
                let a0 := shr(96, w)
                let a1 := and(shr(64, w), 0xffffffff)
                let a2 := and(shr(32, w), 0xffffffff)
                let a3 := and(w, 0xffffffff)
                if or(or(gt(a0, 0x7ffffffe), gt(a1, 0x7ffffffe)), or(gt(a2, 0x7ffffffe), gt(a3, 0x7ffffffe))) {
                    mstore(0, e)
                    revert(0, 4)
                }
                r := or(or(shl(192, a0), shl(128, a1)), or(shl(64, a2), a3))
            }
            // lanes below 2^64 reduced to [0, P] (three folds of bit 31 up)
            function fold(r) -> f {
                let lo := 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff
                f := add(and(r, lo), and(shr(31, r), 0x00000001ffffffff00000001ffffffff00000001ffffffff00000001ffffffff))
                f := add(and(f, lo), and(shr(31, f), 0x0000000000000007000000000000000700000000000000070000000000000007))
                f := add(and(f, lo), and(shr(31, f), 0x0000000000000001000000000000000100000000000000010000000000000001))
            }
            // one sample v = a + b u (a, b in CM31) of column col in batch b:
            // X_b += a pw, W_b += b pw (CM31 times QM31: two MULs of pw and
            // pw i, lanes 64 bits apart, no carry), s_b[col] += pw; returns
            // pw alpha. Then V_b = X_b + u W_b and A_b = sum (conj(v) - v) pw
            // = -2 u W_b.
            function entry(b, cl, v, pw, cx) -> npw {
                let p := 0x7fffffff
                let m := 0xffffffffffffffff
                let pwi := or(
                    or(shl(192, sub(p, and(shr(128, pw), m))), shl(128, shr(192, pw))),
                    or(shl(64, sub(p, and(pw, m))), and(shr(64, pw), m))
                )
                let xp := add(cx, mul(add(b, 7), 32))
                mstore(xp, fold(add(mload(xp), add(mul(shr(192, v), pw), mul(and(shr(128, v), m), pwi)))))
                let wp := add(cx, mul(add(b, 4), 32))
                mstore(wp, fold(add(mload(wp), add(mul(and(shr(64, v), m), pw), mul(and(v, m), pwi)))))
                let sc := add(mload(add(cx, mul(add(b, 1), 32))), mul(add(cl, 1), 32))
                mstore(sc, qadd(mload(sc), pw))
                npw := qmul(pw, mload(add(cx, 320)))
            }
            let pw := shl(192, 1)
            let sptr := sampled
            let rp := add(runs, 32)
            let rend := add(rp, mload(runs))
            for {} lt(rp, rend) { rp := add(rp, 3) } {
                let n := shr(240, mload(rp))
                let kind := and(shr(232, mload(rp)), 0xff)
                for { let k := 0 } lt(k, n) { k := add(k, 1) } {
                    switch kind
                    case 0 {
                        pw := entry(1, col, readq(sptr, sel), pw, ctx)
                        sptr := add(sptr, 16)
                    }
                    default {
                        // kind 1: samples [0, 1] in batches (1, 0); kind 2: [-1, 0] in (2, 1)
                        pw := entry(sub(kind, 1), col, readq(add(sptr, 16), sel), pw, ctx)
                        pw := entry(kind, col, readq(sptr, sel), pw, ctx)
                        pw := entry(sub(kind, 1), col, readq(add(sptr, 16), sel), pw, ctx)
                        sptr := add(sptr, 32)
                    }
                    col := add(col, 1)
                }
            }
            endPtr := sptr
        }
        if (endPtr != sampled + 16 * MsglAir.N_SAMPLED || col != width) revert Malformed(1);
        for (uint256 b = 0; b < 3; b++) {
            (uint256 a, uint256 v) = _batchSums(ctx[3 + b], ctx[6 + b]);
            dp.aSum[b] = a;
            // b = v c - a P.y summed: B_b = kappa_b V_b - P_b.y A_b
            dp.bSum[b] = _qsub(_qmul(dp.kappa[b], v), _qmul(dp.py[b], a));
            dp.list[b] = b == 1 ? _dense(dp.s[1]) : _nonzero(dp.s[b]);
        }
    }

    /// A batch's A = -2 u W and V = X + u W from _deepSums' sums W (of the
    /// samples' u parts) and X (of their CM31 parts), lanes in [0, P].
    function _batchSums(uint256 w, uint256 x) internal pure returns (uint256 a, uint256 v) {
        w = _canon(w);
        // u W = (2 w2 - w3, w2 + 2 w3, w0, w1) (u^2 = 2 + i)
        uint256 w2 = (w >> 64) & M64;
        uint256 w3 = w & M64;
        uint256 uw = _pack(addmod(2 * w2, 2 * P - w3, P), addmod(w2, 2 * w3, P), w >> 192, (w >> 128) & M64);
        a = _qmulc(uw, P - 2);
        v = _qadd(_canon(x), uw);
    }

    /// The free memory pointer. Memory is never freed by Solidity, and its
    /// cost grows with the square of the highest address: phases that leave
    /// only garbage behind give their memory back with _release.
    function _mark() internal pure returns (uint256 p) {
        assembly {
            p := mload(0x40)
        }
    }

    function _release(uint256 p) internal pure {
        assembly {
            mstore(0x40, p)
        }
    }

    function _ptr(uint256[] memory a) internal pure returns (uint256 p) {
        assembly {
            p := a
        }
    }

    /// The DEEP quotient's per-batch sums (see _deep).
    struct Deep {
        uint256[][3] s;
        // per batch: batch 1 (every column has a sample there) dense, (s01, s23)
        // per column (_dense); batches 0 and 2 (the columns with a shifted
        // sample) sparse, (tree << 32 | offset in the row, s01, s23) per
        // nonzero column (_nonzero)
        uint256[][3] list;
        uint256[3] aSum;
        uint256[3] bSum;
        uint256[3] kappa; // conj(P).y - P.y
        uint256[3] py;
        // the denominator's constants: K0, K1, Im(px) = (x2, x3) and
        // Im(py) = (y2, y3), 32 bits each (_denominator)
        uint256[3] den;
        uint256 pw; // the next power of the random coefficient
        uint256 alpha;
    }

    /// A QM31 (canonical lanes) as two words with its lanes 128 bits apart:
    /// (s0 << 128 | s1, s2 << 128 | s3). One MUL by an M31 value then makes
    /// two lanes' products, and hundreds of them add up without a carry
    /// from the low lane into the high one (each product < 2^62).
    function _split(uint256 q) internal pure returns (uint256 s01, uint256 s23) {
        q = _canon(q);
        s01 = ((q >> 192) << 128) | ((q >> 128) & M64);
        s23 = (((q >> 64) & M64) << 128) | (q & M64);
    }

    /// Every column's s, split (_split), in the trees' column order.
    function _dense(uint256[] memory s) internal pure returns (uint256[] memory list) {
        list = new uint256[](2 * s.length);
        for (uint256 i = 0; i < s.length; i++) {
            (list[2 * i], list[2 * i + 1]) = _split(s[i]);
        }
    }

    /// The nonzero entries of s as (tree << 32 | byte offset in the tree's row, s01, s23).
    function _nonzero(uint256[] memory s) internal pure returns (uint256[] memory list) {
        uint256 n = 0;
        for (uint256 i = 0; i < s.length; i++) {
            if (s[i] != 0) n++;
        }
        list = new uint256[](3 * n);
        uint256 j = 0;
        uint256 tc = MsglAir.N_TRACE_COLS;
        uint256 ic = MsglAir.N_INTERACTION_COLS;
        for (uint256 i = 0; i < s.length; i++) {
            if (s[i] == 0) continue;
            uint256 t = i < tc ? 0 : (i < tc + ic ? 1 : 2);
            uint256 k = t == 0 ? i : (t == 1 ? i - tc : i - tc - ic);
            list[j] = (t << 32) | (4 * k);
            (list[j + 1], list[j + 2]) = _split(s[i]);
            j += 3;
        }
    }

    /// The QM31 (r0, r1, r2, r3) from two words of split lane sums.
    function _unsplit(uint256 a01, uint256 a23) internal pure returns (uint256 r) {
        uint256 m = (1 << 128) - 1;
        r = ((a01 >> 128) % P) << 192 | ((a01 & m) % P) << 128 | ((a23 >> 128) % P) << 64 | (a23 & m) % P;
    }

    /// sum over a batch's listed columns of s(col) * value(col) at one query
    /// (_nonzero's list); `bases` holds the calldata offsets of the query's
    /// row in each tree.
    function _rowDot(uint256[] memory list, uint256[3] memory bases) internal pure returns (uint256) {
        uint256 a01;
        uint256 a23;
        assembly {
            let ptr := add(list, 32)
            let end := add(ptr, mul(mload(list), 32))
            for {} lt(ptr, end) { ptr := add(ptr, 96) } {
                let key := mload(ptr)
                let base := mload(add(bases, shl(5, shr(32, key))))
                let f := shr(224, calldataload(add(base, and(key, 0xffffffff))))
                a01 := add(a01, mul(mload(add(ptr, 32)), f))
                a23 := add(a23, mul(mload(add(ptr, 64)), f))
            }
        }
        return _unsplit(a01, a23);
    }

    /// The same over every column, trees in order (_dense's list): each
    /// tree's row is read straight through, eight values per calldata word.
    function _rowDotDense(uint256[] memory list, uint256[3] memory bases) internal pure returns (uint256) {
        uint256 a01;
        uint256 a23;
        uint256[3] memory cols = _treeCols();
        assembly {
            let sp := add(list, 32)
            for { let t := 0 } lt(t, 3) { t := add(t, 1) } {
                let o := mload(add(bases, shl(5, t)))
                let end := add(o, shl(2, mload(add(cols, shl(5, t)))))
                let f := 0
                for {} iszero(gt(add(o, 32), end)) { o := add(o, 32) } {
                    let w := calldataload(o)
                    f := shr(224, w)
                    a01 := add(a01, mul(mload(sp), f))
                    a23 := add(a23, mul(mload(add(sp, 32)), f))
                    f := and(shr(192, w), 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 64)), f))
                    a23 := add(a23, mul(mload(add(sp, 96)), f))
                    f := and(shr(160, w), 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 128)), f))
                    a23 := add(a23, mul(mload(add(sp, 160)), f))
                    f := and(shr(128, w), 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 192)), f))
                    a23 := add(a23, mul(mload(add(sp, 224)), f))
                    f := and(shr(96, w), 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 256)), f))
                    a23 := add(a23, mul(mload(add(sp, 288)), f))
                    f := and(shr(64, w), 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 320)), f))
                    a23 := add(a23, mul(mload(add(sp, 352)), f))
                    f := and(shr(32, w), 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 384)), f))
                    a23 := add(a23, mul(mload(add(sp, 416)), f))
                    f := and(w, 0xffffffff)
                    a01 := add(a01, mul(mload(add(sp, 448)), f))
                    a23 := add(a23, mul(mload(add(sp, 480)), f))
                    sp := add(sp, 512)
                }
                for {} lt(o, end) { o := add(o, 4) } {
                    f := shr(224, calldataload(o))
                    a01 := add(a01, mul(mload(sp), f))
                    a23 := add(a23, mul(mload(add(sp, 32)), f))
                    sp := add(sp, 64)
                }
            }
        }
        return _unsplit(a01, a23);
    }

    // ------------------------------------------------------------------
    // FRI

    function _fri(Ctx memory c, uint256[] memory answers) internal pure {
        uint256[] memory qs = c.queries;
        uint256[] memory ev = answers;
        // First layer: circle domain of size 2^logLift, fold FOLD_STEP.
        (qs, ev) = _friLayer(c, qs, ev, 0, c.logLift, MsglAir.FOLD_STEP);
        uint256 bound = c.logRows - MsglAir.FOLD_STEP; // line degree bound (log)
        uint256 domainLog = bound + MsglAir.LOG_BLOWUP;
        for (uint256 i = 0; i < c.nInner; i++) {
            uint256 fs = MsglAir.FOLD_STEP;
            if (i == c.nInner - 1) fs = bound - MsglAir.LOG_LAST_LAYER;
            (qs, ev) = _friLayer(c, qs, ev, i + 1, domainLog, fs);
            bound -= fs;
            domainLog -= fs;
        }
        if (bound != MsglAir.LOG_LAST_LAYER) revert FriMismatch(99);
        // Last layer: line polynomial with 2^LOG_LAST_LAYER coefficients.
        uint256[] memory coeffs = new uint256[](1 << MsglAir.LOG_LAST_LAYER);
        for (uint256 i = 0; i < coeffs.length; i++) {
            coeffs[i] = _readQ(c.lastAt + 16 * i);
        }
        uint256[] memory scratch = new uint256[](1 << MsglAir.LOG_LAST_LAYER);
        for (uint256 q = 0; q < qs.length; q++) {
            (uint256 x,) = _point(c.pts, _lineIndex(qs[q], domainLog));
            if (_canon(_lastLayerEval(coeffs, x, scratch)) != _canon(ev[q])) revert LastLayerMismatch();
        }
    }

    /// LinePoly::eval_at_point: fold the coefficients (stored order) with the
    /// factors x, double_x(x), ...; the innermost fold uses the last factor.
    function _lastLayerEval(uint256[] memory coeffs, uint256 x, uint256[] memory v) internal pure returns (uint256 r) {
        uint256 logN = MsglAir.LOG_LAST_LAYER;
        assembly {
            let p := 0x7fffffff
            let m := 0xffffffffffffffff
            let n := shl(logN, 1)
            let src := add(coeffs, 32)
            let dst := add(v, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } { mstore(add(dst, shl(5, i)), mload(add(src, shl(5, i)))) }
            // factors f_k = double_x^k(x), k < logN, kept in scratch memory at f
            let f := mload(0x40)
            let xx := x
            for { let k := 0 } lt(k, logN) { k := add(k, 1) } {
                mstore(add(f, shl(5, k)), xx)
                xx := addmod(mulmod(2, mulmod(xx, xx, p), p), sub(p, 1), p)
            }
            for { let k := logN } gt(k, 0) { k := sub(k, 1) } {
                n := shr(1, n)
                let c := mload(add(f, shl(5, sub(k, 1))))
                for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                    let lo := mload(add(dst, shl(6, j)))
                    let hi := mload(add(dst, add(shl(6, j), 32)))
                    // lo + hi * c, lane by lane
                    let t := or(
                        or(
                            shl(192, addmod(shr(192, lo), mulmod(shr(192, hi), c, p), p)),
                            shl(128, addmod(and(shr(128, lo), m), mulmod(and(shr(128, hi), m), c, p), p))
                        ),
                        or(
                            shl(64, addmod(and(shr(64, lo), m), mulmod(and(shr(64, hi), m), c, p), p)),
                            addmod(and(lo, m), mulmod(and(hi, m), c, p), p)
                        )
                    )
                    mstore(add(dst, shl(5, j)), t)
                }
            }
            r := mload(dst)
        }
    }

    /// A layer's cosets of 2^fs values around the queries (starts: each
    /// coset's first position; vals: the cosets' values one after another in
    /// memory), checked against the layer's commitment.
    function _subsets(Ctx memory c, uint256[] memory qs, uint256[] memory ev, uint256 fs, uint256 domainLog, uint256 layer)
        internal
        pure
        returns (uint256[] memory starts, uint256 vals)
    {
        (starts, vals) = _rebuild(c, qs, ev, fs, layer);
        _layerMerkle(c, starts, vals, fs, domainLog, layer);
    }

    function _nSub(uint256[] memory qs, uint256 fs) internal pure returns (uint256 n) {
        assembly {
            let prev := not(0)
            let ptr := add(qs, 32)
            let end := add(ptr, shl(5, mload(qs)))
            for {} lt(ptr, end) { ptr := add(ptr, 32) } {
                let s := shr(fs, mload(ptr))
                if iszero(eq(s, prev)) { n := add(n, 1) }
                prev := s
            }
        }
    }

    /// The cosets' values: a query's own value where there is one, else the
    /// next of the layer's witness values (canonical), all of which must be
    /// used.
    function _rebuild(Ctx memory c, uint256[] memory qs, uint256[] memory ev, uint256 fs, uint256 layer)
        internal
        pure
        returns (uint256[] memory starts, uint256 vals)
    {
        starts = new uint256[](_nSub(qs, fs));
        // the witness values' offset and count, and the errors' words
        uint256 wc = ((c.cur + 4) << 32) | _readU32(c.cur);
        c.cur += 4 + 16 * (wc & 0xffffffff);
        if (c.cur > c.end) revert Malformed(c.cur - c.start);
        uint256 errs = (uint256(uint32(FriMismatch.selector)) << 224) | (uint256(uint32(NonCanonical.selector)) << 192)
            | layer;
        uint256 used;
        assembly {
            // the QM31 at calldata offset o, canonical or revert with e
            function readq(o, e) -> r {
                let w := shr(128, calldataload(o))
                let a0 := shr(96, w)
                let a1 := and(shr(64, w), 0xffffffff)
                let a2 := and(shr(32, w), 0xffffffff)
                let a3 := and(w, 0xffffffff)
                if or(or(gt(a0, 0x7ffffffe), gt(a1, 0x7ffffffe)), or(gt(a2, 0x7ffffffe), gt(a3, 0x7ffffffe))) {
                    mstore(0, e)
                    revert(0, 4)
                }
                r := or(or(shl(192, a0), shl(128, a1)), or(shl(64, a2), a3))
            }
            // writes the cosets' values from out on; returns the witness values used
            function fill(q, e, f, st0, out, w, er) -> u {
                let qi := 0
                for { let sidx := 0 } lt(sidx, mload(st0)) { sidx := add(sidx, 1) } {
                    let st := shl(f, shr(f, mload(add(q, shl(5, add(qi, 1))))))
                    mstore(add(st0, shl(5, add(sidx, 1))), st)
                    for { let j := 0 } lt(j, shl(f, 1)) { j := add(j, 1) } {
                        switch and(lt(qi, mload(q)), eq(mload(add(q, shl(5, add(qi, 1)))), add(st, j)))
                        case 1 {
                            mstore(out, mload(add(e, shl(5, add(qi, 1)))))
                            qi := add(qi, 1)
                        }
                        default {
                            if eq(u, and(w, 0xffffffff)) {
                                mstore(0, shl(224, shr(224, er)))
                                mstore(4, and(er, 0xffffffff))
                                revert(0, 0x24)
                            }
                            mstore(out, readq(add(shr(32, w), shl(4, u)), shl(224, and(shr(192, er), 0xffffffff))))
                            u := add(u, 1)
                        }
                        out := add(out, 32)
                    }
                }
            }
            vals := mload(0x40)
            mstore(0x40, add(vals, shl(add(fs, 5), mload(starts))))
            used := fill(qs, ev, fs, starts, vals, wc, errs)
        }
        if (used != (wc & 0xffffffff)) revert FriMismatch(layer);
    }

    /// Leaves of 4 packed values when fs > 1 (and the domain has >= 4 points), else of 1.
    function _layerMerkle(
        Ctx memory c,
        uint256[] memory starts,
        uint256 vals,
        uint256 fs,
        uint256 domainLog,
        uint256 layer
    ) internal pure {
        uint256 leafLog = (domainLog >= 2 && fs > 1) ? 2 : 0;
        (uint256[] memory pos, bytes32[] memory leaves) = _layerLeaves(starts, vals, fs, leafLog);
        bytes32 root = _readB32(c.innerAt + 32 * layer - 32);
        _merkle(c, pos, leaves, domainLog - leafLog, root, 10 + layer);
    }

    /// Each coset's leaves (2^leafLog values each, canonical lanes, 16 bytes
    /// a value) hashed, with their positions.
    function _layerLeaves(uint256[] memory starts, uint256 vals, uint256 fs, uint256 leafLog)
        internal
        pure
        returns (uint256[] memory pos, bytes32[] memory leaves)
    {
        uint256 perSub = (1 << fs) >> leafLog;
        uint256 n = starts.length * perSub;
        pos = new uint256[](n);
        leaves = new bytes32[](n);
        assembly {
            let width := shl(leafLog, 1)
            let m := mload(0x40)
            let v := vals
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                for { let o := 0 } lt(o, width) { o := add(o, 1) } {
                    let q := mload(v)
                    v := add(v, 32)
                    // canonical coordinates (lanes equal to P are 0)
                    q := sub(q, mul(and(shr(31, add(q, 0x0000000000000001000000000000000100000000000000010000000000000001)), 0x0000000000000001000000000000000100000000000000010000000000000001), 0x7fffffff))
                    let w := or(or(shl(96, shr(192, q)), shl(64, and(shr(128, q), 0xffffffffffffffff))), or(shl(32, and(shr(64, q), 0xffffffffffffffff)), and(q, 0xffffffffffffffff)))
                    mstore(add(m, shl(4, o)), shl(128, w))
                }
                let sidx := div(i, perSub)
                let l := mod(i, perSub)
                mstore(add(pos, shl(5, add(i, 1))), add(shr(leafLog, mload(add(starts, shl(5, add(sidx, 1))))), l))
                mstore(add(leaves, shl(5, add(i, 1))), keccak256(m, shl(4, width)))
            }
        }
    }

    /// The twiddles of one coset of the circle fold (stwo's
    /// fold_circle_into_line over the half coset init + <step>, step =
    /// 2^(31 - (fs - 1)), then fold_coset over Coset(init, fs - 1)), not
    /// inverted, at dst: the 2^(fs - 1) y-coordinates of init + k step, then
    /// the line fold's (_lineTwiddles). 2^fs - 1 values.
    function _circleTwiddles(uint256 tbl, uint256 dst, uint256 init, uint256 fs) internal pure {
        uint256 n = 1 << (fs - 1);
        (uint256 x, uint256 y) = _point(tbl, init);
        uint256 st = _gen(31 - (fs - 1));
        assembly {
            let p := 0x7fffffff
            let sx := shr(32, st)
            let sy := and(st, 0xffffffff)
            for { let k := 0 } lt(k, n) { k := add(k, 1) } {
                mstore(add(dst, shl(5, k)), y)
                let nx := mod(add(mul(x, sx), sub(mul(p, p), mul(y, sy))), p)
                y := mod(add(mul(x, sy), mul(y, sx)), p)
                x := nx
            }
        }
        if (fs > 1) _lineTwiddles(tbl, dst + 32 * n, init, 32 - fs, fs - 1);
    }

    /// The twiddles of stwo core/fri.rs fold_coset over
    /// LineDomain(Coset(initIdx, step 2^stepLog, 2^logN)), not inverted, at
    /// dst, level by level: level i holds half >> i values, the x-coordinates
    /// of 2^i (init + k step), i.e. double_x applied i times to level 0's.
    /// 2^logN - 1 values.
    function _lineTwiddles(uint256 tbl, uint256 dst, uint256 initIdx, uint256 stepLog, uint256 logN) internal pure {
        uint256 half = 1 << (logN - 1);
        (uint256 x, uint256 y) = _point(tbl, initIdx);
        uint256 st = _gen(stepLog);
        assembly {
            let p := 0x7fffffff
            let sx := shr(32, st)
            let sy := and(st, 0xffffffff)
            for { let k := 0 } lt(k, half) { k := add(k, 1) } {
                mstore(add(dst, shl(5, k)), x)
                let nx := mod(add(mul(x, sx), sub(mul(p, p), mul(y, sy))), p)
                y := mod(add(mul(x, sy), mul(y, sx)), p)
                x := nx
            }
            let from := dst
            let to := add(dst, shl(5, half))
            for { let len := shr(1, half) } len { len := shr(1, len) } {
                for { let k := 0 } lt(k, len) { k := add(k, 1) } {
                    let v := mload(add(from, shl(5, k)))
                    mstore(add(to, shl(5, k)), addmod(mulmod(2, mulmod(v, v, p), p), sub(p, 1), p))
                }
                from := to
                to := add(to, shl(5, len))
            }
        }
    }

    /// Folds the 2^logN values at memory ep in place, level by level, with
    /// the inverted twiddles at itw (level i: 2^(logN - 1 - i) of them) and
    /// alpha^(2^i) (alphas: the layer's _squares); returns the value left.
    function _foldAll(uint256 ep, uint256 itw, uint256 logN, uint256[] memory alphas) internal pure returns (uint256) {
        for (uint256 i = 0; i < logN; i++) {
            _foldLevel(ep, logN - i, itw, alphas[i]);
            itw += 32 << (logN - 1 - i);
        }
        return _mload(ep);
    }

    /// alpha, alpha^2, alpha^4, ...: n values.
    function _squares(uint256 alpha, uint256 n) internal pure returns (uint256[] memory sq) {
        sq = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            sq[i] = alpha;
            alpha = _qmul(alpha, alpha);
        }
    }

    /// len bytes of memory, taken from the free memory pointer.
    function _alloc(uint256 len) internal pure returns (uint256 ptr) {
        assembly {
            ptr := mload(0x40)
            mstore(0x40, add(ptr, len))
        }
    }

    function _mload(uint256 ptr) internal pure returns (uint256 v) {
        assembly {
            v := mload(ptr)
        }
    }

    /// Inverts the n (nonzero) M31 words at memory ptr in place with one
    /// inversion (the prefix products go in free memory, left free).
    function _invertAt(uint256 ptr, uint256 n) internal pure {
        uint256 pre;
        uint256 acc = 1;
        assembly {
            let p := 0x7fffffff
            pre := mload(0x40)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(pre, shl(5, i)), acc)
                acc := mulmod(acc, mload(add(ptr, shl(5, i))), p)
            }
        }
        uint256 inv = _minv(acc);
        assembly {
            let p := 0x7fffffff
            for { let i := n } i { i := sub(i, 1) } {
                let at_ := add(ptr, shl(5, sub(i, 1)))
                let t := mload(at_)
                mstore(at_, mulmod(inv, mload(add(pre, shl(5, sub(i, 1)))), p))
                inv := mulmod(inv, t, p)
            }
        }
    }

    /// One fold of the 2^lg QM31 values at memory ep into the first half of
    /// them: value m = (f0 + f1) + alpha (f0 - f1) itw, (f0, f1) = values
    /// (2m, 2m + 1), itw = the inverted twiddle bitrev(2m, lg) of the 2^(lg - 1)
    /// at memory tw (the inverse butterfly and fold of stwo's fold_line and
    /// fold_circle_into_line).
    function _foldLevel(uint256 ep, uint256 lg, uint256 tw, uint256 alpha) internal pure {
        assembly {
            function qadd(x, y) -> r {
                r := add(x, y)
                r := add(
                    and(r, 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff),
                    and(shr(31, r), 0x0000000000000001000000000000000100000000000000010000000000000001)
                )
                r := add(
                    and(r, 0x000000007fffffff000000007fffffff000000007fffffff000000007fffffff),
                    and(shr(31, r), 0x0000000000000001000000000000000100000000000000010000000000000001)
                )
            }
            function qmul(a, b) -> r {
                // lanes 64 bits apart, so one MUL by an M31 lane multiplies
                // all four lanes of a word: with b i = (-b1, b0, -b3, b2) and
                // the CM31 halves swapped (s: rotate by 128 bits),
                // x = a0 b + a1 (b i) = (ac, ad) and y = a2 s(b) + a3 s(b i) =
                // (bd, bc), lanes < 2^63; then ac + (2 + i) bd and ad + bc.
                let m := 0xffffffffffffffff
                let sw := or(
                    and(shl(64, b), 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000),
                    and(shr(64, b), 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
                )
                let bi := sub(
                    add(sw, 0x000000007fffffff0000000000000000000000007fffffff0000000000000000),
                    shl(1, and(sw, 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000))
                )
                let x := add(mul(shr(192, a), b), mul(and(shr(128, a), m), bi))
                let y := add(
                    mul(and(shr(64, a), m), or(shl(128, b), shr(128, b))),
                    mul(and(a, m), or(shl(128, bi), shr(128, bi)))
                )
                let p := 0x7fffffff
                r := or(
                    or(
                        shl(192, mod(add(add(shr(192, x), shl(1, shr(192, y))), sub(0x7fffffff00000000, and(shr(128, y), m))), p)),
                        shl(128, mod(add(add(and(shr(128, x), m), shr(192, y)), shl(1, and(shr(128, y), m))), p))
                    ),
                    or(shl(64, mod(add(and(shr(64, x), m), and(shr(64, y), m)), p)), mod(add(and(x, m), and(y, m)), p))
                )
            }
            // lanes of f0 - f1 (lanes in [0, P]) times itw, each mod P
            function dmul(f0, f1, itw) -> d {
                let p := 0x7fffffff
                let m := 0xffffffffffffffff
                d := or(
                    or(
                        shl(192, mulmod(add(shr(192, f0), sub(p, shr(192, f1))), itw, p)),
                        shl(128, mulmod(add(and(shr(128, f0), m), sub(p, and(shr(128, f1), m))), itw, p))
                    ),
                    or(
                        shl(64, mulmod(add(and(shr(64, f0), m), sub(p, and(shr(64, f1), m))), itw, p)),
                        mulmod(add(and(f0, m), sub(p, and(f1, m))), itw, p)
                    )
                )
            }
            let half := shl(sub(lg, 1), 1)
            for { let m := 0 } lt(m, half) { m := add(m, 1) } {
                let f0 := mload(add(ep, shl(6, m)))
                let f1 := mload(add(ep, add(shl(6, m), 32)))
                // bitrev(2m, lg) = bitrev(m, lg - 1): a nibble's reversal, shifted
                let itw := mload(add(tw, shl(5, shr(sub(5, lg), byte(m, 0x0008040c020a060e0109050d030b070f00000000000000000000000000000000)))))
                mstore(add(ep, shl(5, m)), qadd(qadd(f0, f1), qmul(alpha, dmul(f0, f1, itw))))
            }
        }
    }

    /// One FRI layer: its cosets around the queries, checked against the
    /// layer's commitment and folded by 2^fs. Layer 0 is the circle layer
    /// (the lifted circle domain); the others are line domains
    /// half_odds(domainLog) doubled as folded, whose coset is
    /// (2^(29 - domainLog), step 2^(31 - domainLog)).
    function _friLayer(Ctx memory c, uint256[] memory qs, uint256[] memory ev, uint256 layer, uint256 domainLog, uint256 fs)
        internal
        pure
        returns (uint256[] memory nq, uint256[] memory nev)
    {
        nq = new uint256[](_nSub(qs, fs));
        nev = new uint256[](nq.length);
        uint256 mark = _mark();
        (uint256[] memory starts, uint256 vals) = _subsets(c, qs, ev, fs, domainLog, layer);
        uint256 tw = _layerTwiddles(c.pts, starts, layer, domainLog, fs);
        uint256[] memory alphas = _squares(c.friAlphas[layer], fs);
        uint256 per = 32 * ((1 << fs) - 1);
        for (uint256 sidx = 0; sidx < starts.length; sidx++) {
            nq[sidx] = starts[sidx] >> fs;
            // layer 0: the circle fold (with alpha), then the line folds (alpha^2, ...)
            nev[sidx] = _foldAll(vals + (sidx << (fs + 5)), tw + per * sidx, fs, alphas);
        }
        _release(mark);
    }

    /// Every coset's twiddles of a layer (2^fs - 1 each: _circleTwiddles for
    /// layer 0, _lineTwiddles after), inverted together with one inversion.
    function _layerTwiddles(uint256 tbl, uint256[] memory starts, uint256 layer, uint256 domainLog, uint256 fs)
        internal
        pure
        returns (uint256 tw)
    {
        uint256 per = 32 * ((1 << fs) - 1);
        tw = _alloc(per * starts.length);
        for (uint256 sidx = 0; sidx < starts.length; sidx++) {
            if (layer == 0) {
                uint256 init = _circleDomainIndex(_bitrev(starts[sidx], domainLog), domainLog);
                _circleTwiddles(tbl, tw + per * sidx, init, fs);
            } else {
                _lineTwiddles(tbl, tw + per * sidx, _lineIndex(starts[sidx], domainLog), 31 - fs, fs);
            }
        }
        _invertAt(tw, per / 32 * starts.length);
    }

    /// Index of element bitrev(i) of the line domain half_odds(domainLog).
    function _lineIndex(uint256 i, uint256 domainLog) internal pure returns (uint256) {
        return ((1 << (29 - domainLog)) + _bitrev(i, domainLog) * (1 << (31 - domainLog))) & ((1 << 31) - 1);
    }
}
