//! Phase timings of one chain proof: `cargo run --release -p msgl-circuits
//! --example profile -- UNITS [bare | CHANNELS]` prints Stwo's tracing
//! spans as they close (for the chain proof over CHANNELS channels, default
//! 100, or the bare component with `bare`).

use msgl_circuits::poseidon2::{self, Digest, P};
use msgl_circuits::{prove, Entry, Statement};
use tracing_subscriber::fmt::format::FmtSpan;

fn main() {
    let units: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(150_000);
    let channels: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let n = channels.clamp(1, units.max(1));
    let entries = (0..n)
        .map(|i| {
            let u = units / n + u64::from(i < units % n);
            let pre: Digest = std::array::from_fn(|k| ((i * 8 + k as u64 + 1) % P as u64) as u32);
            let mut channel = [0u8; 32];
            channel[24..].copy_from_slice(&i.to_be_bytes());
            Entry {
                channel,
                old_tip: poseidon2::hash_n(&pre, u),
                old_count: 0,
                new_preimage: pre,
                new_count: u,
            }
        })
        .collect();
    let statement = Statement {
        domain: Default::default(),
        entries,
    };
    tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false)
        .init();
    let t = std::time::Instant::now();
    let proof = if std::env::args().nth(2).as_deref() == Some("bare") {
        msgl_circuits::prove_bare(units).expect("prove bare")
    } else {
        prove(&statement).expect("prove")
    };
    eprintln!(
        "total {:.3} s, proof {} bytes",
        t.elapsed().as_secs_f64(),
        proof.to_bytes().len()
    );
}
