//! The settlement contract under random sequences of deposits, opens,
//! acks, settlements (the payee's, and the payer's own front-running ones),
//! top-ups, exit requests, cancellations, releases, withdrawals and claims
//! by several payers and payees, with time jumps. After every step:
//!
//! - solvency: the contract's token balance is the sum of the free
//!   deposits, the escrows and the unclaimed payouts;
//! - every channel's books: what its payee was credited is `min(owed,
//!   funded)` (owed: units settled × price; funded: the opening escrow and
//!   every top-up), its escrow is the rest of the funding and its debt the
//!   rest of what is owed;
//!
//! and at every release: the payee (honest: it serves only while the
//! channel is Open, and settles what it was acked before an exit matures)
//! had every unit acked before the exit request settled, and was credited
//! for all of them as far as the funding covers.

use crate::common;

use alloy_primitives::{Address, U256};
use common::*;
use msgl_settlement::evm::Evm;
use msgl_settlement::system::{Status, System};
use proptest::prelude::*;

const LENGTH: u64 = 40;
/// How soon an honest payee settles after an exit request (its polling
/// period): less than the contract's delay, which must leave it that time.
const REACTION: u64 = DELAY / 2;

#[derive(Clone, Debug)]
enum Op {
    Deposit {
        payer: usize,
        units: u64,
    },
    Withdraw {
        payer: usize,
        units: u64,
    },
    Open {
        payer: usize,
        payee: usize,
        escrow: u64,
    },
    Ack {
        channel: usize,
        units: u64,
    },
    Settle {
        payee: usize,
    },
    Race {
        payee: usize,
        units: u64,
    },
    FrontRun {
        channel: usize,
        units: u64,
    },
    TopUp {
        channel: usize,
        units: u64,
    },
    RequestExit {
        channel: usize,
    },
    CancelExit {
        channel: usize,
    },
    Release {
        channel: usize,
    },
    Claim {
        payee: usize,
    },
    Wait {
        seconds: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..3usize, 1..60u64).prop_map(|(payer, units)| Op::Deposit { payer, units }),
        1 => (0..3usize, 1..60u64).prop_map(|(payer, units)| Op::Withdraw { payer, units }),
        3 => (0..3usize, 0..3usize, 0..30u64).prop_map(|(payer, payee, escrow)| Op::Open {
            payer,
            payee,
            escrow
        }),
        4 => (0..8usize, 1..8u64).prop_map(|(channel, units)| Op::Ack { channel, units }),
        2 => (0..3usize).prop_map(|payee| Op::Settle { payee }),
        1 => (0..3usize, 1..5u64).prop_map(|(payee, units)| Op::Race { payee, units }),
        1 => (0..8usize, 1..5u64).prop_map(|(channel, units)| Op::FrontRun { channel, units }),
        2 => (0..8usize, 1..20u64).prop_map(|(channel, units)| Op::TopUp { channel, units }),
        2 => (0..8usize).prop_map(|channel| Op::RequestExit { channel }),
        1 => (0..8usize).prop_map(|channel| Op::CancelExit { channel }),
        2 => (0..8usize).prop_map(|channel| Op::Release { channel }),
        1 => (0..3usize).prop_map(|payee| Op::Claim { payee }),
        2 => (1..(3 * DELAY)).prop_map(|seconds| Op::Wait { seconds }),
    ]
}

/// What the test knows of a channel (the contract's view is read back).
struct Model {
    pw: PayWord,
    payer: Address,
    payee: Address,
    /// Units the payer acked (the payee holds their preimages).
    acked: u64,
    /// Units acked when the exit was requested, and when it was.
    acked_at_exit: Option<u64>,
    exit_requested_at: u64,
    /// Opening escrow and top-ups net of debt payments are in `funded`.
    funded: u128,
    /// Credited to the payee: settlement payments and debt payments.
    credited: u128,
}

struct World {
    chain: Evm,
    system: System,
    payers: [Address; 3],
    payees: [Address; 3],
    channels: Vec<Model>,
    next_tag: u32,
}

impl World {
    fn new() -> Self {
        let (mut chain, system) = setup();
        // Payers have no keys to sign with here: they never accept channels.
        let payers = [
            Address::repeat_byte(0x01),
            Address::repeat_byte(0x02),
            Address::repeat_byte(0x03),
        ];
        for p in payers {
            system.mint(&mut chain, p, u(1_000_000 * PRICE)).unwrap();
            system.approve(&mut chain, p, u(1_000_000 * PRICE)).unwrap();
            system.deposit(&mut chain, p, u(100 * PRICE)).unwrap();
        }
        World {
            chain,
            system,
            payers,
            payees: [bob(), carol(), dave()],
            channels: Vec::new(),
            next_tag: 1,
        }
    }

    fn status(&mut self, i: usize) -> Status {
        let id = self.channels[i].pw.id();
        self.system.status(&mut self.chain, id).unwrap()
    }

    /// The payee settles every channel of its own with acked units beyond
    /// the stored count (one statement).
    fn settle_for(&mut self, payee: Address) {
        if let Some(s) = self.statement_for(payee) {
            let out = prove_and_settle(&mut self.chain, &self.system, payee, &s).unwrap();
            self.credit(&out);
        }
    }

