//! A deterministic journal generator for tests and benchmarks: one data
//! set written in msgl's format and in hledger's, independently of msgl's
//! printers (its own sign flips), so that the two formats cross-check.
//!
//! Shape: ~`peers` peers, per-message sub-accounts, messages both ways
//! (some in the single-posting implied form), payments of earlier
//! messages, and about 30% of entries with an elided amount.
//!
//! Not in any library's API: the tests use it as `common::testdata`,
//! `examples/gen_journal.rs` includes this file by path.

use std::io::{self, Write};

/// A small, fast, deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (account, msgl amount, hledger amount); `None` is an elided amount.
type Posting = (String, Option<String>, Option<String>);

/// Writes `n` entries to `msgl` and the same entries to `hledger`.
pub fn generate(
    n: usize,
    peers: usize,
    seed: u64,
    msgl: &mut impl Write,
    hledger: &mut impl Write,
) -> io::Result<()> {
    let mut rng = Rng(seed | 1);
    let mut ts: u64 = 1_592_063_779_399;
    // Unpaid messages per peer: (msg id, units) — sent (A/R) and received (A/P).
    let mut owed_to_us: Vec<Vec<(u64, u64)>> = vec![Vec::new(); peers];
    let mut we_owe: Vec<Vec<(u64, u64)>> = vec![Vec::new(); peers];
    let mut next_msg: u64 = 0;
    for seq in 1..=n as u64 {
        ts += 1 + rng.below(100_000);
        let p = rng.below(peers as u64) as usize;
        let peer = format!("Node{:03}", p + 1);
        let roll = rng.below(100);
        let date = msgl_ledger::journal::print::date_of_ms(ts);
        let elide = rng.below(100) < 60;
        // Postings as (account, msgl amount, hledger amount); None = elided.
        let (desc, postings): (&str, Vec<Posting>) = if roll < 70 {
            next_msg += 1;
            let id = next_msg;
            let units = 1 + rng.below(9);
            let amt = fmt_units(units);
            let neg = format!("-{amt}");
            let sent = roll < 35;
            let msg = format!("{:016x}", id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            if sent {
                owed_to_us[p].push((id, units));
            } else {
                we_owe[p].push((id, units));
            }
            let implied = roll % 35 < 20;
            let (desc, main, counter, main_h, counter_h) = if sent {
                (
                    "MESSAGE SENT",
                    format!("Assets:AccountsReceivable:{peer}:{msg}"),
                    format!("Income:Messages:{peer}"),
                    amt.clone(),
                    neg.clone(),
                )
            } else {
                (
                    "MESSAGE RECEIVED",
                    format!("Liabilities:AccountsPayable:{peer}:{msg}"),
                    format!("Expenses:Messages:{peer}"),
                    neg.clone(),
                    amt.clone(),
                )
            };
            if implied {
                // msgl writes one posting; hledger needs both.
                writeln!(msgl, "{ts} ({seq}) {desc}\n    {main}  {amt}\n")?;
                writeln!(
                    hledger,
                    "{date} ({seq}) {desc}\n    {main}  {main_h}\n    {counter}  {counter_h}\n"
                )?;
                continue;
            }
            let c = if elide { None } else { Some(amt.clone()) };
            let ch = if elide { None } else { Some(counter_h) };
            (
                desc,
                vec![(main, Some(amt.clone()), Some(main_h)), (counter, c, ch)],
            )
        } else {
            let received = roll < 85;
            let queue = if received {
                &mut owed_to_us[p]
            } else {
                &mut we_owe[p]
            };
            let (id, units) = if queue.is_empty() {
                (0, 1 + rng.below(9))
            } else {
                queue.swap_remove(rng.below(queue.len() as u64) as usize)
            };
            let amt = fmt_units(units);
            let neg = format!("-{amt}");
            let msg = format!("{:016x}", id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let c = if elide { None } else { Some(neg.clone()) };
            if received {
                let ca = if elide { None } else { Some(amt.clone()) };
                (
                    "PAYMENT RECEIVED",
                    vec![
                        (
                            format!("Assets:AccountsReceivable:{peer}:{msg}"),
                            Some(neg.clone()),
                            Some(neg.clone()),
                        ),
                        ("Assets:Cash:SNT".to_string(), ca.clone(), ca),
                    ],
                )
            } else {
                (
                    "PAYMENT SENT",
                    vec![
                        (
                            format!("Liabilities:AccountsPayable:{peer}:{msg}"),
                            Some(neg.clone()),
                            Some(amt.clone()),
                        ),
                        ("Assets:Cash:SNT".to_string(), c.clone(), c),
                    ],
                )
            }
        };
        writeln!(msgl, "{ts} ({seq}) {desc}")?;
        writeln!(hledger, "{date} ({seq}) {desc}")?;
        for (account, m, h) in &postings {
            match m {
                Some(a) => writeln!(msgl, "    {account}  {a}")?,
                None => writeln!(msgl, "    {account}")?,
            }
            match h {
                Some(a) => writeln!(hledger, "    {account}  {a}")?,
                None => writeln!(hledger, "    {account}")?,
            }
        }
        writeln!(msgl)?;
        writeln!(hledger)?;
    }
    Ok(())
}

/// `units` × 0.00001, as text.
fn fmt_units(units: u64) -> String {
    let d = msgl_ledger::journal::Decimal::new(units as i64, 5);
    d.to_string()
}
