//! A seeded, randomized differential run of the protocol (issue 12): three
//! homes with a channel each way between every two, and at least 300
//! random operations per seed — acks with random prices, lost acks and
//! resends, acks delivered out of order, further acks for a disputed
//! price, proposals, co-signatures and finalizes in either order (acks
//! signed between them), and proofs of acks and of agreements settled on
//! chain: the committed contracts in revm (MsglVerifier checks each proof),
//! every receipt booked by the homes it concerns with `msgl settled`.
//! After every step every journal passes `check --evidence`; at the end,
//! once the acks in flight land, each A/R mirrors the peer's A/P, every
//! accepted ack proves, verifies and settles, each payee's books hold
//! exactly what the contract lets it claim, and every channel accepts its
//! payer's next honest ack.
//!
//! The operations run through the library (the same calls the commands
//! make); the homes are made, channels opened, and proofs made, verified,
//! settled and booked with the real binary.
//! `MSGL_RANDOM_SEEDS=a,b,c` and `MSGL_RANDOM_OPS=N` run other seeds and
//! lengths (fuzz/random-protocol.sh runs many); the seeds and counts are
//! in docs/RELIABILITY.md.

use crate::common;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use common::evm::{self, OnChain};
use common::{hash, id, init, msgl, Rng};
use msgl_ledger::journal::Decimal;
use msgl_node::home::{Config, Home};
use msgl_node::objects::{Ack, Recon};
use msgl_node::protocol::{self, Refusal};
use msgl_settlement::MsglSettlement;

const NAMES: [&str; 3] = ["Node1", "Node2", "Node3"];
/// Each channel's length.
const UNITS: u64 = 100_000;

struct Node {
    home: Home,
    /// Where settlements pay it (keys/evm.key).
    evm: Address,
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
    /// Agreements both sides booked, in the order they were finalized.
    finalized: Vec<(usize, usize, PathBuf)>,
    /// The contracts, where every channel is open with its full escrow.
    on: OnChain,
    /// channel id -> (payer, payee).
    channels: BTreeMap<[u8; 32], (usize, usize)>,
    counts: BTreeMap<&'static str, u64>,
    next_message: u64,
}

fn refusal(e: &msgl_node::error::Error) -> Option<&Refusal> {
    e.refusal()
}

