//! Generates `contracts/MsglAir.sol` from the Rust AIR (issue 18, item 2).
//!
//! [`SymEval`] runs [`ChainEval::evaluate`] symbolically: every value is a
//! node of an expression DAG (mask values, the verifier's parameters,
//! constants, `+ − ×`). The DAG of the constraints, in the order the AIR adds
//! them, becomes a straight-line program for a small register machine that
//! `MsglVerifier.sol` interprets over QM31:
//!
//! | op | bytes | effect (`r[next++] = …`) |
//! |---|---|---|
//! | 1 ADD a b | 5 | `r[a] + r[b]` |
//! | 2 SUB a b | 5 | `r[a] − r[b]` |
//! | 3 MUL a b | 5 | `r[a] · r[b]` |
//! | 4 ADDC a c | 7 | `r[a] + c` (c in M31) |
//! | 5 MULC a c | 7 | `r[a] · c` (c in M31) |
//! | 6 NEG a | 3 | `−r[a]` |
//! | 7 CONST c0 c1 c2 c3 | 17 | the QM31 `(c0, c1, c2, c3)` |
//! | 8 CONSTRAINT a | 3 | `acc = acc · α + r[a]` (no register) |
//!
//! Registers: the sampled values in the proof's order (`N_SAMPLED`), the
//! parameters `[start z, start α, end z, end α, claimed_sum / 2^log_rows]`,
//! the powers `α^0..` of the Start (9) and End (10) relations, then one per
//! op. The LogUp constraints are the framework's `finalize_logup_in_pairs`,
//! restated here because its evaluators are private to the framework;
//! [`tests`] check the program against the framework's own `PointEvaluator`.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub};

use num_traits::{One, Zero};
use stwo::core::circle::CirclePointIndex;
use stwo::core::fields::m31::{BaseField, M31, P};
use stwo::core::fields::qm31::{SecureField, SECURE_EXTENSION_DEGREE};
use stwo::core::fields::FieldExpOps;
use stwo::core::Fraction;
use stwo_constraint_framework::logup::LookupElements;
use stwo_constraint_framework::{EvalAtRow, FrameworkEval, INTERACTION_TRACE_IDX};

use super::chain_eval::{AirVariant, ChainEnd, ChainEval, ChainStart};
use super::{
    Layout, CHAIN_FOLD_STEP, CHAIN_LOG_BLOWUP, CHAIN_LOG_LAST_LAYER, CHAIN_MIN_LOG_ROWS,
    CHAIN_N_QUERIES, CHAIN_POW_BITS,
};

/// A node of the expression DAG.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Sample `sample` of column `col` of tree `tree`.
    Mask {
        tree: usize,
        col: usize,
        sample: usize,
    },
    /// Verifier parameter (see the module docs): 0 start z, 2 end z, 4 the
    /// cumulative-sum shift, 100 + k start α^k, 200 + k end α^k.
    Param(u16),
    Const(SecureField),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Neg(u32),
}

thread_local! {
    static ARENA: RefCell<Vec<Node>> = const { RefCell::new(Vec::new()) };
}

/// A handle to a DAG node (the `F` and `EF` of [`SymEval`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sym(u32);

fn push(n: Node) -> Sym {
    ARENA.with(|a| {
        let mut a = a.borrow_mut();
        a.push(n);
        Sym(a.len() as u32 - 1)
    })
}

fn node(s: Sym) -> Node {
    ARENA.with(|a| a.borrow()[s.0 as usize].clone())
}

fn constant(s: Sym) -> Option<SecureField> {
    match node(s) {
        Node::Const(c) => Some(c),
        _ => None,
    }
}

/// Marker lane of the relation elements handed to the AIR by the generator.
const MARK: u32 = 0x7ffe_d00d;

fn marker(kind: u32, k: u32) -> SecureField {
    SecureField::from_u32_unchecked(MARK, kind, k, 0)
}

