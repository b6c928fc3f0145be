//! Channels and acks end to end, with the real binary and two (or three)
//! node homes: a valid exchange of 1000 messages, and every way an ack is
//! refused — after which nothing was stored or booked and `msgl check`
//! passes.

use std::path::{Path, PathBuf};

use msgl_circuits::poseidon2;
use msgl_node::hashchain::{self, HashChain};
use msgl_node::objects::ack::AckFields;
use msgl_node::objects::Ack;
use predicates::str::contains;

use crate::common;

use common::{hash, id, init, logged, msgl, stdout, tempdir, Pair};

fn pair(units: u64, payee_policy: &str) -> Pair {
    common::pair_with_policy(units, payee_policy)
}

/// The payer signs an ack for message `i` into a file; returns its path.
fn ack(p: &Pair, i: u64, price: u64) -> PathBuf {
    let f = p.dir.join(format!("ack-{i}.yaml"));
    msgl(&p.payer)
        .args(["-q", "ack", "--to", "Node1", "-m", &hash(i), "--price"])
        .arg(price.to_string())
        .arg("-o")
        .arg(&f)
        .assert()
        .success();
    f
}

fn journal(home: &Path) -> String {
    std::fs::read_to_string(home.join("journal.ledger")).unwrap()
}

/// Exactly `acks` acks kept and `entries` booked, and the books check
/// against the evidence.
fn assert_untouched(home: &Path, acks: usize, entries: usize) {
    assert_eq!(logged(home, "acks").len(), acks, "acks kept");
    assert_eq!(
        journal(home).matches("MESSAGE SENT").count(),
        entries,
        "entries booked"
    );
    msgl(home).args(["check", "--evidence"]).assert().success();
}

/// `accept FILE` must fail with exit 1 and a reason containing `why`.
fn refused(home: &Path, file: &Path, why: &str) {
    msgl(home)
        .arg("accept")
        .arg(file)
        .assert()
        .code(1)
        .stderr(contains(why));
}

fn edit(src: &Path, dst: &Path, f: impl FnOnce(&mut serde_yaml::Mapping)) {
    let mut v: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
    f(v.as_mapping_mut().unwrap());
    std::fs::write(dst, serde_yaml::to_string(&v).unwrap()).unwrap();
}

fn set(m: &mut serde_yaml::Mapping, k: &str, v: serde_yaml::Value) {
    m.insert(serde_yaml::Value::from(k), v);
}

/// Flips the last hex digit of a string field.
fn flip(m: &mut serde_yaml::Mapping, k: &str) {
    let s = m[k].as_str().unwrap().to_string();
    let last = s.chars().last().unwrap();
    let new = if last == '0' { '1' } else { '0' };
    let s = format!("{}{new}", &s[..s.len() - 1]);
    set(m, k, s.into());
}

#[test]
fn a_thousand_messages_are_acked_accepted_and_booked() {
    let p = pair(5000, "credit:1");
    let mut files = Vec::new();
    let mut total = 0u64;
    for i in 1..=1000u64 {
        let price = 1 + i % 5;
        total += price;
        files.push(ack(&p, i, price));
    }
    // One accept for all of them, in order.
    msgl(&p.payee)
        .arg("-q")
        .arg("accept")
        .args(&files)
        .assert()
        .success();
    assert_untouched(&p.payee, 1000, 1000);
    msgl(&p.payer).arg("check").assert().success();
    assert_eq!(journal(&p.payer).matches("MESSAGE RECEIVED").count(), 1000);
    // Both sides agree on the total, to the last digit.
    let amount = format!(
        "{}",
        msgl_ledger::journal::Decimal::new(total as i64, 5).normalize()
    );
    let peers = stdout(msgl(&p.payee).args(["peers", "-O", "json"]));
    let v: serde_json::Value = serde_json::from_str(&peers).unwrap();
    assert_eq!(v[0]["receivable"], amount.as_str());
    let peers = stdout(msgl(&p.payer).args(["peers", "-O", "csv"]));
    assert!(
        peers.contains(&format!("Node1,prepay,0,{amount},-{amount},")),
        "{peers}"
    );
    // The journal tags name the kept acks.
    let j = journal(&p.payee);
    let tag = j.lines().last().unwrap();
    let open: msgl_node::objects::Open =
        serde_yaml::from_str(&std::fs::read_to_string(p.dir.join("open.yaml")).unwrap()).unwrap();
    assert!(
        j.contains(&format!("; ack: {}-1000", open.id_hex())),
        "{tag}"
    );
    // The last ack's preimage is w_total of the payer's chain: the anchor is
    // H^total of it.
    let last: Ack =
        serde_yaml::from_str(&std::fs::read_to_string(files.last().unwrap()).unwrap()).unwrap();
    assert_eq!(last.cumulative, total);
    let w = poseidon2::unpack(&last.preimage).unwrap();
    assert_eq!(poseidon2::pack(&poseidon2::hash_n(&w, total)), open.channel);
    // Replaying any of them now is refused.
    refused(&p.payee, &files[0], "already accepted");
    refused(&p.payee, &files[999], "already accepted");
    assert_untouched(&p.payee, 1000, 1000);
}

