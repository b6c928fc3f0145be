//! Acks and chains (docs/BENCHMARKS.md, "Acks and chains"): acks signed and
//! accepted per second through the library on one core, and the cost of
//! deriving w_i on a chain of n = 2^20 with and without checkpoints.
//!
//! `cargo bench -p msgl --bench acks` (set MSGL_BENCH_ACKS=N to change the
//! number of acks, default 20000).

use std::time::{Duration, Instant};

use msgl_circuits::poseidon2;
use msgl_node::hashchain::{self, HashChain};
use msgl_node::objects::ack::AckFields;
use msgl_node::objects::open::Terms;
use msgl_node::objects::{Ack, Open};
use msgl_node::protocol::{ack, Channel, Role};

/// This thread's CPU time: on a shared machine, wall time counts the time
/// other processes had the core.
fn cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A clock of wall and CPU time.
struct Clock(Instant, Duration);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu())
    }
    /// (wall, cpu)
    fn stop(&self) -> (Duration, Duration) {
        (self.0.elapsed(), cpu() - self.1)
    }
}

fn rate(n: u64, (wall, cpu): (Duration, Duration)) -> String {
    format!(
        "{:>8.0}/s CPU ({:.1} µs each; wall {:.0}/s)",
        n as f64 / cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / n as f64,
        n as f64 / wall.as_secs_f64()
    )
}

fn main() {
    let acks: u64 = std::env::var("MSGL_BENCH_ACKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let payer = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let payee = ed25519_dalek::SigningKey::from_bytes(&[2; 32])
        .verifying_key()
        .to_bytes();
    let n = acks;

    println!("acks and chains, one core, {acks} acks of one unit each");
    let t = Instant::now();
    let seed = hashchain::seed(&payer.to_bytes(), &payee, 1);
    let chain = HashChain::build(seed, n);
    let built = t.elapsed();
    println!(
        "chain of {n} built with checkpoints: {:.3} s",
        built.as_secs_f64()
    );
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

    // Payer: derive w_i from the checkpoints and sign.
    let t = Clock::start();
    let mut walk = chain.clone().walker();
    let mut signed = Vec::with_capacity(acks as usize);
    for i in 1..=acks {
        let mut message = [0u8; 32];
        message[..8].copy_from_slice(&i.to_be_bytes());
        signed.push(Ack::signed(
            &payer,
            AckFields {
                channel: open.channel,
                payee,
                nonce: i,
                message,
                price: 1,
                cumulative: i,
                preimage: poseidon2::pack(&walk.get(i)),
            },
        ));
    }
    println!(
        "signed (w_i walked from checkpoints + sign): {}",
        rate(acks, t.stop())
    );

    // Payee: verify signature, nonce, cumulative, price, preimage; advance.
    let mut state = Channel::fresh(open.clone(), Role::In);
    let t = Clock::start();
    for a in &signed {
        ack::check(&state, a).unwrap();
        state.apply(a);
    }
    let d = t.stop();
    assert_eq!(state.cumulative, acks);
    println!(
        "accepted one by one (verify + checks + H): {}",
        rate(acks, d)
    );

    // The same, 64 acks at a time (`check_run`: the signatures on all
    // cores, one batch per core; wall time is what shows it).
    let mut state = Channel::fresh(open.clone(), Role::In);
    let t = Clock::start();
    for run in signed.chunks(64) {
        ack::check_run(&mut state, run).unwrap();
    }
    let d = t.stop();
    assert_eq!(state.cumulative, acks);
    println!(
        "accepted in runs of 64 (check_run):        {}",
        rate(acks, d)
    );

    // One by one with the YAML parse of each ack, as `msgl accept` reads it.
    let texts: Vec<String> = signed.iter().map(|a| a.to_yaml()).collect();
    let mut state = Channel::fresh(open.clone(), Role::In);
    let t = Clock::start();
    for text in &texts {
        let a = Ack::from_yaml(text).unwrap();
        ack::check(&state, &a).unwrap();
        state.apply(&a);
    }
    println!(
        "accepted one by one, with the YAML parse:  {}",
        rate(acks, t.stop())
    );

    // w_i on a chain of 2^20.
    let n: u64 = 1 << 20;
    let seed = hashchain::seed(&payer.to_bytes(), &payee, 2);
    let t = Instant::now();
    let big = HashChain::build(seed, n);
    let build = t.elapsed();
    println!(
        "n = 2^20: building the chain and its {} checkpoints (spacing {}): {:.3} s ({:.3} µs per hash)",
        big.points.len(),
        big.spacing,
        build.as_secs_f64(),
        build.as_secs_f64() * 1e6 / n as f64
    );
    let samples: Vec<u64> = (0..200u64).map(|k| (k * 5_242_877) % (n + 1)).collect();
    let t = Instant::now();
    let mut sink = 0u32;
    for &i in &samples {
        sink ^= big.get(i)[0];
    }
    let d = t.elapsed();
    println!(
        "n = 2^20: w_i with checkpoints: {:.1} µs on average (at most {} hashes)",
        d.as_secs_f64() * 1e6 / samples.len() as f64,
        big.spacing
    );
    let t = Instant::now();
    let mut worst = big.get(1);
    for _ in 0..100 {
        worst = big.get(1);
    }
    println!(
        "n = 2^20: w_i with checkpoints, worst case (i = 1): {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / 100.0
    );
    let few = &samples[..10];
    let t = Instant::now();
    for &i in few {
        let w = HashChain::get_from_seed(&seed, n, i);
        assert_eq!(w, big.get(i));
        sink ^= w[0];
    }
    let d = t.elapsed();
    println!(
        "n = 2^20: w_i without checkpoints (H^(n-i) of the seed): {:.1} ms on average, {:.1} ms for w_0",
        d.as_secs_f64() * 1e3 / few.len() as f64,
        build.as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let bytes = big.to_bytes();
    let loaded = HashChain::from_bytes(&bytes).unwrap();
    println!(
        "n = 2^20: checkpoint file {} bytes, decoded in {:.1} µs",
        bytes.len(),
        t.elapsed().as_secs_f64() * 1e6
    );
    assert_eq!(loaded.get(12345), big.get(12345));
    std::hint::black_box((sink, worst));
}