impl From<SecureField> for Sym {
    fn from(c: SecureField) -> Sym {
        let [a, b, k, d] = c.to_m31_array().map(|m| m.0);
        if a == MARK && d == 0 {
            let id = match b {
                1 => Some(0),
                2 => Some(100 + k as u16),
                3 => Some(2),
                4 => Some(200 + k as u16),
                _ => None,
            };
            if let Some(id) = id {
                return push(Node::Param(id));
            }
        }
        push(Node::Const(c))
    }
}

impl From<BaseField> for Sym {
    fn from(c: BaseField) -> Sym {
        push(Node::Const(c.into()))
    }
}

impl Add for Sym {
    type Output = Sym;
    fn add(self, rhs: Sym) -> Sym {
        match (constant(self), constant(rhs)) {
            (Some(a), Some(b)) => Sym::from(a + b),
            (Some(a), _) if a.is_zero() => rhs,
            (_, Some(b)) if b.is_zero() => self,
            _ => push(Node::Add(self.0, rhs.0)),
        }
    }
}

impl Sub for Sym {
    type Output = Sym;
    fn sub(self, rhs: Sym) -> Sym {
        match (constant(self), constant(rhs)) {
            (Some(a), Some(b)) => Sym::from(a - b),
            (_, Some(b)) if b.is_zero() => self,
            _ => push(Node::Sub(self.0, rhs.0)),
        }
    }
}

impl Mul for Sym {
    type Output = Sym;
    fn mul(self, rhs: Sym) -> Sym {
        match (constant(self), constant(rhs)) {
            (Some(a), Some(b)) => Sym::from(a * b),
            (Some(a), _) if a.is_one() => rhs,
            (_, Some(b)) if b.is_one() => self,
            (Some(a), _) if a.is_zero() => self,
            (_, Some(b)) if b.is_zero() => rhs,
            _ => push(Node::Mul(self.0, rhs.0)),
        }
    }
}

impl Neg for Sym {
    type Output = Sym;
    fn neg(self) -> Sym {
        match constant(self) {
            Some(a) => Sym::from(-a),
            None => push(Node::Neg(self.0)),
        }
    }
}

impl AddAssign for Sym {
    fn add_assign(&mut self, rhs: Sym) {
        *self = *self + rhs;
    }
}

impl MulAssign for Sym {
    fn mul_assign(&mut self, rhs: Sym) {
        *self = *self * rhs;
    }
}

impl AddAssign<BaseField> for Sym {
    fn add_assign(&mut self, rhs: BaseField) {
        *self = *self + Sym::from(rhs);
    }
}

macro_rules! mixed_ops {
    ($t:ty) => {
        impl Add<$t> for Sym {
            type Output = Sym;
            fn add(self, rhs: $t) -> Sym {
                self + Sym::from(rhs)
            }
        }
        impl Sub<$t> for Sym {
            type Output = Sym;
            fn sub(self, rhs: $t) -> Sym {
                self - Sym::from(rhs)
            }
        }
        impl Mul<$t> for Sym {
            type Output = Sym;
            fn mul(self, rhs: $t) -> Sym {
                self * Sym::from(rhs)
            }
        }
    };
}
mixed_ops!(BaseField);
mixed_ops!(SecureField);

impl Zero for Sym {
    fn zero() -> Sym {
        Sym::from(SecureField::zero())
    }
    fn is_zero(&self) -> bool {
        constant(*self).is_some_and(|c| c.is_zero())
    }
}

impl One for Sym {
    fn one() -> Sym {
        Sym::from(SecureField::one())
    }
}

impl FieldExpOps for Sym {
    fn inverse(&self) -> Sym {
        // The AIR divides nowhere; a division would need an op the
        // on-chain interpreter does not have, so the generator refuses it.
        panic!("the Solidity generator has no inverse: the AIR must not divide")
    }
}

/// The symbolic evaluator: records mask reads, constraints and LogUp fractions.
#[derive(Default)]
pub struct SymEval {
    /// Per tree, per column: the mask offsets read.
    pub columns: [Vec<Vec<isize>>; 3],
    pub constraints: Vec<Sym>,
    fracs: Vec<Fraction<Sym, Sym>>,
}