    /// The statement `payee` would prove now: each of its channels from the
    /// stored count to what was acked.
    fn statement_for(&mut self, payee: Address) -> Option<msgl_circuits::statement::Statement> {
        let mut entries = Vec::new();
        for m in &self.channels {
            if m.payee != payee {
                continue;
            }
            let c = self.system.channel(&mut self.chain, m.pw.id()).unwrap();
            if !c.released && m.acked > c.count {
                entries.push(m.pw.entry(c.count, m.acked));
            }
        }
        (!entries.is_empty()).then(|| statement(entries))
    }

    /// Books `Settled` and `DebtPaid` events into the model.
    fn credit(&mut self, out: &msgl_settlement::evm::Outcome) {
        use msgl_settlement::MsglSettlement;
        for e in out.events::<MsglSettlement::Settled>() {
            let m = self.model(e.channel.0);
            m.credited += e.paid.to::<u128>();
        }
        for e in out.events::<MsglSettlement::DebtPaid>() {
            let m = self.model(e.channel.0);
            m.credited += e.amount.to::<u128>();
        }
    }

    fn model(&mut self, id: [u8; 32]) -> &mut Model {
        self.channels
            .iter_mut()
            .find(|m| m.pw.id() == id)
            .expect("a known channel")
    }

    fn apply(&mut self, op: &Op) {
        let n = self.channels.len();
        match *op {
            Op::Deposit { payer, units } => {
                let p = self.payers[payer];
                self.system
                    .deposit(&mut self.chain, p, u(units * PRICE))
                    .unwrap();
            }
            Op::Withdraw { payer, units } => {
                let p = self.payers[payer];
                let free = self.system.deposit_of(&mut self.chain, p).unwrap();
                let r = self.system.withdraw(&mut self.chain, p, u(units * PRICE));
                assert_eq!(r.is_ok(), u(units * PRICE) <= free, "{r:?}");
            }
            Op::Open {
                payer,
                payee,
                escrow,
            } => {
                let (p, q) = (self.payers[payer], self.payees[payee]);
                let free = self.system.deposit_of(&mut self.chain, p).unwrap();
                let pw = PayWord::new(self.next_tag, LENGTH);
                self.next_tag += 1;
                let r = try_open(&mut self.chain, &self.system, p, q, &pw, p_units(escrow));
                assert_eq!(r.is_ok(), u(escrow * PRICE) <= free, "{r:?}");
                if r.is_ok() {
                    self.channels.push(Model {
                        pw,
                        payer: p,
                        payee: q,
                        acked: 0,
                        acked_at_exit: None,
                        exit_requested_at: 0,
                        funded: p_units(escrow),
                        credited: 0,
                    });
                }
            }
            Op::Ack { channel, units } if n > 0 => {
                let i = channel % n;
                // An honest payee serves only while the channel is Open.
                if self.status(i) == Status::Open {
                    let m = &mut self.channels[i];
                    m.acked = (m.acked + units).min(LENGTH);
                }
            }
            Op::Settle { payee } => {
                let q = self.payees[payee];
                self.settle_for(q);
            }
            Op::Race { payee, units } => {
                // The payee's statement is built; the payer of its first
                // entry settles a few units first; the payee's entry for that
                // channel is then stale and skipped, the others settle. While
                // an exit is pending the payer's entry is the one skipped.
                let q = self.payees[payee];
                let Some(s) = self.statement_for(q) else {
                    return;
                };
                let first = s.entries[0];
                let i = self
                    .channels
                    .iter()
                    .position(|m| m.pw.id() == first.channel)
                    .expect("a known channel");
                let payer = self.channels[i].payer;
                let to = (first.old_count + units).min(first.new_count);
                let ahead = statement(vec![self.channels[i].pw.entry(first.old_count, to)]);
                let exiting = matches!(self.status(i), Status::Exiting | Status::Releasable);
                let out = prove_and_settle(&mut self.chain, &self.system, payer, &ahead).unwrap();
                use msgl_settlement::MsglSettlement::{EntrySkipped, Settled};
                assert_eq!(out.events::<Settled>().is_empty(), exiting);
                self.credit(&out);
                let out = prove_and_settle(&mut self.chain, &self.system, q, &s).unwrap();
                let skipped = out.events::<EntrySkipped>();
                if exiting {
                    assert!(skipped.is_empty(), "{skipped:?}");
                } else {
                    assert_eq!(skipped.len(), 1);
                    assert_eq!(skipped[0].channel.0, first.channel);
                }
                self.credit(&out);
            }
            Op::FrontRun { channel, units } if n > 0 => {
                // The payer settles a few of the acked units itself (it
                // holds every preimage of its chain).
                let i = channel % n;
                let (id, acked, payer) = {
                    let m = &self.channels[i];
                    (m.pw.id(), m.acked, m.payer)
                };
                let c = self.system.channel(&mut self.chain, id).unwrap();
                let to = (c.count + units).min(acked);
                if !c.released && to > c.count {
                    let s = statement(vec![self.channels[i].pw.entry(c.count, to)]);
                    let out = prove_and_settle(&mut self.chain, &self.system, payer, &s).unwrap();
                    self.credit(&out);
                }
            }
            Op::TopUp { channel, units } if n > 0 => {
                let i = channel % n;
                let (id, payer) = (self.channels[i].pw.id(), self.channels[i].payer);
                let free = self.system.deposit_of(&mut self.chain, payer).unwrap();
                let released = self.system.channel(&mut self.chain, id).unwrap().released;
                let r = self
                    .system
                    .top_up(&mut self.chain, payer, id, u(units * PRICE));
                assert_eq!(r.is_ok(), !released && u(units * PRICE) <= free, "{r:?}");
                if let Ok(out) = r {
                    self.channels[i].funded += p_units(units);
                    self.credit(&out);
                }
            }
            Op::RequestExit { channel } if n > 0 => {
                let i = channel % n;
                let (id, payer) = (self.channels[i].pw.id(), self.channels[i].payer);
                let open = self.status(i) == Status::Open;
                let r = self.system.request_exit(&mut self.chain, payer, id);
                assert_eq!(r.is_ok(), open, "{r:?}");
                if r.is_ok() {
                    let m = &mut self.channels[i];
                    m.acked_at_exit = Some(m.acked);
                    m.exit_requested_at = self.chain.timestamp();
                }
            }
            Op::CancelExit { channel } if n > 0 => {
                let i = channel % n;
                let (id, payer) = (self.channels[i].pw.id(), self.channels[i].payer);
                let pending = matches!(self.status(i), Status::Exiting | Status::Releasable);
                let r = self.system.cancel_exit(&mut self.chain, payer, id);
                assert_eq!(r.is_ok(), pending, "{r:?}");
            }
            Op::Release { channel } if n > 0 => {
                let i = channel % n;
                let (id, payer) = (self.channels[i].pw.id(), self.channels[i].payer);
                let releasable = self.status(i) == Status::Releasable;
                let r = self.system.release_escrow(&mut self.chain, payer, id);
                assert_eq!(r.is_ok(), releasable, "{r:?}");
                if r.is_ok() {
                    // The payee's guarantee: everything acked before the
                    // request was settled, and credited as far as funded.
                    let c = self.system.channel(&mut self.chain, id).unwrap();
                    let m = &self.channels[i];
                    let before = m.acked_at_exit.expect("an exit was requested");
                    assert!(
                        c.count >= before,
                        "acked {before} before the exit, settled {}",
                        c.count
                    );
                    let owed = u128::from(before) * u128::from(PRICE);
                    assert!(
                        m.credited >= owed.min(m.funded),
                        "owed {owed} for units acked before the exit, funded {}, credited {}",
                        m.funded,
                        m.credited
                    );
                }
            }
            Op::Claim { payee } => {
                let q = self.payees[payee];
                let due = self.system.claimable(&mut self.chain, q).unwrap();
                let r = self.system.claim(&mut self.chain, q, q);
                assert_eq!(r.is_ok(), !due.is_zero(), "{r:?}");
            }
            Op::Wait { seconds } => {
                // Each payee looks at its channels now and then: it settles
                // what it was acked within REACTION of an exit request
                // (before the contract's delay is over, and no sooner).
                let horizon = self.chain.timestamp() + seconds;
                let mut due = Vec::new();
                for i in 0..n {
                    if self.status(i) == Status::Exiting
                        && self.channels[i].exit_requested_at + REACTION <= horizon
                    {
                        due.push(self.channels[i].payee);
                    }
                }
                for q in due {
                    self.settle_for(q);
                }
                self.chain.advance_time(seconds);
            }
            _ => {}
        }
    }