impl World {
    fn new(dir: &Path) -> World {
        let mut on = OnChain::deploy(3600);
        let homes: Vec<PathBuf> = NAMES.iter().map(|n| init(dir, n)).collect();
        let addresses: Vec<Address> = homes.iter().map(|h| evm::address(h)).collect();
        for (i, h) in homes.iter().enumerate() {
            on.configure(h);
            for (j, o) in homes.iter().enumerate() {
                if i != j {
                    msgl(h)
                        .args(["peer", "add", NAMES[j], &id(o), "--policy", "credit:100"])
                        .args(["--address", &addresses[j].to_string()])
                        .assert()
                        .success();
                }
            }
            // Two channels' escrow and some to spare.
            on.fund(addresses[i], evm::units(1_000_000), evm::units(300_000));
        }
        let mut channels = BTreeMap::new();
        for (i, payer) in homes.iter().enumerate() {
            for (j, payee) in homes.iter().enumerate() {
                if i == j {
                    continue;
                }
                // Escrow for the whole length: a settlement never falls short.
                let f = dir.join(format!("open-{i}-{j}.yaml"));
                let acceptance = f.with_extension("acceptance.yaml");
                msgl(payer)
                    .args(["open", "--to", NAMES[j], "--units", &UNITS.to_string()])
                    .args(["--escrow", &msgl::demo::tokens(evm::units(UNITS)), "-o"])
                    .arg(&f)
                    .assert()
                    .success();
                msgl(payee)
                    .arg("accept-open")
                    .arg(&f)
                    .arg("-o")
                    .arg(&acceptance)
                    .assert()
                    .success();
                on.open(addresses[i], &f, &acceptance);
                let open =
                    msgl_node::objects::Open::from_yaml(&std::fs::read_to_string(&f).unwrap())
                        .unwrap();
                channels.insert(open.channel, (i, j));
            }
        }
        let nodes = homes
            .iter()
            .zip(&addresses)
            .map(|(h, &evm)| {
                let home = Home::locate(Some(h));
                let config = home.config().unwrap();
                let key = home.signing_key().unwrap();
                let me = key.verifying_key().to_bytes();
                Node {
                    home,
                    evm,
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
            finalized: Vec::new(),
            on,
            channels,
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
        let journal = msgl_ledger::journal::parse_file(&msgl_ledger::journal::Source::File(
            n.home.journal_path(),
        ))
        .unwrap();
        let books =
            protocol::reconcile::load_books(&n.home, &n.config, n.me, NAMES[b], &journal).unwrap();
        match protocol::reconcile::propose(&books, &n.key, None) {
            Ok(p) => {
                self.proposals.push((a, b, n.home.path(&p.file)));
                self.count("proposals");
            }
            // Two proposals in one millisecond: the file exists.
            Err(e) if e.is_exists() => {}
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
        let proposal = protocol::reconcile::read(&file, &text).unwrap();
        if proposal.is_cosigned() {
            return; // became the agreement in its proposer's recon/
        }
        let n = &self.nodes[b];
        match protocol::reconcile::accept(&n.home, &n.config, &n.key, NAMES[a], &proposal) {
            Ok(protocol::reconcile::Verdict::Agreed { file, .. }) => {
                let copy = self.dir.join(format!(
                    "agreement-{a}-{b}-{}.yaml",
                    self.counts.get("co-signed").unwrap_or(&0)
                ));
                std::fs::copy(n.home.path(&file), &copy).unwrap();
                self.agreements.push((a, b, copy));
                self.count("co-signed");
            }
            Ok(protocol::reconcile::Verdict::Disagree(_)) => self.count("disagreements"),
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
        match protocol::reconcile::finalize(&n.home, &n.config, &n.me, NAMES[b], &r) {
            Ok(_) => {
                self.count("finalized");
                self.finalized.push((a, b, file.clone()));
            }
            Err(e) => panic!(
                "{} cannot finalize the agreement {} co-signed: {e}",
                NAMES[a], NAMES[b]
            ),
        }
        // The co-signer booked it already.
        let c = &self.nodes[b];
        let again = protocol::reconcile::finalize(&c.home, &c.config, &c.me, NAMES[a], &r);
        assert!(
            matches!(
                again.as_ref().err().and_then(refusal),
                Some(Refusal::AlreadyFinalized { .. } | Refusal::EpochNotAfter { .. })
            ),
            "the co-signer finalizes again"
        );
    }

    /// `msgl prove --for-chain BATCH` in `prover`'s home, from its
    /// settled record: the proof directory, or `None` when nothing is new.
    /// A refusal's stderr is `Err`.
    fn prove(&self, prover: usize, batch: &Path, out: &Path) -> Result<Option<PathBuf>, String> {
        let home = &self.nodes[prover].home.root;
        let r = msgl(home)
            .args(["prove", "--for-chain"])
            .arg(batch)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr).into_owned();
        if !r.status.success() {
            assert!(!out.exists(), "a refused proof left {}", out.display());
            return Err(err);
        }
        if err.contains("nothing new to prove") {
            assert!(!out.exists());
            return Ok(None);
        }
        msgl(home).arg("verify-proof").arg(out).assert().success();
        Ok(Some(out.to_path_buf()))
    }

    /// Verifies the proof on chain (MsglVerifier, `calldata --verify`),
    /// settles it from `sender`'s address (`calldata`), and books the
    /// receipt with `msgl settled` in the home of every party to a channel
    /// it moved: twice, the second run booking nothing.
    fn settle(&mut self, sender: usize, proof: &Path) {
        let home = self.nodes[sender].home.root.clone();
        self.on.verify(&home, proof);
        let out = self
            .on
            .settle(self.nodes[sender].evm, &home, proof)
            .unwrap_or_else(|e| panic!("settle {}: {}", proof.display(), e.reason));
        assert!(
            out.events::<MsglSettlement::EntrySkipped>().is_empty()
                && out.events::<MsglSettlement::Shortfall>().is_empty(),
            "{out:?}"
        );
        let moved = out.events::<MsglSettlement::Settled>();
        assert!(!moved.is_empty());
        let receipt = self.on.receipt(&self.dir, &out);
        let mut parties = std::collections::BTreeSet::new();
        for e in &moved {
            let (payer, payee) = self.channels[&e.channel.0];
            parties.extend([payer, payee]);
        }
        for p in parties {
            let home = &self.nodes[p].home.root;
            msgl(home).arg("settled").arg(&receipt).assert().success();
            let again = msgl(home).arg("settled").arg(&receipt).output().unwrap();
            let again = String::from_utf8_lossy(&again.stdout);
            assert!(!again.contains("booked ("), "booked twice: {again}");
        }
    }

    /// The payee proves its acks (its acks/) from its settled record,
    /// settles the proof on chain and the parties book the receipt.
    fn prove_and_settle(&mut self, payee: usize, k: u64) {
        let acks = self.nodes[payee].home.root.join("acks");
        let out = self.dir.join(format!("proof-{payee}-{k}"));
        match self.prove(payee, &acks, &out) {
            Ok(Some(proof)) => {
                self.settle(payee, &proof);
                self.count("proofs of acks settled");
            }
            Ok(None) => {}
            Err(e) => panic!("{} cannot prove its acks: {e}", NAMES[payee]),
        }
    }

    /// The proposer of a finalized agreement proves it alone (both
    /// directions' checkpoints) and settles it. Refused only when acks
    /// settled since have moved one of its channels past its checkpoint
    /// (those units are settled already; nothing is stranded).
    /// `pick`: `usize::MAX` for the newest (what an operator settles).
    fn settle_agreement(&mut self, pick: usize) {
        if self.finalized.is_empty() {
            return;
        }
        let n = self.finalized.len();
        let (a, _, file) = self
            .finalized
            .remove(if pick == usize::MAX { n - 1 } else { pick % n });
        let k = self.counts.get("agreement proofs").copied().unwrap_or(0);
        self.count("agreement proofs");
        let batch = self.dir.join(format!("agreement-batch-{k}"));
        std::fs::create_dir(&batch).unwrap();
        std::fs::copy(&file, batch.join("agreement.yaml")).unwrap();
        let out = self.dir.join(format!("agreement-proof-{k}"));
        match self.prove(a, &batch, &out) {
            Ok(Some(proof)) => {
                self.settle(a, &proof);
                self.count("agreements settled");
            }
            Ok(None) => self.count("agreements settled already"),
            Err(e) => {
                assert!(
                    e.contains("stale:"),
                    "{} proves an agreement: {e}",
                    NAMES[a]
                );
                self.count("agreements stale");
            }
        }
    }

    /// What each home booked as claimable is what the contract lets it claim.
    fn check_claimable(&mut self, step: &str) {
        for (n, name) in self.nodes.iter().zip(NAMES) {
            let on_chain = self.on.sys.claimable(&mut self.on.chain, n.evm).unwrap();
            assert_eq!(
                evm::account(&n.home.root, protocol::settle::CLAIMABLE),
                evm::tokens(on_chain),
                "{step}: {name} booked other than it can claim"
            );
        }
    }

    fn check_evidence(&self, step: &str) {
        for (i, n) in self.nodes.iter().enumerate() {
            let j = msgl_ledger::journal::parse_file(&msgl_ledger::journal::Source::File(
                n.home.journal_path(),
            ))
            .unwrap();
            let d =
                protocol::evidence::check(&n.home, &n.config, &n.me, &j, "journal.ledger").unwrap();
            assert!(d.is_empty(), "{step}: {}: {:?}", NAMES[i], d[0]);
        }
    }

    fn standing(&self, i: usize, j: usize) -> (Decimal, Decimal) {
        let n = &self.nodes[i];
        let journal = msgl_ledger::journal::parse_file(&msgl_ledger::journal::Source::File(
            n.home.journal_path(),
        ))
        .unwrap();
        let peer = n.config.peer(NAMES[j]).unwrap();
        let s = msgl_node::policy::standing(&journal, "j", &n.config, peer, Default::default(), 0)
            .unwrap();
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
            98 => w.prove_and_settle(payee, step as u64),
            // Mostly the newest agreement; sometimes an older one.
            _ => w.settle_agreement(match rng.below(4) {
                0 => rng.below(1 << 20) as usize,
                _ => usize::MAX,
            }),
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
    // The agreements left settle, oldest first; then every accepted ack
    // proves (from what was settled), verifies and settles.
    while !w.finalized.is_empty() {
        w.settle_agreement(0);
    }
    for payee in 0..3 {
        w.prove_and_settle(payee, u64::MAX - payee as u64);
    }
    w.check_claimable(&format!("seed {seed}: all settled"));
    // Nothing is left to prove: the contract holds every channel at its
    // payee's latest ack.
    for (&channel, &(payer, payee)) in &w.channels {
        let on_chain = w.on.sys.channel(&mut w.on.chain, channel).unwrap();
        let home = &w.nodes[payee].home;
        let accepted = common::channels(&home.root)
            .into_iter()
            .find(|c| c.open.channel == channel && c.role == protocol::channel::Role::In)
            .map_or(0, |c| c.cumulative);
        assert_eq!(
            on_chain.count, accepted,
            "seed {seed}: {} -> {}: settled on chain is not what was accepted",
            NAMES[payer], NAMES[payee]
        );
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
        for what in ["finalized", "agreements settled", "proofs of acks settled"] {
            assert!(
                counts.get(what).copied().unwrap_or(0) > 0,
                "{what}: {counts:?}"
            );
        }
    }
}