impl EvalAtRow for SymEval {
    type F = Sym;
    type EF = Sym;

    fn next_interaction_mask<const N: usize>(
        &mut self,
        interaction: usize,
        offsets: [isize; N],
    ) -> [Sym; N] {
        let col = self.columns[interaction].len();
        self.columns[interaction].push(offsets.to_vec());
        std::array::from_fn(|sample| {
            push(Node::Mask {
                tree: interaction,
                col,
                sample,
            })
        })
    }

    fn add_constraint<G>(&mut self, constraint: G)
    where
        Sym: Mul<G, Output = Sym> + From<G>,
    {
        self.constraints.push(Sym::from(constraint));
    }

    fn combine_ef(values: [Sym; SECURE_EXTENSION_DEGREE]) -> Sym {
        values[0]
            + values[1] * SecureField::from_u32_unchecked(0, 1, 0, 0)
            + values[2] * SecureField::from_u32_unchecked(0, 0, 1, 0)
            + values[3] * SecureField::from_u32_unchecked(0, 0, 0, 1)
    }

    fn write_logup_frac(&mut self, fraction: Fraction<Sym, Sym>) {
        self.fracs.push(fraction);
    }

    fn finalize_logup_in_pairs(&mut self) {
        let fracs = std::mem::take(&mut self.fracs);
        let batches: Vec<Vec<Fraction<Sym, Sym>>> = fracs.chunks(2).map(|c| c.to_vec()).collect();
        let sum = |b: &Vec<Fraction<Sym, Sym>>| {
            let mut it = b.iter().copied();
            let first = it.next().expect("non-empty batch");
            it.fold(first, |a, f| {
                Fraction::new(
                    f.denominator * a.numerator + a.denominator * f.numerator,
                    a.denominator * f.denominator,
                )
            })
        };
        let mut prev_col = Sym::zero();
        let n = batches.len();
        for b in &batches[..n - 1] {
            let frac = sum(b);
            let [cur] = self.next_extension_interaction_mask(INTERACTION_TRACE_IDX, [0]);
            let diff = cur - prev_col;
            prev_col = cur;
            self.add_constraint(diff * frac.denominator - frac.numerator);
        }
        let frac = sum(&batches[n - 1]);
        let [prev_row, cur] = self.next_extension_interaction_mask(INTERACTION_TRACE_IDX, [-1, 0]);
        let diff = cur - prev_row - prev_col;
        let shifted = diff + push(Node::Param(4));
        self.add_constraint(shifted * frac.denominator - frac.numerator);
    }
}

/// The chain AIR with marker relation elements (see [`Node::Param`]).
pub fn symbolic_chain_eval(layout: Layout, variant: AirVariant) -> ChainEval {
    let elements = |kind_z: u32, kind_a: u32| {
        let z = marker(kind_z, 0);
        let alpha_powers: [SecureField; 10] = std::array::from_fn(|k| marker(kind_a, k as u32));
        (z, alpha_powers)
    };
    let (z, a) = elements(1, 2);
    let start = ChainStart::from_elements(LookupElements {
        z,
        alpha: a[1],
        alpha_powers: std::array::from_fn(|k| a[k]),
    });
    let (z, a) = elements(3, 4);
    let end = ChainEnd::from_elements(LookupElements {
        z,
        alpha: a[1],
        alpha_powers: a,
    });
    ChainEval {
        layout,
        start,
        end,
        claimed_sum: SecureField::zero(),
        variant,
    }
}

/// Start and End relation sizes (α powers the program may read).
pub const START_SIZE: usize = 9;
pub const END_SIZE: usize = 10;
/// Parameters before the α powers.
pub const N_PARAMS: usize = 5;

/// The compiled constraint program and the sample layout it reads.
pub struct Program {
    pub bytes: Vec<u8>,
    pub n_sampled: usize,
    pub n_registers: usize,
    pub n_constraints: usize,
    pub n_trace_cols: usize,
    pub n_interaction_cols: usize,
    /// (columns, kind) runs over trace, interaction and composition columns:
    /// kind 0 samples offset [0], 1 [0, 1], 2 [−1, 0].
    pub runs: Vec<(usize, u8)>,
}