/// A change to an ack's YAML.
type Change = Box<dyn Fn(&mut serde_yaml::Mapping)>;

#[test]
fn every_signed_field_changed_is_refused() {
    let p = pair(100, "credit:1");
    let good = ack(&p, 1, 2);
    let bad = p.dir.join("bad.yaml");
    let other = id(&init(&p.dir, "Node3"));
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "domain",
            Box::new(|m| set(m, "domain", "msgl/recon/v2".into())),
            "wrong domain",
        ),
        (
            "payer",
            Box::new(move |m| set(m, "payer", other.clone().into())),
            "not a known peer",
        ),
        ("payee", Box::new(|m| flip(m, "payee")), "not to this node"),
        ("channel", Box::new(|m| flip(m, "channel")), "bad signature"),
        (
            "nonce",
            Box::new(|m| set(m, "nonce", 2.into())),
            "bad signature",
        ),
        ("message", Box::new(|m| flip(m, "message")), "bad signature"),
        (
            "price",
            Box::new(|m| set(m, "price", 1.into())),
            "bad signature",
        ),
        (
            "cumulative",
            Box::new(|m| set(m, "cumulative", 3.into())),
            "bad signature",
        ),
        (
            "preimage",
            Box::new(|m| flip(m, "preimage")),
            "bad signature",
        ),
        (
            "signature",
            Box::new(|m| flip(m, "signature")),
            "bad signature",
        ),
    ];
    for (field, change, why) in cases {
        edit(&good, &bad, change);
        let out = msgl(&p.payee).arg("accept").arg(&bad).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{field}: {err}");
        assert!(err.contains(why), "{field}: {err}");
        assert_eq!(err.lines().count(), 1, "{field}: one reason: {err}");
        assert_untouched(&p.payee, 0, 0);
    }
    // The original still goes through: the refusals changed nothing.
    msgl(&p.payee).arg("accept").arg(&good).assert().success();
    assert_untouched(&p.payee, 1, 1);
}

#[test]
fn malformed_acks_are_refused() {
    let p = pair(100, "credit:1");
    let good = ack(&p, 1, 1);
    let bad = p.dir.join("bad.yaml");
    edit(&good, &bad, |m| set(m, "extra", "1".into()));
    refused(&p.payee, &bad, "unknown field `extra`");
    edit(&good, &bad, |m| {
        m.remove("nonce");
    });
    refused(&p.payee, &bad, "missing field `nonce`");
    edit(&good, &bad, |m| set(m, "message", "zz".into()));
    refused(&p.payee, &bad, "hex digits");
    std::fs::write(&bad, "not: [yaml").unwrap();
    refused(&p.payee, &bad, "bad ack");
    // An open is not an ack.
    refused(&p.payee, &p.dir.join("open.yaml"), "unknown field");
    assert_untouched(&p.payee, 0, 0);
    // From standard input.
    msgl(&p.payee)
        .args(["accept", "-"])
        .write_stdin(std::fs::read(&good).unwrap())
        .assert()
        .success();
    assert_untouched(&p.payee, 1, 1);
}

#[test]
fn replayed_and_out_of_order_acks_are_refused() {
    let p = pair(100, "credit:1");
    let a1 = ack(&p, 1, 1);
    let a2 = ack(&p, 2, 3);
    let a3 = ack(&p, 3, 1);
    // Skipping one: the cumulative does not follow.
    refused(
        &p.payee,
        &a2,
        "cumulative 4 is not the previous cumulative 0 plus the price 3",
    );
    msgl(&p.payee)
        .arg("accept")
        .arg(&a1)
        .arg(&a2)
        .assert()
        .success();
    refused(&p.payee, &a1, "already accepted");
    refused(&p.payee, &a2, "already accepted");
    // Another ack with a spent nonce is not a retry.
    let (key, _, chain) = payer_chain(&p);
    let stale = Ack::signed(
        &key,
        AckFields {
            channel: poseidon2::pack(&chain.anchor()),
            payee: msgl_node::keys::parse_public(&id(&p.payee)).unwrap(),
            nonce: 2,
            message: [1; 32],
            price: 1,
            cumulative: 5,
            preimage: poseidon2::pack(&chain.get(5)),
        },
    );
    let f = p.dir.join("stale.yaml");
    std::fs::write(&f, stale.to_yaml()).unwrap();
    refused(
        &p.payee,
        &f,
        "nonce 2 is not above the last accepted nonce 2",
    );
    assert_untouched(&p.payee, 2, 2);
    msgl(&p.payee).arg("accept").arg(&a3).assert().success();
    assert_untouched(&p.payee, 3, 3);
}

