//! A seeded, randomized differential run of the protocol (issue 12): three
//! homes with a channel each way between every two, and at least 300
//! random operations per seed — acks with random prices, lost acks and
//! resends, acks delivered out of order, further acks for a disputed
//! price, proposals, co-signatures and finalizes in either order (acks
//! signed between them), and proofs of acks recorded as settled. After
//! every step every journal passes `check --evidence`; at the end, once
//! the acks in flight land, each A/R mirrors the peer's A/P, every
//! accepted ack proves and verifies, and every channel accepts its payer's
//! next honest ack.
//!
//! The operations run through the library (the same calls the commands
//! make), the homes are made and proofs settled with the real binary.
//! `MSGL_RANDOM_SEEDS=a,b,c` and `MSGL_RANDOM_OPS=N` run other seeds and
//! lengths (fuzz/random-protocol.sh runs many); the seeds and counts are
//! in docs/RELIABILITY.md.

use crate::common;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use common::{hash, id, init, msgl, Rng};
use msgl::home::{Config, Home};
use msgl::journal::Decimal;
use msgl::objects::{Ack, Recon};
use msgl::protocol::{self, Refusal};

const NAMES: [&str; 3] = ["Node1", "Node2", "Node3"];

struct Node {
    home: Home,
    config: Config,
    key: ed25519_dalek::SigningKey,
    me: [u8; 32],
}

/// An ack on its way from payer to payee; `lost` until re-sent.
struct InFlight {
    ack: Ack,
    lost: bool,
}

struct World {
    dir: PathBuf,
    nodes: Vec<Node>,
    /// (payer, payee) -> acks signed and not yet accepted, in order.
    flight: BTreeMap<(usize, usize), VecDeque<InFlight>>,
    /// (proposer, peer, file) of proposals made.
    proposals: Vec<(usize, usize, PathBuf)>,
    /// (proposer, peer, file) of agreements the co-signer booked.
    agreements: Vec<(usize, usize, PathBuf)>,
    counts: BTreeMap<&'static str, u64>,
    next_message: u64,
}

fn refusal(e: &msgl::error::Error) -> Option<&Refusal> {
    e.refusal.as_deref()
}

impl World {
    fn new(dir: &Path) -> World {
        let homes: Vec<PathBuf> = NAMES.iter().map(|n| init(dir, n)).collect();
        for (i, h) in homes.iter().enumerate() {
            for (j, o) in homes.iter().enumerate() {
                if i != j {
                    msgl(h)
                        .args(["peer", "add", NAMES[j], &id(o), "--policy", "credit:100"])
                        .assert()
                        .success();
                }
            }
        }
        for (i, payer) in homes.iter().enumerate() {
            for (j, payee) in homes.iter().enumerate() {
                if i == j {
                    continue;
                }
                let f = dir.join(format!("open-{i}-{j}.yaml"));
                msgl(payer)
                    .args(["open", "--to", NAMES[j], "--units", "100000", "-o"])
                    .arg(&f)
                    .assert()
                    .success();
                msgl(payee).arg("accept-open").arg(&f).assert().success();
            }
        }
        let nodes = homes
            .iter()
            .map(|h| {
                let home = Home::locate(Some(h));
                let config = home.config().unwrap();
                let key = home.signing_key().unwrap();
                let me = key.verifying_key().to_bytes();
                Node {
                    home,
                    config,
                    key,
                    me,
                }
            })
            .collect();
        World {
            dir: dir.to_path_buf(),
            nodes,
            flight: BTreeMap::new(),
            proposals: Vec::new(),
            agreements: Vec::new(),
            counts: BTreeMap::new(),
            next_message: 1,
        }
    }

    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    fn sign(&mut self, payer: usize, payee: usize, message: [u8; 32], price: u64) {
        let n = &self.nodes[payer];
        let issued = protocol::ack::issue(
            &n.home,
            &n.config,
            n.key.clone(),
            NAMES[payee],
            message,
            price,
        )
        .unwrap_or_else(|e| panic!("{} acks to {}: {e}", NAMES[payer], NAMES[payee]));
        self.flight
            .entry((payer, payee))
            .or_default()
            .push_back(InFlight {
                ack: issued.ack,
                lost: false,
            });
        self.count("acks signed");
    }