/// Runs the chain AIR (one permutation per row) symbolically and compiles it.
pub fn compile(variant: AirVariant) -> Program {
    ARENA.with(|a| a.borrow_mut().clear());
    let eval = symbolic_chain_eval(
        Layout {
            per_row: 1,
            log_rows: CHAIN_MIN_LOG_ROWS,
        },
        variant,
    );
    let sym = eval.evaluate(SymEval::default());
    let arena = ARENA.with(|a| a.borrow().clone());

    // Sampled-value index of every (tree, col, sample), composition last.
    let mut sample_base: [Vec<usize>; 3] = [vec![], vec![], vec![]];
    let mut n_sampled = 0;
    let mut runs: Vec<(usize, u8)> = vec![];
    for (tree, columns) in sym.columns.iter().enumerate() {
        for offsets in columns {
            sample_base[tree].push(n_sampled);
            n_sampled += offsets.len();
            if tree == 0 {
                panic!("the chain AIR has no preprocessed columns");
            }
            let kind = match offsets.as_slice() {
                [0] => 0u8,
                [0, 1] => 1,
                [-1, 0] => 2,
                other => panic!("mask offsets {other:?} are not supported on chain"),
            };
            match runs.last_mut() {
                Some((n, k)) if *k == kind => *n += 1,
                _ => runs.push((1, kind)),
            }
        }
    }
    n_sampled += 2 * SECURE_EXTENSION_DEGREE;
    match runs.last_mut() {
        Some((n, 0)) => *n += 2 * SECURE_EXTENSION_DEGREE,
        _ => runs.push((2 * SECURE_EXTENSION_DEGREE, 0)),
    }

    // Live nodes.
    let mut live = vec![false; arena.len()];
    for c in &sym.constraints {
        live[c.0 as usize] = true;
    }
    for i in (0..arena.len()).rev() {
        if !live[i] {
            continue;
        }
        match arena[i] {
            Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => {
                live[a as usize] = true;
                live[b as usize] = true;
            }
            Node::Neg(a) => live[a as usize] = true,
            _ => {}
        }
    }

    let first_free = n_sampled + N_PARAMS + START_SIZE + END_SIZE;
    let mut reg: Vec<Option<u16>> = vec![None; arena.len()];
    let mut next = first_free;
    let mut bytes: Vec<u8> = vec![];
    let m31c = |c: &SecureField| -> Option<u32> {
        let [a, b, c2, d] = c.to_m31_array().map(|m| m.0);
        (b == 0 && c2 == 0 && d == 0).then_some(a)
    };
    let emit = |bytes: &mut Vec<u8>, next: &mut usize, op: u8, args: &[u16], c: Option<u32>| {
        bytes.push(op);
        for a in args {
            bytes.extend_from_slice(&a.to_be_bytes());
        }
        if let Some(c) = c {
            bytes.extend_from_slice(&c.to_be_bytes());
        }
        let r = *next as u16;
        *next += 1;
        r
    };
    // A QM31 constant gets a register (CONST) only when an op needs it as one.
    let need =
        |i: usize, bytes: &mut Vec<u8>, next: &mut usize, reg: &mut Vec<Option<u16>>| -> u16 {
            if let Some(r) = reg[i] {
                return r;
            }
            let Node::Const(c) = &arena[i] else {
                panic!("operand {i} has no register")
            };
            bytes.push(7);
            for v in c.to_m31_array() {
                bytes.extend_from_slice(&v.0.to_be_bytes());
            }
            let r = *next as u16;
            *next += 1;
            reg[i] = Some(r);
            r
        };
    for i in 0..arena.len() {
        if !live[i] {
            continue;
        }
        let r = match &arena[i] {
            Node::Mask { tree, col, sample } => (sample_base[*tree][*col] + sample) as u16,
            Node::Param(id) => {
                let at = match id {
                    0 | 2 | 4 => *id as usize,
                    k @ 100..=199 => N_PARAMS + (*k as usize - 100),
                    k => N_PARAMS + START_SIZE + (*k as usize - 200),
                };
                (n_sampled + at) as u16
            }
            Node::Const(_) => continue,
            Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => {
                let (a, b) = (*a as usize, *b as usize);
                let kind = match &arena[i] {
                    Node::Add(..) => 0,
                    Node::Sub(..) => 1,
                    _ => 2,
                };
                let ca = match &arena[a] {
                    Node::Const(c) => m31c(c),
                    _ => None,
                };
                let cb = match &arena[b] {
                    Node::Const(c) => m31c(c),
                    _ => None,
                };
                match (kind, ca, cb) {
                    (0, _, Some(c)) => {
                        let ra = need(a, &mut bytes, &mut next, &mut reg);
                        emit(&mut bytes, &mut next, 4, &[ra], Some(c))
                    }
                    (0, Some(c), _) => {
                        let rb = need(b, &mut bytes, &mut next, &mut reg);
                        emit(&mut bytes, &mut next, 4, &[rb], Some(c))
                    }
                    (1, _, Some(c)) => {
                        let ra = need(a, &mut bytes, &mut next, &mut reg);
                        emit(&mut bytes, &mut next, 4, &[ra], Some((P - c) % P))
                    }
                    (2, _, Some(c)) => {
                        let ra = need(a, &mut bytes, &mut next, &mut reg);
                        emit(&mut bytes, &mut next, 5, &[ra], Some(c))
                    }
                    (2, Some(c), _) => {
                        let rb = need(b, &mut bytes, &mut next, &mut reg);
                        emit(&mut bytes, &mut next, 5, &[rb], Some(c))
                    }
                    _ => {
                        let op = [1u8, 2, 3][kind];
                        let ra = need(a, &mut bytes, &mut next, &mut reg);
                        let rb = need(b, &mut bytes, &mut next, &mut reg);
                        emit(&mut bytes, &mut next, op, &[ra, rb], None)
                    }
                }
            }
            Node::Neg(a) => {
                let ra = need(*a as usize, &mut bytes, &mut next, &mut reg);
                emit(&mut bytes, &mut next, 6, &[ra], None)
            }
        };
        reg[i] = Some(r);
    }
    for c in &sym.constraints {
        let r = need(c.0 as usize, &mut bytes, &mut next, &mut reg);
        bytes.push(8);
        bytes.extend_from_slice(&r.to_be_bytes());
    }
    assert!(next <= u16::MAX as usize, "too many registers");
    Program {
        bytes,
        n_sampled,
        n_registers: next,
        n_constraints: sym.constraints.len(),
        n_trace_cols: sym.columns[1].len(),
        n_interaction_cols: sym.columns[2].len(),
        runs,
    }
}