/// The payer's signing key, the payee's key and the chain of the payer's
/// first channel to the payee.
fn payer_chain(p: &Pair) -> (ed25519_dalek::SigningKey, [u8; 32], HashChain) {
    let key = msgl_node::keys::load(&p.payer.join("keys/node.key")).unwrap();
    let payee = msgl_node::keys::parse_public(&id(&p.payee)).unwrap();
    let seed = hashchain::seed(&key.to_bytes(), &payee, 1);
    (key, payee, HashChain::build(seed, 100))
}

fn write_ack(p: &Pair, key: &ed25519_dalek::SigningKey, f: AckFields, name: &str) -> PathBuf {
    let path = p.dir.join(name);
    std::fs::write(&path, Ack::signed(key, f).to_yaml()).unwrap();
    path
}

#[test]
fn a_validly_signed_ack_with_a_wrong_preimage_or_cumulative_is_refused() {
    let p = pair(100, "credit:1");
    let (key, payee, chain) = payer_chain(&p);
    let channel = poseidon2::pack(&chain.anchor());
    let fields = |price, cumulative, w: u64| AckFields {
        channel,
        payee,
        nonce: 1,
        message: [7; 32],
        price,
        cumulative,
        preimage: poseidon2::pack(&chain.get(w)),
    };
    // The right one, for reference: price 2, w_2.
    let ok = write_ack(&p, &key, fields(2, 2, 2), "ok.yaml");
    let f = write_ack(&p, &key, fields(2, 2, 1), "w1.yaml");
    refused(
        &p.payee,
        &f,
        "wrong preimage: H^2(preimage) is not the channel's anchor",
    );
    let f = write_ack(&p, &key, fields(2, 2, 3), "w3.yaml");
    refused(&p.payee, &f, "wrong preimage");
    let mut junk = fields(2, 2, 2);
    junk.preimage = poseidon2::pack(&[5; 8]);
    let f = write_ack(&p, &key, junk, "junk.yaml");
    refused(&p.payee, &f, "wrong preimage");
    let mut noncanon = fields(2, 2, 2);
    noncanon.preimage = [0xff; 32];
    let f = write_ack(&p, &key, noncanon, "noncanon.yaml");
    refused(&p.payee, &f, "not 8 canonical M31 elements");
    let f = write_ack(&p, &key, fields(2, 3, 3), "cum.yaml");
    refused(
        &p.payee,
        &f,
        "cumulative 3 is not the previous cumulative 0 plus the price 2",
    );
    let f = write_ack(&p, &key, fields(0, 0, 0), "zero.yaml");
    refused(&p.payee, &f, "price 0");
    // Above the channel's units per ack (here its length): refused before
    // any hashing.
    let f = write_ack(&p, &key, fields(101, 101, 0), "long.yaml");
    refused(
        &p.payee,
        &f,
        "price 101 is above the channel's 100 units per ack",
    );
    let mut old = fields(2, 2, 2);
    old.nonce = 0;
    let f = write_ack(&p, &key, old, "nonce0.yaml");
    refused(&p.payee, &f, "nonce 0 is not above");
    assert_untouched(&p.payee, 0, 0);
    msgl(&p.payee).arg("accept").arg(&ok).assert().success();
    assert_untouched(&p.payee, 1, 1);
    // The next one must hash down to w_2 now, not to the anchor.
    let mut next = fields(1, 3, 3);
    next.nonce = 2;
    let mut wrong = next;
    wrong.preimage = poseidon2::pack(&chain.get(2));
    let f = write_ack(&p, &key, wrong, "again.yaml");
    refused(&p.payee, &f, "is not the previous ack's preimage");
    let f = write_ack(&p, &key, next, "next.yaml");
    msgl(&p.payee).arg("accept").arg(&f).assert().success();
    assert_untouched(&p.payee, 2, 2);
}

