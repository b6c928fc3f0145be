//! A relay's hot path (docs/BENCHMARKS.md, "Streams"): messages piped
//! `msgl ack --stream | msgl accept --stream` between two homes on disk,
//! every group committed durably, against the library doing the same
//! signing and checking in one process in the same run.
//!
//!     cargo bench -p msgl --bench stream
//!
//! MSGL_BENCH_MESSAGES (default 100000): messages of the saturated run;
//! MSGL_BENCH_PACED (default "1000 5000"): offered rates (messages/s) of
//! the paced runs, each 4 seconds, for the latency of a request to its
//! durable verdict; MSGL_BENCH_GROUP / MSGL_BENCH_GROUP_MS: the group
//! flags (default: the commands' defaults); MSGL_BENCH_DIR: where the
//! homes go (default: this target directory's tmp/, on disk — a tmpfs is
//! refused, since its syncs cost nothing).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use msgl_circuits::poseidon2;
use msgl_node::hashchain::{self, HashChain};
use msgl_node::objects::ack::{AckFields, Expanded};
use msgl_node::objects::open::Terms;
use msgl_node::objects::{Ack, Open};
use msgl_node::protocol::{ack, Channel, Role};

const BIN: &str = env!("CARGO_BIN_EXE_msgl");

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn msgl(home: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("MSGL_HOME").arg("--home").arg(home);
    c
}

fn ok(c: &mut Command) -> String {
    let out = c.output().expect("msgl runs");
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// This thread's CPU time.
fn cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Waits for a child; its user + system CPU time.
fn reap(child: Child) -> (std::process::ExitStatus, Duration) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our child.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waits for our own child, writing into the locals above.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4");
    std::mem::forget(child); // reaped here, not by Child's drop
    let t = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    use std::os::unix::process::ExitStatusExt;
    (
        std::process::ExitStatus::from_raw(status),
        t(ru.ru_utime) + t(ru.ru_stime),
    )
}

fn filesystem(dir: &Path) -> (String, bool) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
    // SAFETY: an all-zero statfs is valid; statfs fills it.
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: a NUL-terminated path and a statfs to fill.
    assert_eq!(unsafe { libc::statfs(c.as_ptr(), &mut s) }, 0, "statfs");
    const TMPFS: i64 = 0x0102_1994;
    const RAMFS: i64 = 0x8584_58f6;
    let t = s.f_type as i64;
    let name = match t {
        TMPFS => "tmpfs".to_string(),
        RAMFS => "ramfs".to_string(),
        0xEF53 => "ext4".to_string(),
        0x5846_5342 => "xfs".to_string(),
        0x9123_683E => "btrfs".to_string(),
        0x794C_7630 => "overlayfs".to_string(),
        _ => format!("type {t:#x}"),
    };
    (name, t == TMPFS || t == RAMFS)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// A run of acks signed as the stream signs a part (`Ack::signed_many`:
/// their R points compressed together), as JSON lines.
fn sign_run(key: &Expanded, run: &[AckFields]) -> Vec<String> {
    Ack::signed_many(key, run)
        .iter()
        .map(Ack::to_json)
        .collect()
}