    /// Delivers the first ack in flight that is not lost; refused only if
    /// an earlier one is lost (then it is lost too: the payer re-sends).
    fn deliver(&mut self, payer: usize, payee: usize) {
        let q = self.flight.entry((payer, payee)).or_default();
        let Some(k) = q.iter().position(|f| !f.lost) else {
            return;
        };
        let earlier_lost = k > 0;
        let ack = q[k].ack.clone();
        let n = &self.nodes[payee];
        match protocol::ack::accept(&n.home, &n.config, &n.me, &ack.to_yaml()) {
            Ok(_) => {
                assert!(!earlier_lost, "accepted past a lost ack");
                q.remove(k);
                self.count("acks accepted");
            }
            Err(e) => {
                assert!(
                    earlier_lost && matches!(refusal(&e), Some(Refusal::CumulativeMismatch { .. })),
                    "{} refused {}'s ack {} delivered in order (a wedge): {e}",
                    NAMES[payee],
                    NAMES[payer],
                    ack.nonce
                );
                q[k].lost = true;
                self.count("acks refused out of order");
            }
        }
    }

    fn lose(&mut self, payer: usize, payee: usize) {
        if let Some(f) = self
            .flight
            .entry((payer, payee))
            .or_default()
            .iter_mut()
            .find(|f| !f.lost)
        {
            f.lost = true;
            self.count("acks lost");
        }
    }

    /// The payer re-sends its first lost ack, byte for byte.
    fn resend(&mut self, payer: usize, payee: usize) {
        let n = &self.nodes[payer];
        let q = self.flight.entry((payer, payee)).or_default();
        let Some(f) = q.iter_mut().find(|f| f.lost) else {
            return;
        };
        let (_, again) =
            protocol::ack::resend(&n.home, &n.config, &n.me, NAMES[payee], Some(f.ack.nonce))
                .unwrap();
        assert_eq!(again, f.ack, "a re-sent ack is the same ack");
        f.lost = false;
        self.count("acks re-sent");
    }

    fn propose(&mut self, a: usize, b: usize) {
        let n = &self.nodes[a];
        let journal =
            msgl::journal::parse_file(&msgl::journal::Source::File(n.home.journal_path())).unwrap();
        let books =
            protocol::recon::load_books(&n.home, &n.config, n.me, NAMES[b], &journal).unwrap();
        match protocol::recon::propose(&books, &n.key, None) {
            Ok(p) => {
                self.proposals.push((a, b, n.home.path(&p.file)));
                self.count("proposals");
            }
            // Two proposals in one millisecond: the file exists.
            Err(e) if e.what.contains("already exists") => {}
            Err(e) if matches!(refusal(&e), Some(Refusal::EpochNotAfter { .. })) => {}
            Err(e) => panic!("{} proposes to {}: {e}", NAMES[a], NAMES[b]),
        }
    }

    fn cosign(&mut self, pick: usize) {
        if self.proposals.is_empty() {
            return;
        }
        let (a, b, file) = self.proposals.swap_remove(pick % self.proposals.len());
        let text = std::fs::read_to_string(&file).unwrap();
        let proposal = protocol::recon::read(&file, &text).unwrap();
        if proposal.is_cosigned() {
            return; // became the agreement in its proposer's recon/
        }
        let n = &self.nodes[b];
        match protocol::recon::accept(&n.home, &n.config, &n.key, NAMES[a], &proposal) {
            Ok(protocol::recon::Accepted::Agreed { file, .. }) => {
                let copy = self.dir.join(format!(
                    "agreement-{a}-{b}-{}.yaml",
                    self.counts.get("co-signed").unwrap_or(&0)
                ));
                std::fs::copy(n.home.path(&file), &copy).unwrap();
                self.agreements.push((a, b, copy));
                self.count("co-signed");
            }
            Ok(protocol::recon::Accepted::Disagree(_)) => self.count("disagreements"),
            Err(e) => {
                assert!(
                    matches!(
                        refusal(&e),
                        Some(
                            Refusal::CrossedProposals { .. }
                                | Refusal::PreviousEpoch { .. }
                                | Refusal::EpochNotAfter { .. }
                                | Refusal::AlreadyFinalized { .. }
                        )
                    ),
                    "{} co-signs {}'s proposal: {e}",
                    NAMES[b],
                    NAMES[a]
                );
                self.count("co-signatures refused");
            }
        }
    }