#[test]
fn an_ack_signed_by_another_key_is_refused() {
    let p = pair(100, "credit:1");
    let (key, payee, chain) = payer_chain(&p);
    let mallory_home = init(&p.dir, "Mallory");
    let mallory = msgl_node::keys::load(&mallory_home.join("keys/node.key")).unwrap();
    let fields = AckFields {
        channel: poseidon2::pack(&chain.anchor()),
        payee,
        nonce: 1,
        message: [9; 32],
        price: 1,
        cumulative: 1,
        preimage: poseidon2::pack(&chain.get(1)),
    };
    // Mallory's own name on it: not a peer.
    let f = write_ack(&p, &mallory, fields, "mallory.yaml");
    refused(&p.payee, &f, "is not a known peer's key");
    // The payer's name on it, Mallory's signature.
    let mut forged = Ack::signed(&mallory, fields);
    forged.payer = key.verifying_key().to_bytes();
    let f = p.dir.join("forged.yaml");
    std::fs::write(&f, forged.to_yaml()).unwrap();
    refused(&p.payee, &f, "bad signature on ack");
    // The payee's own key signing for the payer.
    let own = msgl_node::keys::load(&p.payee.join("keys/node.key")).unwrap();
    let mut selfsigned = Ack::signed(&own, fields);
    selfsigned.payer = key.verifying_key().to_bytes();
    std::fs::write(&f, selfsigned.to_yaml()).unwrap();
    refused(&p.payee, &f, "bad signature on ack");
    assert_untouched(&p.payee, 0, 0);
    // Signed by the right key, the same fields pass.
    let f = write_ack(&p, &key, fields, "right.yaml");
    msgl(&p.payee).arg("accept").arg(&f).assert().success();
    assert_untouched(&p.payee, 1, 1);
}

#[test]
fn opens_are_checked() {
    let p = pair(10, "credit:1");
    let open = p.dir.join("open.yaml");
    // Twice: refused (a channel id is used once).
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&open)
        .assert()
        .code(1)
        .stderr(contains("is already used by Node2 (accepted already)"));
    let bad = p.dir.join("bad-open.yaml");
    for (k, v, why) in [
        (
            "length",
            serde_yaml::Value::from(11),
            "bad signature on channel open",
        ),
        ("generation", 9.into(), "bad signature on channel open"),
        ("escrow", "1".into(), "bad signature on channel open"),
        ("domain", "msgl/ack/v2".into(), "wrong domain"),
        ("extra", "x".into(), "unknown field `extra`"),
    ] {
        edit(&open, &bad, |m| set(m, k, v));
        msgl(&p.payee)
            .arg("accept-open")
            .arg(&bad)
            .assert()
            .code(1)
            .stderr(contains(why));
    }
    // An open from a stranger.
    let m = init(&p.dir, "Mallory");
    msgl(&m)
        .args(["peer", "add", "Node1", &id(&p.payee)])
        .assert()
        .success();
    let mo = p.dir.join("mallory-open.yaml");
    msgl(&m)
        .args(["open", "--to", "Node1", "--units", "5", "-o"])
        .arg(&mo)
        .assert()
        .success();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&mo)
        .assert()
        .code(1)
        .stderr(contains("not a known peer's key"));
    // A second generation, from stdout.
    let text = stdout(msgl(&p.payer).args(["open", "--to", "Node1", "--units", "3"]));
    assert!(text.contains("generation: 2"), "{text}");
    msgl(&p.payee)
        .args(["accept-open", "-"])
        .write_stdin(text)
        .assert()
        .success()
        .stdout(contains("generation 2"));
}

#[test]
fn the_payer_cannot_ack_beyond_the_channel() {
    let p = pair(5, "credit:1");
    let a = ack(&p, 1, 4);
    msgl(&p.payer)
        .args(["ack", "--to", "Node1", "-m", &hash(2), "--price", "2"])
        .assert()
        .code(1)
        .stderr(contains("would exceed the length 5"))
        .stderr(contains("open a new channel"));
    assert_eq!(journal(&p.payer).matches("MESSAGE RECEIVED").count(), 1);
    // One unit still fits; the ack goes to stdout.
    let text =
        stdout(msgl(&p.payer).args(["ack", "--to", "Node1", "-m", &hash(3), "--price", "1"]));
    assert!(text.contains("cumulative: 5"), "{text}");
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    msgl(&p.payee)
        .args(["accept", "-"])
        .write_stdin(text)
        .assert()
        .success();
    // A new channel continues, as generation 2.
    let o = p.dir.join("open2.yaml");
    msgl(&p.payer)
        .args(["open", "--to", "Node1", "--units", "5", "-o"])
        .arg(&o)
        .assert()
        .success();
    let a = ack(&p, 4, 2);
    refused(&p.payee, &a, "no channel ");
    msgl(&p.payee).arg("accept-open").arg(&o).assert().success();
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    assert_untouched(&p.payee, 3, 3);
    msgl(&p.payer).arg("check").assert().success();
    let csv = stdout(msgl(&p.payer).args(["channels", "-O", "csv"]));
    assert!(csv.contains("out,Node1,1,5,5,0,2,10000000000000,"), "{csv}");
    assert!(csv.contains("out,Node1,2,5,2,3,1,10000000000000,"), "{csv}");
    let text = stdout(msgl(&p.payee).arg("channels"));
    assert!(text.contains("in   Node2"), "{text}");
    // The checkpoints are private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for e in std::fs::read_dir(p.payer.join("chains")).unwrap() {
            let mode = e.unwrap().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
    }
    // Lost checkpoints are rebuilt from the key.
    for e in std::fs::read_dir(p.payer.join("chains")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let a = ack(&p, 5, 1);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
}