/// Runs `prog` over `regs` (sampled values and parameters filled in, the
/// rest zero) as MsglVerifier.sol does; returns the accumulated constraints.
pub fn run(
    prog: &[u8],
    regs: &mut Vec<SecureField>,
    first_free: usize,
    alpha: SecureField,
) -> SecureField {
    let mut acc = SecureField::zero();
    let mut next = first_free;
    let mut pc = 0;
    let u16at = |pc: usize| u16::from_be_bytes([prog[pc], prog[pc + 1]]) as usize;
    let u32at = |pc: usize| u32::from_be_bytes(prog[pc..pc + 4].try_into().unwrap());
    while pc < prog.len() {
        let op = prog[pc];
        let v = match op {
            8 => {
                acc = acc * alpha + regs[u16at(pc + 1)];
                pc += 3;
                continue;
            }
            1..=3 => {
                let (a, b) = (regs[u16at(pc + 1)], regs[u16at(pc + 3)]);
                pc += 5;
                match op {
                    1 => a + b,
                    2 => a - b,
                    _ => a * b,
                }
            }
            4 | 5 => {
                let a = regs[u16at(pc + 1)];
                let c = M31::from_u32_unchecked(u32at(pc + 3));
                pc += 7;
                if op == 4 {
                    a + c
                } else {
                    a * c
                }
            }
            6 => {
                let a = regs[u16at(pc + 1)];
                pc += 3;
                -a
            }
            7 => {
                let c = SecureField::from_u32_unchecked(
                    u32at(pc + 1),
                    u32at(pc + 5),
                    u32at(pc + 9),
                    u32at(pc + 13),
                );
                pc += 17;
                c
            }
            _ => panic!("bad op {op}"),
        };
        if regs.len() <= next {
            regs.resize(next + 1, SecureField::zero());
        }
        regs[next] = v;
        next += 1;
    }
    acc
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text of `contracts/MsglAir.sol`.
pub fn msgl_air_sol() -> String {
    let prog = compile(AirVariant::Full);
    let mut gens = String::new();
    for w in 0..8 {
        let mut word = String::new();
        for k in 4 * w..4 * w + 4 {
            let (x, y) = if k < 31 {
                let p = CirclePointIndex(1 << k).to_point();
                (p.x.0, p.y.0)
            } else {
                (0, 0)
            };
            let _ = write!(word, "{x:08x}{y:08x}");
        }
        let _ = writeln!(gens, "    uint256 internal constant GEN{w} = 0x{word};");
    }
    let mut runs = vec![];
    for (n, kind) in &prog.runs {
        runs.extend_from_slice(&(*n as u16).to_be_bytes());
        runs.push(*kind);
    }
    let mut s = String::new();
    let _ = write!(
        s,
        "// SPDX-License-Identifier: MIT OR Apache-2.0
// GENERATED by `cargo run -p msgl-circuits --example gen_verifier` from the
// Rust AIR (circuits/src/air/chain_eval.rs) and the on-chain proof system
// (circuits/src/air/mod.rs). Do not edit: circuits/tests/generated_solidity.rs
// fails when this file and the AIR disagree.
pragma solidity ^0.8.24;

/// @title The chain AIR and proof parameters for MsglVerifier.
/// @notice The program (MsglAirProgram) is the constraint evaluation at the out-of-domain point
///         ({n_constraints} constraints, one permutation per row); see
///         circuits/src/air/solidity.rs for its instruction set.
library MsglAir {{
    uint256 internal constant POW_BITS = {pow};
    uint256 internal constant LOG_BLOWUP = {blowup};
    uint256 internal constant N_QUERIES = {queries};
    uint256 internal constant FOLD_STEP = {fold};
    uint256 internal constant LOG_LAST_LAYER = {last};
    uint256 internal constant MIN_LOG_ROWS = {min_rows};
    uint256 internal constant N_TRACE_COLS = {trace};
    uint256 internal constant N_INTERACTION_COLS = {inter};
    uint256 internal constant N_SAMPLED = {sampled};
    uint256 internal constant N_PARAMS = {params};
    uint256 internal constant START_SIZE = {start};
    uint256 internal constant END_SIZE = {end};
    uint256 internal constant N_REGISTERS = {regs};
    uint256 internal constant N_CONSTRAINTS = {n_constraints};
    /// (columns u16, kind u8) runs: kind 0 samples [0], 1 [0, 1], 2 [-1, 0].
    bytes internal constant SAMPLE_RUNS = hex\"{runs}\";
    /// G^(2^k) for k = 0..30, G the M31 circle generator: entry k is the
    /// 64 bits (x << 32 | y) at bit 192 - 64 (k % 4) of GEN(k / 4).
{gens}    /// Bytes of PROGRAM (the runtime code of MsglAirProgram after its 0x00).
    uint256 internal constant PROGRAM_LENGTH = {program_len};
}}

/// @title The constraint program as code (0x00, then PROGRAM: never executable),
///        read by MsglVerifier with EXTCODECOPY; keeps the verifier under the
///        24,576-byte code limit.
contract MsglAirProgram {{
    constructor() {{
        bytes memory code = hex\"00{program}\";
        assembly {{
            return(add(code, 32), mload(code))
        }}
    }}
}}
",
        n_constraints = prog.n_constraints,
        pow = CHAIN_POW_BITS,
        blowup = CHAIN_LOG_BLOWUP,
        queries = CHAIN_N_QUERIES,
        fold = CHAIN_FOLD_STEP,
        last = CHAIN_LOG_LAST_LAYER,
        min_rows = CHAIN_MIN_LOG_ROWS,
        trace = prog.n_trace_cols,
        inter = prog.n_interaction_cols,
        sampled = prog.n_sampled,
        params = N_PARAMS,
        start = START_SIZE,
        end = END_SIZE,
        regs = prog.n_registers,
        runs = hex(&runs),
        gens = gens,
        program = hex(&prog.bytes),
        program_len = prog.bytes.len(),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use stwo::core::air::accumulation::PointEvaluationAccumulator;
    use stwo::core::pcs::TreeVec;
    use stwo_constraint_framework::PointEvaluator;

    fn rnd(seed: &mut u64) -> SecureField {
        let mut next = || {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed % P as u64) as u32
        };
        SecureField::from_u32_unchecked(next(), next(), next(), next())
    }

    /// The program computes what the framework's PointEvaluator computes.
    #[test]
    fn program_matches_the_point_evaluator() {
        for variant in [AirVariant::Full, AirVariant::NoSeg] {
            let prog = compile(variant);
            let mut seed = 0x1234_5678_9abc_def1u64;
            let layout = Layout {
                per_row: 1,
                log_rows: CHAIN_MIN_LOG_ROWS,
            };
            let sym = symbolic_chain_eval(layout, variant).evaluate(SymEval::default());
            // Random mask values.
            let masks: Vec<Vec<Vec<SecureField>>> = (0..3)
                .map(|t| {
                    sym.columns[t]
                        .iter()
                        .map(|o| o.iter().map(|_| rnd(&mut seed)).collect())
                        .collect()
                })
                .collect();
            let (zs, za, ze, zea, claimed, alpha) = (
                rnd(&mut seed),
                rnd(&mut seed),
                rnd(&mut seed),
                rnd(&mut seed),
                rnd(&mut seed),
                rnd(&mut seed),
            );
            let pw = |a: SecureField, n: usize| -> Vec<SecureField> {
                (0..n)
                    .scan(SecureField::one(), |c, _| {
                        let r = *c;
                        *c *= a;
                        Some(r)
                    })
                    .collect()
            };
            let eval = ChainEval {
                layout,
                start: ChainStart::from_elements(LookupElements {
                    z: zs,
                    alpha: za,
                    alpha_powers: pw(za, 9).try_into().unwrap(),
                }),
                end: ChainEnd::from_elements(LookupElements {
                    z: ze,
                    alpha: zea,
                    alpha_powers: pw(zea, 10).try_into().unwrap(),
                }),
                claimed_sum: claimed,
                variant,
            };
            let mask_refs = TreeVec::new(masks.iter().map(|t| t.iter().collect()).collect());
            let mut acc = PointEvaluationAccumulator::new(alpha);
            eval.evaluate(PointEvaluator::new(
                mask_refs,
                &mut acc,
                SecureField::one(),
                layout.log_rows,
                claimed,
            ));
            let want = acc.finalize();

            let mut regs: Vec<SecureField> = masks.iter().flatten().flatten().copied().collect();
            regs.resize(prog.n_sampled, SecureField::zero());
            let shift = claimed * M31::from(1u32 << layout.log_rows).inverse();
            regs.extend([zs, za, ze, zea, shift]);
            regs.extend(pw(za, START_SIZE));
            regs.extend(pw(zea, END_SIZE));
            let first_free = regs.len();
            let got = run(&prog.bytes, &mut regs, first_free, alpha);
            assert_eq!(got, want, "{variant:?}");
            assert_eq!(regs.len(), prog.n_registers);
        }
    }
}