    fn finalize(&mut self, pick: usize) {
        if self.agreements.is_empty() {
            return;
        }
        let (a, b, file) = self.agreements.swap_remove(pick % self.agreements.len());
        let r = Recon::from_yaml(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let n = &self.nodes[a];
        match protocol::recon::finalize(&n.home, &n.config, &n.me, NAMES[b], &r) {
            Ok(_) => self.count("finalized"),
            Err(e) => panic!(
                "{} cannot finalize the agreement {} co-signed: {e}",
                NAMES[a], NAMES[b]
            ),
        }
        // The co-signer booked it already.
        let c = &self.nodes[b];
        let again = protocol::recon::finalize(&c.home, &c.config, &c.me, NAMES[a], &r);
        assert!(
            matches!(
                again.as_ref().err().and_then(refusal),
                Some(Refusal::AlreadyFinalized { .. } | Refusal::EpochNotAfter { .. })
            ),
            "the co-signer finalizes again"
        );
    }

    /// The payee proves its acks from its settled record and both sides
    /// record the settlement.
    fn prove_and_settle(&mut self, payee: usize, k: u64) {
        let home = self.nodes[payee].home.root.clone();
        let out = self.dir.join(format!("proof-{payee}-{k}"));
        let r = msgl(&home)
            .arg("prove")
            .arg(home.join("acks"))
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(r.status.success(), "prove: {err}");
        if err.contains("nothing new to prove") {
            assert!(!out.exists());
            return;
        }
        msgl(&home).arg("verify-proof").arg(&out).assert().success();
        // Recorded as mined: the contract's new view goes to the payee's
        // channels/settled.yaml, as `msgl settled` writes it from the
        // settle transaction's receipt (there is no chain here, so nothing
        // is booked), and the next proof starts from it.
        let settled = home.join(msgl::protocol::settle::SETTLED_FILE);
        let mut views = if settled.is_file() {
            msgl::batch::read_state(&settled).unwrap()
        } else {
            Vec::new()
        };
        for part in msgl::proof::verify_parts(&out).unwrap() {
            for e in &part.1.entries {
                let view = msgl::batch::ChannelView {
                    channel: e.channel,
                    tip: msgl_circuits::poseidon2::pack(&e.new_preimage),
                    count: e.new_count,
                };
                match views.iter_mut().find(|v| v.channel == e.channel) {
                    Some(v) if v.count >= e.new_count => {}
                    Some(v) => *v = view,
                    None => views.push(view),
                }
            }
        }
        std::fs::write(&settled, serde_yaml::to_string(&views).unwrap()).unwrap();
        self.count("proofs settled");
    }

    fn check_evidence(&self, step: &str) {
        for (i, n) in self.nodes.iter().enumerate() {
            let j = msgl::journal::parse_file(&msgl::journal::Source::File(n.home.journal_path()))
                .unwrap();
            let d =
                protocol::evidence::check(&n.home, &n.config, &n.me, &j, "journal.ledger").unwrap();
            assert!(d.is_empty(), "{step}: {}: {:?}", NAMES[i], d[0]);
        }
    }

    fn standing(&self, i: usize, j: usize) -> (Decimal, Decimal) {
        let n = &self.nodes[i];
        let journal =
            msgl::journal::parse_file(&msgl::journal::Source::File(n.home.journal_path())).unwrap();
        let peer = n.config.peer(NAMES[j]).unwrap();
        let s =
            msgl::policy::standing(&journal, "j", &n.config, peer, Default::default(), 0).unwrap();
        (s.receivable, s.payable)
    }
}

fn hex_hash(i: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash(i), &mut out).unwrap();
    out
}