#[cfg(unix)]
#[test]
fn an_unprotected_or_symlinked_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let p = pair(10, "credit:1");
    let a = ack(&p, 1, 1);
    let key = p.payee.join("keys/node.key");
    for mode in [0o644, 0o640, 0o604, 0o660] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        msgl(&p.payee)
            .arg("id")
            .assert()
            .failure()
            .stderr(contains("accessible by group or others"))
            .stderr(contains("chmod 600"));
        msgl(&p.payee)
            .arg("accept")
            .arg(&a)
            .assert()
            .failure()
            .stderr(contains("accessible by group or others"));
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let moved = p.dir.join("elsewhere.key");
    std::fs::rename(&key, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &key).unwrap();
    msgl(&p.payee)
        .arg("id")
        .assert()
        .failure()
        .stderr(contains("symlink"));
    // The secret is never printed.
    std::fs::remove_file(&key).unwrap();
    std::fs::rename(&moved, &key).unwrap();
    assert_untouched(&p.payee, 0, 0);
    let secret = std::fs::read_to_string(&key).unwrap();
    let out = stdout(msgl(&p.payee).arg("id"));
    assert!(!out.contains(secret.trim()));
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
}

#[test]
fn init_refuses_an_existing_home_and_makes_private_dirs() {
    let dir = tempdir();
    let home = init(dir.path(), "Node1");
    let before = std::fs::read(home.join("keys/node.key")).unwrap();
    msgl(&home)
        .args(["init", "--name", "Other"])
        .assert()
        .code(2)
        .stderr(contains("already here"));
    assert_eq!(std::fs::read(home.join("keys/node.key")).unwrap(), before);
    let cfg = std::fs::read_to_string(home.join("msgl.yaml")).unwrap();
    for k in [
        "name: Node1",
        "token: SNT",
        "decimals: 18",
        "unit_price: '0.00001'",
        "peers: []",
    ] {
        assert!(cfg.contains(k), "{cfg}");
    }
    assert_eq!(
        std::fs::read_to_string(home.join("journal.ledger")).unwrap(),
        ""
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| {
            std::fs::metadata(home.join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("keys/node.key"), 0o600);
        assert_eq!(mode("keys/evm.key"), 0o600);
        assert_eq!(mode("journal.ledger"), 0o600);
        for d in [
            "keys", "channels", "chains", "acks", "sent", "recon", "served",
        ] {
            assert_eq!(mode(d), 0o700, "{d}");
        }
    }
    msgl(&home).arg("check").assert().success();
    // Peers: a bad key, a duplicate, a bad policy.
    msgl(&home)
        .args(["peer", "add", "X", "abcd"])
        .assert()
        .code(2)
        .stderr(contains("bad public key"));
    let other = init(dir.path(), "Node2");
    let k = id(&other);
    msgl(&home)
        .args(["peer", "add", "Node2", &k])
        .assert()
        .success();
    msgl(&home)
        .args(["peer", "add", "node2", &k])
        .assert()
        .code(2)
        .stderr(contains("already exists"));
    msgl(&home)
        .args(["peer", "add", "Y", &id(&home)])
        .assert()
        .code(2)
        .stderr(contains("own key"));
    msgl(&home)
        .args(["peer", "add", "Z", &k, "--policy", "loan:5"])
        .assert()
        .code(2)
        .stderr(contains("bad policy"));
}

#[test]
fn credit_policy_decides_may_serve() {
    // credit:0.0001 = 10 units at 0.00001, growing to a cap of 0.0002.
    let p = pair(1000, "credit:0.0001");
    let cfg = p.payee.join("msgl.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace(
            "policy: credit:0.0001",
            "policy: credit:0.0001\n  cap: '0.0002'",
        ),
    )
    .unwrap();
    msgl(&p.payee)
        .args(["may-serve", "node2"])
        .assert()
        .success();
    let a = ack(&p, 1, 7);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .success();
    msgl(&p.payee)
        .arg("peers")
        .assert()
        .success()
        .stdout(contains("Node2"))
        .stdout(contains("ok"));
    let a = ack(&p, 2, 1);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    msgl(&p.payee)
        .arg("peers")
        .assert()
        .stdout(contains("near limit"));
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .success();
    let a = ack(&p, 3, 2);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    msgl(&p.payee)
        .arg("peers")
        .assert()
        .stdout(contains("over limit"));
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .stderr(contains(
            "may not serve: Node2 owes 0.0001 and its limit is 0.0001",
        ));
    msgl(&p.payee)
        .args(["-q", "may-serve", "Node2"])
        .assert()
        .code(1)
        .stderr("");
    // Paying 0.0001 clears the A/R and grows the limit by 10% of it.
    msgl(&p.payee)
        .args(["add", "payment-received", "--peer", "Node2", "-a", "0.0001"])
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(&p.payee).args(["peers", "-O", "json"]))).unwrap();
    assert_eq!(v[0]["receivable"], "0");
    assert_eq!(v[0]["paid"], "0.0001");
    assert_eq!(v[0]["limit"], "0.00011");
    assert_eq!(v[0]["status"], "ok");
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .success();
    // Unknown peer: a usage error.
    msgl(&p.payee)
        .args(["may-serve", "Nobody"])
        .assert()
        .code(2)
        .stderr(contains("unknown peer"));
    // Unpaid for more than 30 days: delinquent, whatever the limit.
    let a = ack(&p, 4, 1);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    let later = (msgl_ledger::journal::append::now_ms() + 31 * 86_400_000).to_string();
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--at", &later])
        .assert()
        .code(1)
        .stderr(contains("more than 30 days"));
    msgl(&p.payee)
        .args(["peers", "-O", "csv", "--at", &later])
        .assert()
        .stdout(contains("delinquent"));
    msgl(&p.payee).arg("check").assert().success();
}