    fn check(&mut self) {
        let s = self.system;
        let held = s.balance(&mut self.chain, s.settlement.address).unwrap();
        let mut owed_by_contract = U256::ZERO;
        for p in self.payers {
            owed_by_contract += s.deposit_of(&mut self.chain, p).unwrap();
        }
        for q in self.payees {
            owed_by_contract += s.claimable(&mut self.chain, q).unwrap();
        }
        for m in &self.channels {
            let c = s.channel(&mut self.chain, m.pw.id()).unwrap();
            owed_by_contract += U256::from(c.escrow);
            let owed = u128::from(c.count) * u128::from(PRICE);
            assert_eq!(m.credited, owed.min(m.funded), "credited");
            assert_eq!(c.debt, owed - m.credited, "debt");
            if !c.released {
                assert_eq!(c.escrow, m.funded - m.credited, "escrow");
            } else {
                assert_eq!(c.escrow, 0);
            }
        }
        assert_eq!(
            held, owed_by_contract,
            "token balance != deposits + escrows + claimable"
        );
    }
}

fn p_units(x: u64) -> u128 {
    u128::from(x) * u128::from(PRICE)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_contract_stays_solvent_and_every_payee_is_paid_what_was_acked_before_an_exit(
        ops in proptest::collection::vec(op(), 1..80)
    ) {
        let mut w = World::new();
        for op in &ops {
            w.apply(op);
            w.check();
        }
    }
}