/// The library's own rates, in this process: the payer's signing (w_i
/// from the checkpoints, sign in runs of 64, the JSON line) and the payee's checking
/// (the JSON parse and every check, the signature included), each on one
/// core; then the two at once, as the stream splits them: signing on one
/// thread, checking runs of 64 on all cores (`check_run`), no disk, no
/// pipes, no journal.
fn library(n: u64) -> (f64, f64, f64) {
    let payer = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let payee = ed25519_dalek::SigningKey::from_bytes(&[2; 32])
        .verifying_key()
        .to_bytes();
    let chain = HashChain::build(hashchain::seed(&payer.to_bytes(), &payee, 1), n);
    let open = Open::signed(
        &payer,
        &Terms {
            payee,
            generation: 1,
            channel: poseidon2::pack(&chain.anchor()),
            length: n,
            max_price: 1,
            decimals: 18,
            unit_price: 10_000_000_000_000,
            escrow: 0,
            chain: Default::default(),
        },
    );
    let channel = open.channel;
    let fields = move |i: u64, walk: &mut hashchain::Walker| {
        let mut message = [0u8; 32];
        message[..8].copy_from_slice(&i.to_be_bytes());
        AckFields {
            channel,
            payee,
            nonce: i,
            message,
            price: 1,
            cumulative: i,
            preimage: poseidon2::pack(&walk.get(i)),
        }
    };
    let key = Expanded::new(&payer);
    let t = cpu();
    let mut walk = chain.clone().walker();
    let all: Vec<AckFields> = (1..=n).map(|i| fields(i, &mut walk)).collect();
    let lines: Vec<String> = all.chunks(64).flat_map(|run| sign_run(&key, run)).collect();
    let sign = n as f64 / (cpu() - t).as_secs_f64();
    let t = cpu();
    let mut c = Channel::fresh(open.clone(), Role::In);
    for l in &lines {
        let a = Ack::parse(l).unwrap();
        ack::check(&c, &a).unwrap();
        c.apply(&a);
    }
    let check = n as f64 / (cpu() - t).as_secs_f64();
    // Both at once.
    let (send, recv) = mpsc::sync_channel::<Vec<String>>(64);
    let started = Instant::now();
    let signer = std::thread::spawn(move || {
        let key = Expanded::new(&payer);
        let mut walk = chain.walker();
        let mut run = Vec::with_capacity(64);
        for i in 1..=n {
            run.push(fields(i, &mut walk));
            if run.len() == 64 || i == n {
                send.send(sign_run(&key, &run)).unwrap();
                run.clear();
            }
        }
    });
    let mut c = Channel::fresh(open, Role::In);
    for run in recv {
        let acks: Vec<Ack> = run.iter().map(|l| Ack::parse(l).unwrap()).collect();
        ack::check_run(&mut c, &acks).unwrap();
    }
    signer.join().unwrap();
    assert_eq!(c.nonce, n);
    let both = n as f64 / started.elapsed().as_secs_f64();
    (sign, check, both)
}

struct Run {
    messages: usize,
    wall: Duration,
    latencies: Vec<Duration>,
    payer_cpu: Duration,
    payee_cpu: Duration,
}

/// `msgl ack --stream | msgl accept --stream`, fed `n` requests starting at
/// message `first`, at `rate` per second (None: as fast as they go).
fn pipeline(dir: &Path, first: u64, n: usize, rate: Option<f64>, group: &[String]) -> Run {
    let (payer, payee) = (dir.join("node2"), dir.join("node1"));
    let mut ack = msgl(&payer)
        .args(["ack", "--to", "Node1", "--stream"])
        .args(group)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut accept = msgl(&payee)
        .args(["accept", "--stream"])
        .args(group)
        .stdin(Stdio::from(ack.stdout.take().unwrap()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let verdicts = BufReader::new(accept.stdout.take().unwrap());
    let mut requests = ack.stdin.take().unwrap();
    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        let mut sent = Vec::with_capacity(n);
        let mut buf = Vec::with_capacity(64 << 10);
        let mut i = 0;
        while i < n {
            // Up to 64 requests a write, each due by now.
            let due = match rate {
                None => n,
                Some(r) => ((started.elapsed().as_secs_f64() * r) as usize + 1).min(n),
            };
            if due <= i {
                let next = started + Duration::from_secs_f64((i as f64) / rate.unwrap());
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
                continue;
            }
            buf.clear();
            let upto = due.min(i + 64);
            for k in i..upto {
                writeln!(buf, "{:064x} 1", first + k as u64).unwrap();
            }
            let at = Instant::now();
            requests.write_all(&buf).unwrap();
            sent.extend(std::iter::repeat_n(at, upto - i));
            i = upto;
        }
        drop(requests);
        sent
    });
    let mut received = Vec::with_capacity(n);
    for line in verdicts.lines() {
        let line = line.unwrap();
        assert!(
            line.starts_with("{\"verdict\":\"accepted\""),
            "refused: {line}"
        );
        received.push(Instant::now());
    }
    let sent = writer.join().unwrap();
    let wall = started.elapsed();
    let (s1, payer_cpu) = reap(ack);
    let (s2, payee_cpu) = reap(accept);
    assert!(s1.success() && s2.success(), "{s1} {s2}");
    assert_eq!(received.len(), n, "a verdict per request");
    let mut latencies: Vec<Duration> = sent
        .iter()
        .zip(&received)
        .map(|(s, r)| r.duration_since(*s))
        .collect();
    latencies.sort();
    Run {
        messages: n,
        wall,
        latencies,
        payer_cpu,
        payee_cpu,
    }
}

