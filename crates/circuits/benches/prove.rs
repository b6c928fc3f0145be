//! Chain-batch proof vs bare Poseidon2 proof, per batch size.
//!
//! `cargo bench -p msgl-circuits --bench prove` runs every size in a child
//! process (a re-exec of this binary with `--child KIND UNITS`) so that each
//! size's peak RSS (VmHWM) is its own, and prints a Markdown table.
//! `--sizes 4096,150000` limits the sizes; `--reps N` sets proving repetitions.

use std::process::Command;
use std::time::Instant;

use msgl_circuits::air::Layout;
use msgl_circuits::poseidon2::{self, Digest, P};
use msgl_circuits::{prove, prove_bare, verify, verify_bare, Entry, Statement};

const CHANNELS: u64 = 100;

fn statement(units: u64) -> Statement {
    let n = CHANNELS.min(units);
    let entries = (0..n)
        .map(|i| {
            let u = units / n + u64::from(i < units % n);
            let pre: Digest =
                std::array::from_fn(|k| ((i * 8 + k as u64 + 1) * 2_654_435_761 % P as u64) as u32);
            let mut channel = [0u8; 32];
            channel[24..].copy_from_slice(&i.to_be_bytes());
            Entry {
                channel,
                old_tip: poseidon2::hash_n(&pre, u),
                old_count: 1_000 * i,
                new_preimage: pre,
                new_count: 1_000 * i + u,
            }
        })
        .collect();
    Statement {
        domain: Default::default(),
        entries,
    }
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of this process so far (from /proc/self/stat).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime is the 12th, stime the 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Child: prints `first_s median_s proof_bytes verify_ms hwm_kb cpu_s_per_prove`.
fn child(kind: &str, units: u64, reps: usize) {
    let st = (kind == "chain").then(|| statement(units));
    let mut times = Vec::new();
    let mut proof = None;
    let cpu0 = cpu_secs();
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let p = match &st {
            Some(s) => prove(s).expect("prove"),
            None => prove_bare(units).expect("prove bare"),
        };
        times.push(t.elapsed().as_secs_f64());
        proof = Some(p);
    }
    let cpu_per_prove = (cpu_secs() - cpu0) / times.len() as f64;
    let proof = proof.expect("at least one repetition");
    let bytes = proof.to_bytes();
    let n_verify = 5;
    let t = Instant::now();
    for _ in 0..n_verify {
        match &st {
            Some(s) => verify(s, &proof).expect("verify"),
            None => verify_bare(units, &proof).expect("verify bare"),
        }
    }
    let verify_ms = t.elapsed().as_secs_f64() * 1000.0 / n_verify as f64;
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    println!(
        "RESULT {} {} {} {:.3} {} {:.3}",
        times[0],
        median,
        bytes.len(),
        verify_ms,
        vm_hwm_kb(),
        cpu_per_prove
    );
}

struct Res {
    first: f64,
    median: f64,
    bytes: usize,
    verify_ms: f64,
    hwm_kb: u64,
    cpu: f64,
}

fn run_child(kind: &str, units: u64, reps: usize) -> Res {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe)
        .args([
            "--child",
            kind,
            &units.to_string(),
            "--reps",
            &reps.to_string(),
        ])
        .output()
        .expect("spawn child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "child {kind} {units} failed: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let f: Vec<&str> = line.split_whitespace().skip(1).collect();
    Res {
        first: f[0].parse().unwrap(),
        median: f[1].parse().unwrap(),
        bytes: f[2].parse().unwrap(),
        verify_ms: f[3].parse().unwrap(),
        hwm_kb: f[4].parse().unwrap(),
        cpu: f[5].parse().unwrap(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let reps: usize = arg("--reps").and_then(|r| r.parse().ok()).unwrap_or(5);
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let kind = args[i + 1].clone();
        let units: u64 = args[i + 2].parse().expect("units");
        child(&kind, units, reps);
        return;
    }
    let sizes: Vec<u64> = match arg("--sizes") {
        Some(s) => s.split(',').map(|x| x.parse().expect("size")).collect(),
        None => {
            let mut v: Vec<u64> = (12..=18).map(|k| 1u64 << k).collect();
            v.push(150_000);
            v
        }
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load.trim());
    let cfg = msgl_circuits::air::pcs_config();
    println!(
        "{}-bit config (pow {}, log blowup {}, {} queries); {CHANNELS} channels; prove time = median of {reps} (first in parentheses); verify = mean of 5",
        cfg.security_bits(),
        cfg.pow_bits,
        cfg.fri_config.log_blowup_factor,
        cfg.fri_config.n_queries
    );
    let n_hash = 1u64 << 20;
    let t = Instant::now();
    let d = poseidon2::hash_n(&[1, 2, 3, 4, 5, 6, 7, 8], n_hash);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "native H (one thread): {n_hash} hashes in {secs:.3} s = {:.2} M hashes/s (digest[0] = {})",
        n_hash as f64 / secs / 1e6,
        d[0]
    );
    println!("| units | layout (perms/row x rows) | chain prove s | chain units/s | bare prove s | bare perms/s | ratio chain/bare | chain proof KB | bare proof KB | chain verify ms | chain peak RSS MB | bare peak RSS MB | chain CPU s/prove | bare CPU s/prove | ratio by CPU |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for &u in &sizes {
        let l = Layout::for_units(u);
        let c = run_child("chain", u, reps);
        let b = run_child("bare", u, reps);
        println!(
            "| {u} | {} x 2^{} | {:.3} ({:.3}) | {:.0} | {:.3} ({:.3}) | {:.0} | {:.2} | {:.0} | {:.0} | {:.2} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} |",
            l.per_row,
            l.log_rows,
            c.median,
            c.first,
            u as f64 / c.median,
            b.median,
            b.first,
            u as f64 / b.median,
            b.median / c.median,
            c.bytes as f64 / 1024.0,
            b.bytes as f64 / 1024.0,
            c.verify_ms,
            c.hwm_kb as f64 / 1024.0,
            b.hwm_kb as f64 / 1024.0,
            c.cpu,
            b.cpu,
            b.cpu / c.cpu,
        );
    }
}