fn run(seed: u64, ops: usize) -> BTreeMap<&'static str, u64> {
    let dir = common::tempdir();
    let mut w = World::new(dir.path());
    let mut rng = Rng(seed | 1);
    let pairs: Vec<(usize, usize)> = (0..3)
        .flat_map(|i| (0..3).filter(move |&j| j != i).map(move |j| (i, j)))
        .collect();
    for step in 0..ops {
        let (payer, payee) = pairs[rng.below(pairs.len() as u64) as usize];
        match rng.below(100) {
            0..=33 => {
                let m = w.next_message;
                w.next_message += 1;
                w.sign(payer, payee, hex_hash(m), 1 + rng.below(5));
            }
            34..=36 => {
                // A disputed price settled with a further ack for the
                // message last signed on this channel.
                let last = w
                    .flight
                    .get(&(payer, payee))
                    .and_then(|q| q.back())
                    .map(|f| f.ack.message);
                if let Some(m) = last {
                    w.sign(payer, payee, m, 1);
                    w.count("price corrections");
                }
            }
            37..=66 => w.deliver(payer, payee),
            67..=70 => w.lose(payer, payee),
            71..=75 => w.resend(payer, payee),
            76..=79 => w.propose(payer, payee),
            80..=83 => {
                // Both ways between the two land first, so that the books
                // can agree; then a proposal.
                for (x, y) in [(payer, payee), (payee, payer)] {
                    while w.flight.get(&(x, y)).is_some_and(|q| !q.is_empty()) {
                        w.resend(x, y);
                        w.deliver(x, y);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
                w.propose(payer, payee);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            84..=91 => w.cosign(rng.below(1 << 20) as usize),
            92..=97 => w.finalize(rng.below(1 << 20) as usize),
            _ => w.prove_and_settle(payee, step as u64),
        }
        w.check_evidence(&format!("seed {seed} step {step}"));
    }
    // Everything in flight lands: lost acks re-sent, all delivered.
    for &(payer, payee) in &pairs {
        while w.flight.get(&(payer, payee)).is_some_and(|q| !q.is_empty()) {
            w.resend(payer, payee);
            w.deliver(payer, payee);
        }
    }
    w.check_evidence(&format!("seed {seed}: all delivered"));
    for &(i, j) in &pairs {
        {
            {
                let (ar, _) = w.standing(i, j);
                let (_, ap) = w.standing(j, i);
                assert_eq!(
                    ar, ap,
                    "seed {seed}: {}'s A/R with {} is not the mirror of its A/P",
                    NAMES[i], NAMES[j]
                );
            }
        }
    }
    // Every accepted ack proves (from what was settled) and verifies.
    for payee in 0..3 {
        w.prove_and_settle(payee, u64::MAX - payee as u64);
    }
    // And every channel takes its payer's next honest ack.
    for &(payer, payee) in &pairs {
        let m = w.next_message;
        w.next_message += 1;
        w.sign(payer, payee, hex_hash(m), 1);
        w.deliver(payer, payee);
        assert!(w.flight[&(payer, payee)].is_empty(), "seed {seed}: wedged");
    }
    w.check_evidence(&format!("seed {seed}: the end"));
    w.counts
}

#[test]
fn random_operations_never_strand_money_or_wedge_a_channel() {
    let seeds: Vec<u64> = std::env::var("MSGL_RANDOM_SEEDS")
        .map(|s| s.split(',').map(|x| x.trim().parse().unwrap()).collect())
        .unwrap_or_else(|_| vec![0x5eed_0001, 0x5eed_0002]);
    let ops: usize = std::env::var("MSGL_RANDOM_OPS")
        .map(|s| s.parse().unwrap())
        .unwrap_or(300);
    for seed in seeds {
        let counts = run(seed, ops);
        eprintln!("seed {seed:#x}, {ops} operations: {counts:?}");
        assert!(counts.get("acks accepted").copied().unwrap_or(0) > 20);
        assert!(
            counts.get("co-signed").copied().unwrap_or(0) > 0,
            "{counts:?}"
        );
        assert!(
            counts.get("finalized").copied().unwrap_or(0) > 0,
            "{counts:?}"
        );
    }
}