fn main() {
    let n: usize = env_or("MSGL_BENCH_MESSAGES", 100_000);
    let paced: Vec<f64> = std::env::var("MSGL_BENCH_PACED")
        .unwrap_or_else(|_| "1000 5000".into())
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let mut group = Vec::new();
    if let Ok(g) = std::env::var("MSGL_BENCH_GROUP") {
        group.extend(["--group".to_string(), g]);
    }
    if let Ok(g) = std::env::var("MSGL_BENCH_GROUP_MS") {
        group.extend(["--group-ms".to_string(), g]);
    }
    let base = std::env::var_os("MSGL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).unwrap();
    let (fs, memory) = filesystem(&base);
    assert!(
        !memory,
        "{} is on {fs}: syncs cost nothing there; set MSGL_BENCH_DIR to a disk",
        base.display()
    );
    let tmp = tempfile::Builder::new()
        .prefix("msgl-stream-bench")
        .tempdir_in(&base)
        .unwrap();
    let dir = tmp.path();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "streams: {n} messages of 1 unit, homes in {} ({fs}), {} cores, load average {}",
        dir.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.trim()
    );

    let paced_total: usize = paced.iter().map(|r| (*r * 4.0) as usize).sum();
    let (payee, payer) = (dir.join("node1"), dir.join("node2"));
    ok(msgl(&payee).args(["init", "--name", "Node1"]));
    ok(msgl(&payer).args(["init", "--name", "Node2"]));
    let id = |h: &Path| ok(msgl(h).arg("id")).trim().to_string();
    ok(msgl(&payee).args([
        "peer",
        "add",
        "Node2",
        &id(&payer),
        "--policy",
        "credit:1000000",
    ]));
    ok(msgl(&payer).args(["peer", "add", "Node1", &id(&payee)]));
    let open = dir.join("open.yaml");
    let units = (n + paced_total + 10).to_string();
    ok(msgl(&payer)
        .args(["open", "--to", "node1", "--units", &units, "-o"])
        .arg(&open));
    ok(msgl(&payee).arg("accept-open").arg(&open));

    let lib_n = (n as u64).min(20_000);
    let (sign, check, both) = library(lib_n);
    println!(
        "library, in this process ({lib_n} acks): sign {sign:.0}/s, check {check:.0}/s (one core each, CPU time); \
         both at once as the stream splits them (sign | check_run on all cores): {both:.0}/s wall"
    );

    let r = pipeline(dir, 1, n, None, &group);
    let rate = r.messages as f64 / r.wall.as_secs_f64();
    println!(
        "end to end, saturated: {} messages in {:.2} s = {rate:.0} acks/s ({:.2} of the library's {both:.0}/s); \
         CPU per ack: payer {:.1} µs, payee {:.1} µs; request to durable verdict (queueing included): \
         p50 {}, p99 {}, max {}",
        r.messages,
        r.wall.as_secs_f64(),
        rate / both,
        r.payer_cpu.as_secs_f64() * 1e6 / n as f64,
        r.payee_cpu.as_secs_f64() * 1e6 / n as f64,
        ms(pct(&r.latencies, 0.5)),
        ms(pct(&r.latencies, 0.99)),
        ms(*r.latencies.last().unwrap())
    );
    let mut next = n as u64 + 1;
    for rate in paced {
        let m = (rate * 4.0) as usize;
        let r = pipeline(dir, next, m, Some(rate), &group);
        next += m as u64;
        println!(
            "end to end, paced at {rate:.0}/s: {m} messages in {:.2} s; request to durable verdict: \
             p50 {}, p99 {}, max {}",
            r.wall.as_secs_f64(),
            ms(pct(&r.latencies, 0.5)),
            ms(pct(&r.latencies, 0.99)),
            ms(*r.latencies.last().unwrap())
        );
    }
    let t = Instant::now();
    for h in [&payee, &payer] {
        let out = ok(msgl(h).args(["check", "--evidence"]));
        assert!(out.contains(&format!("{} entries", next - 1)), "{out}");
    }
    println!(
        "both homes pass check --evidence ({} entries each; {:.2} s)",
        next - 1,
        t.elapsed().as_secs_f64()
    );
}