#[test]
fn prepay_and_escrow_policies() {
    // prepay: the next message must be paid for ahead.
    let p = pair(100, "prepay");
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .stderr(contains("(prepay)"));
    msgl(&p.payee)
        .args([
            "add",
            "payment-received",
            "--peer",
            "Node2",
            "-a",
            "0.00002",
        ])
        .assert()
        .success();
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "2"])
        .assert()
        .success();
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "3"])
        .assert()
        .code(1);
    let a = ack(&p, 1, 2);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .stderr(contains("(prepay)"));
    // escrow:E: never beyond what the channels' escrow covers (the pair's
    // first channel has none), nor beyond E.
    let p = pair(100, "escrow:0.00003");
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .stderr(contains("its limit is 0 (escrow:0.00003)"));
    let o = p.dir.join("open-escrow.yaml");
    msgl(&p.payer)
        .args([
            "open", "--to", "Node1", "--units", "100", "--escrow", "0.001", "-o",
        ])
        .arg(&o)
        .assert()
        .success();
    msgl(&p.payee).arg("accept-open").arg(&o).assert().success();
    for i in 1..=2 {
        let a = ack(&p, i, 1);
        msgl(&p.payee).arg("accept").arg(&a).assert().success();
        msgl(&p.payee)
            .args(["may-serve", "Node2"])
            .assert()
            .success();
    }
    let a = ack(&p, 3, 1);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .stderr(contains("escrow:0.00003"));
}

/// A message may not overshoot the limit: may-serve counts the next
/// message's price and what was delivered but not acked yet (`msgl
/// served`), so a payer that never acks runs into its limit.
#[test]
fn may_serve_counts_the_next_message_and_what_was_served_but_not_acked() {
    // credit:0.0001 = 10 units at 0.00001.
    let p = pair(1000, "credit:0.0001");
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "10"])
        .assert()
        .success();
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "11"])
        .assert()
        .code(1)
        .stderr(contains("one more message of 0.00011 would pass it"));
    // Delivered, never acked: 4 + 4 units outstanding.
    for i in 0..2 {
        msgl(&p.payee)
            .args(["served", "Node2", "-m", &hash(i), "--price", "4"])
            .assert()
            .success()
            .stdout(contains(format!("{} units served in all", 4 * (i + 1))));
    }
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "2"])
        .assert()
        .success();
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "3"])
        .assert()
        .code(1)
        .stderr(contains("with 0.00008 delivered and not acked"));
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(&p.payee).args(["peers", "-O", "json"]))).unwrap();
    assert_eq!(v[0]["unacked"], "0.00008");
    assert_eq!(v[0]["status"], "near limit");
    // Once acked, the units move from unacked to A/R: the same exposure.
    let a = ack(&p, 0, 4);
    msgl(&p.payee).arg("accept").arg(&a).assert().success();
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(&p.payee).args(["peers", "-O", "json"]))).unwrap();
    assert_eq!(
        (v[0]["receivable"].as_str(), v[0]["unacked"].as_str()),
        (Some("0.00004"), Some("0.00004"))
    );
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--price", "3"])
        .assert()
        .code(1);
}

