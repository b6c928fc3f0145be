//! Speed of the journal's exact amounts (`msgl_ledger::journal::Decimal`): reading
//! an amount as the journal does, and adding, on one thread. No harness:
//! `cargo bench -p msgl --bench decimal`.

use std::hint::black_box;
use std::time::Instant;

use msgl_ledger::journal::{parse::parse_number, Decimal};

fn per_op(n: usize, f: impl FnMut(usize)) -> f64 {
    let mut f = f;
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_secs_f64() * 1e9 / n as f64
}

fn main() {
    const N: usize = 5_000_000;
    let texts: Vec<String> = (0..1024)
        .map(|i| format!("{}.{:05}", i % 10, (i * 7919) % 100_000))
        .collect();
    let wide: Vec<String> = (0..1024)
        .map(|i| format!("{}{:011}.{:018}", i % 9 + 1, i * 7919, i * 104_729))
        .collect();
    let read = per_op(N, |i| {
        black_box(parse_number(black_box(&texts[i & 1023])).unwrap());
    });
    let read_wide = per_op(N, |i| {
        black_box(parse_number(black_box(&wide[i & 1023])).unwrap());
    });
    let small: Vec<Decimal> = texts.iter().map(|t| parse_number(t).unwrap()).collect();
    let big: Vec<Decimal> = wide.iter().map(|t| parse_number(t).unwrap()).collect();
    let mut sum = Decimal::ZERO;
    let add_same = per_op(N, |i| {
        sum = sum.checked_add(black_box(small[i & 1023])).unwrap();
    });
    let mut sum = Decimal::ZERO;
    let add_mixed = per_op(N, |i| {
        let q = if i & 1 == 0 {
            small[i & 1023]
        } else {
            big[i & 1023]
        };
        sum = sum.checked_add(black_box(q)).unwrap();
    });
    println!("read 0.00001-like amount: {read:.1} ns");
    println!("read 12-digit + 18-decimal amount: {read_wide:.1} ns");
    println!("add, same scale: {add_same:.1} ns");
    println!("add, scales 5 and 18 alternating: {add_mixed:.1} ns (sum {sum})");
}