/// The `journal.ledger.pending` marker and the log record a commit killed
/// between writing the log and the journal leaves behind.
fn interrupted_commit(home: &Path, log: &Path, record: &str) {
    let j = home.join("journal.ledger");
    let len = std::fs::metadata(&j).unwrap().len();
    let old = std::fs::metadata(log).unwrap().len();
    let line = format!("{record}\n");
    let mut f = std::fs::OpenOptions::new().append(true).open(log).unwrap();
    std::io::Write::write_all(&mut f, line.as_bytes()).unwrap();
    let rel = log.strip_prefix(home).unwrap().display().to_string();
    std::fs::write(
        home.join("journal.ledger.pending"),
        format!(
            "msgl-append {len} {}\nlog {old} {} {rel}\nend\n",
            len + 200,
            old + line.len() as u64
        ),
    )
    .unwrap();
}

fn only_log(dir: &Path) -> PathBuf {
    let logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("log"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs[0].clone()
}

/// A crash between logging an ack and booking it leaves a record the
/// journal lacks; the next writer rolls it back (it was never reported),
/// and the retried ack is accepted once.
#[test]
fn an_interrupted_accept_is_rolled_back_by_the_next() {
    let p = pair(100, "credit:1");
    let a: Vec<PathBuf> = (1..=3).map(|i| ack(&p, i, 1)).collect();
    msgl(&p.payee).arg("accept").arg(&a[0]).assert().success();
    let log = only_log(&p.payee.join("acks"));
    let second = Ack::from_yaml(&std::fs::read_to_string(&a[1]).unwrap()).unwrap();
    interrupted_commit(&p.payee, &log, &second.to_json());
    // Readers do not see it as booked: check --evidence takes the lock,
    // which rolls the commit back first.
    msgl(&p.payee)
        .args(["check", "--evidence"])
        .assert()
        .success()
        .stderr(contains("rolled back an interrupted append"));
    assert!(!p.payee.join("journal.ledger.pending").exists());
    assert_untouched(&p.payee, 1, 1);
    msgl(&p.payee).arg("accept").arg(&a[1]).assert().success();
    msgl(&p.payee).arg("accept").arg(&a[2]).assert().success();
    assert_untouched(&p.payee, 3, 3);
}

/// The payer's side: an ack signed and logged but never booked (nor
/// handed out) is rolled back; the next `msgl ack` signs that nonce anew.
#[test]
fn an_interrupted_ack_is_rolled_back_by_the_next() {
    let p = pair(100, "credit:1");
    ack(&p, 1, 1);
    let log = only_log(&p.payer.join("sent"));
    let two = ack(&p, 2, 2);
    // Undo ack 2's commit by hand, then leave it as a kill would have.
    let kept = std::fs::read_to_string(&log).unwrap();
    let first_line = kept.lines().next().unwrap().to_string();
    std::fs::write(&log, format!("{first_line}\n")).unwrap();
    let j = journal(&p.payer);
    let cut = j.rfind("\n\n").unwrap();
    std::fs::write(p.payer.join("journal.ledger"), &j[..cut + 1]).unwrap();
    let second = Ack::from_yaml(&std::fs::read_to_string(&two).unwrap()).unwrap();
    interrupted_commit(&p.payer, &log, &second.to_json());
    let three = ack(&p, 3, 1);
    let three = Ack::from_yaml(&std::fs::read_to_string(&three).unwrap()).unwrap();
    assert_eq!((three.nonce, three.cumulative), (2, 2));
    let j = journal(&p.payer);
    assert_eq!(j.matches("MESSAGE RECEIVED").count(), 2, "{j}");
    assert!(!j.contains(&format!(":{}  0.00002", &hash(2)[..16])), "{j}");
    msgl(&p.payer)
        .args(["check", "--evidence"])
        .assert()
        .success();
}

/// A retry of an accept says the ack was already accepted and books
/// nothing.
#[test]
fn a_retried_accept_says_already_accepted_and_never_books_twice() {
    let p = pair(10, "credit:1");
    let first = ack(&p, 1, 1);
    msgl(&p.payee).arg("accept").arg(&first).assert().success();
    let name = Ack::from_yaml(&std::fs::read_to_string(&first).unwrap())
        .unwrap()
        .name();
    msgl(&p.payee)
        .arg("accept")
        .arg(&first)
        .assert()
        .code(1)
        .stderr(contains(format!("already accepted: ack {name}")))
        .stderr(contains("nothing was booked again"));
    assert_untouched(&p.payee, 1, 1);
    // The next ack is accepted as usual.
    let second = ack(&p, 2, 1);
    msgl(&p.payee).arg("accept").arg(&second).assert().success();
    assert_untouched(&p.payee, 2, 2);
}

/// `may-serve -O json|csv`: the answer on stdout for scripts, the same
/// exit status.
#[test]
fn may_serve_answers_in_json_and_csv() {
    let p = pair(1000, "credit:0.00005");
    let json = |args: &[&str], code: i32| -> serde_json::Value {
        let out = msgl(&p.payee)
            .args(["may-serve", "Node2", "-O", "json"])
            .args(args)
            .assert()
            .code(code)
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    let v = json(&[], 0);
    assert_eq!(v["may_serve"], true);
    assert!(v["reason"].is_null());
    assert_eq!(
        (v["next"].as_str(), v["limit"].as_str()),
        (Some("0.00001"), Some("0.00005"))
    );
    let v = json(&["--price", "6"], 1);
    assert_eq!(v["may_serve"], false);
    assert!(
        v["reason"].as_str().unwrap().contains("would pass it"),
        "{v}"
    );
    let csv = stdout(msgl(&p.payee).args(["may-serve", "node2", "-O", "csv"]));
    assert!(csv.starts_with("peer,may_serve,reason,status,receivable,unacked,next,limit\nNode2,true,,ok,0,0,0.00001,0.00005\n"), "{csv}");
}

/// Finding "`peer add` replaces msgl.yaml without a lock": eight `peer add`
/// at once each read msgl.yaml and wrote it back with its own peer, and a
/// write could carry a copy read before another's, losing that peer. Under
/// msgl.yaml's own lock every peer is kept, in every round.
#[test]
fn peers_added_at_once_are_all_kept() {
    let dir = tempdir();
    let keys: Vec<String> = (0..8)
        .map(|i| id(&init(dir.path(), &format!("Peer{i}"))))
        .collect();
    for round in 0..4 {
        let home = init(&dir.path().join(format!("round{round}")), "Node1");
        let children: Vec<std::process::Child> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                std::process::Command::new(env!("CARGO_BIN_EXE_msgl"))
                    .env_remove("MSGL_HOME")
                    .args(["-q", "--home"])
                    .arg(&home)
                    .args(["peer", "add", &format!("P{i}"), k])
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "round {round}");
        }
        let cfg = std::fs::read_to_string(home.join("msgl.yaml")).unwrap();
        for (i, k) in keys.iter().enumerate() {
            assert!(
                cfg.contains(&format!("name: P{i}")) && cfg.contains(k.as_str()),
                "round {round}: peer P{i} lost:\n{cfg}"
            );
        }
        msgl(&home).arg("check").assert().success();
    }
}

/// A token without decimals (`decimals: 0`, a whole base unit each):
/// the open was accepted, but v1 wrote the amount as `2.` and refused
/// every ack of the channel ("beyond the journal's amounts").
#[test]
fn a_token_without_decimals_books_its_acks() {
    let p = common::pair_configured(tempdir(), 10, "credit:100", |text| {
        assert!(text.contains("decimals: 18\n") && text.contains("unit_price: '0.00001'\n"));
        text.replace("decimals: 18\n", "decimals: 0\n")
            .replace("unit_price: '0.00001'\n", "unit_price: '2'\n")
    });
    p.exchange(1, 3);
    // 3 units of 2 base units each: 6 tokens, whole.
    let (payer, payee) = (journal(&p.payer), journal(&p.payee));
    assert!(
        payer.contains("    Liabilities:AccountsPayable:Node1:0000000000000000  6\n"),
        "{payer}"
    );
    assert!(
        payee.contains("    Assets:AccountsReceivable:Node2:0000000000000000  6\n"),
        "{payee}"
    );
    for h in [&p.payee, &p.payer] {
        msgl(h).args(["check", "--evidence"]).assert().success();
    }
}
