//! Invariants, checked on generated journals and lines.

use msgl_ledger::journal::Decimal;
use proptest::prelude::*;

use msgl_ledger::accounts::{Balances, Query};
use msgl_ledger::journal::{self, Amount, Entry, Posting};

fn account() -> impl Strategy<Value = String> {
    let top = prop::sample::select(vec![
        "Assets",
        "Liabilities",
        "Equity",
        "Income",
        "Expenses",
    ]);
    let seg = "[A-Za-z][A-Za-z0-9]{0,6}( [A-Za-z]{1,3})?|[0-9a-f]{16}|Caf\u{e9}";
    (top, prop::collection::vec(seg, 0..4)).prop_map(|(t, segs)| {
        let mut a = t.to_string();
        for s in segs {
            a.push(':');
            a.push_str(&s);
        }
        a
    })
}

fn quantity() -> impl Strategy<Value = Decimal> {
    (-10_000_000i64..10_000_000, 0u32..8).prop_map(|(m, s)| Decimal::new(m, s))
}

/// A balanced entry: random postings, the last one balancing (elided or not).
fn entry() -> impl Strategy<Value = Entry> {
    (
        prop::collection::vec(
            (account(), quantity(), prop::option::of("[a-z][a-z ]{0,10}")),
            1..4,
        ),
        account(),
        any::<bool>(),
        "[A-Z][A-Za-z0-9 ]{0,20}",
        prop::option::of("[a-z]{1,5}: [a-z0-9/.]{1,12}"),
        prop::option::of(prop::sample::select(vec!["SNT", "EUR"])),
    )
        .prop_map(|(ps, last, elide, desc, comment, commodity)| {
            let commodity = commodity.map(str::to_string);
            let mut postings: Vec<Posting> = ps
                .into_iter()
                .map(|(a, q, c)| Posting {
                    line: 0,
                    account: a,
                    amount: Some(Amount {
                        quantity: q,
                        commodity: commodity.clone(),
                    }),
                    comment: c.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
                })
                .collect();
            let debit: Decimal = postings
                .iter()
                .map(|p| {
                    p.amount.as_ref().unwrap().quantity
                        * journal::AccountType::of(&p.account).unwrap().sign()
                })
                .sum();
            let ty = journal::AccountType::of(&last).unwrap();
            postings.push(Posting {
                line: 0,
                account: last,
                amount: (!elide).then(|| Amount {
                    quantity: -debit * ty.sign(),
                    commodity: commodity.clone(),
                }),
                comment: None,
            });
            Entry {
                line: 0,
                timestamp: 0,
                seq: 0,
                description: desc.trim_end().to_string(),
                comment,
                postings,
                notes: Vec::new(),
            }
        })
}

fn journal_of(mut entries: Vec<Entry>) -> journal::Journal {
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
        e.timestamp = 1_600_000_000_000 + i as u64 * 1000;
    }
    journal::Journal { entries }
}

/// The entry as a reader sees it, without positions and with inferred
/// amounts written in.
fn normalized(e: &Entry) -> Entry {
    let resolved = e.resolve(false).unwrap();
    let mut e = e.clone();
    e.line = 0;
    for (p, r) in e.postings.iter_mut().zip(resolved) {
        p.line = 0;
        p.amount = Some(r.amount);
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn print_then_parse_is_the_identity(entries in prop::collection::vec(entry(), 1..8)) {
        let j = journal_of(entries);
        let text = journal::print::journal(&j);
        let back = journal::parse_str(&text, "generated").unwrap();
        prop_assert_eq!(back.entries.len(), j.entries.len());
        for (a, b) in j.entries.iter().zip(&back.entries) {
            prop_assert_eq!(normalized(a), normalized(b));
        }
        prop_assert_eq!(journal::print::journal(&back), text);
    }

    #[test]
    fn every_parent_equals_the_sum_of_its_children(entries in prop::collection::vec(entry(), 1..12)) {
        let j = journal_of(entries);
        let mut b = Balances::default();
        for e in &j.entries {
            b.add_entry(e, "generated", &Query::default()).unwrap();
        }
        let commodities = b.commodities();
        let report = b.report(None, false, &commodities);
        let mut rows: Vec<(String, Vec<(u16, Decimal)>)> = Vec::new();
        report.walk(|a, _, amounts| rows.push((a.to_string(), amounts.to_vec())));
        let flat = b.report(None, true, &commodities);
        let mut own: Vec<(String, Vec<(u16, Decimal)>)> = Vec::new();
        flat.walk(|a, _, amounts| own.push((a.to_string(), amounts.to_vec())));
        let get = |v: &[(u16, Decimal)], c: u16| v.iter().find(|x| x.0 == c).map_or(Decimal::ZERO, |x| x.1);
        for (name, amounts) in &rows {
            for c in 0..commodities.len() as u16 {
                // parent = its own postings + the sum of its direct children
                let children: Decimal = rows
                    .iter()
                    .filter(|(n, _)| n.strip_prefix(name.as_str()).and_then(|r| r.strip_prefix(':')).is_some_and(|r| !r.contains(':')))
                    .map(|(_, a)| get(a, c))
                    .sum();
                let mine = own.iter().find(|(n, _)| n == name).map_or(Decimal::ZERO, |(_, a)| get(a, c));
                prop_assert_eq!(get(amounts, c), children + mine, "{}", name);
            }
        }
        // and the roots add up to every posting
        for c in 0..commodities.len() as u16 {
            let roots: Decimal = rows.iter().filter(|(n, _)| !n.contains(':')).map(|(_, a)| get(a, c)).sum();
            let all: Decimal = own.iter().map(|(_, a)| get(a, c)).sum();
            prop_assert_eq!(roots, all);
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The fast line scanner never disagrees with the grammar: whenever it
    /// reads a line, the grammar reads it the same way.
    #[test]
    fn fast_scanner_agrees_with_the_grammar(line in "[0-9]{1,3}[ \t(]{0,2}[0-9a]{0,2}[) ]{0,2}[A-Za-z ;:\t]{0,6}|[ \t]{1,3}[A-Za-z:; \u{e9}]{0,10}[ \t]{0,3}[-+0-9.]{0,5}[ ]{0,2}[A-Za-z_;:0-9 ]{0,6}") {
        let (grammar, fast) = journal::parse::both_readings(&line);
        if let Some(f) = fast {
            prop_assert_eq!(Some(f), grammar, "line {:?}", line);
        }
    }
}

#[test]
fn fast_scanner_reads_the_common_lines() {
    for l in [
        "1592063779399 (1023) MESSAGE SENT",
        "1592063779399 (1023) X  ; ack: acks/a.yaml",
        "    Assets:Cash:SNT  -0.00001",
        "\tAssets:Cash\t5 SNT ; c",
        "    Assets:Cash:SNT",
        "    ; note",
    ] {
        let (grammar, fast) = journal::parse::both_readings(l);
        assert!(fast.is_some(), "{l}");
        assert_eq!(fast, grammar, "{l}");
    }
}

/// An independent oracle: the amount as a whole number of 10^-18 in a
/// 512-bit integer (no decimal code shared with `Decimal`).
fn base_units(int: u128, frac: &str) -> alloy_primitives::Signed<512, 8> {
    type I512 = alloy_primitives::Signed<512, 8>;
    let ten18 = I512::try_from(10u128.pow(18)).unwrap();
    let mut f: u128 = 0;
    for b in frac.bytes() {
        f = f * 10 + u128::from(b - b'0');
    }
    let f = f * 10u128.pow(18 - frac.len() as u32);
    I512::try_from(int).unwrap() * ten18 + I512::try_from(f).unwrap()
}

/// `x` (in 10^-18) as the journal prints a normalized decimal.
fn oracle_text(x: alloy_primitives::Signed<512, 8>) -> String {
    let neg = x.is_negative();
    let digits = x.unsigned_abs().to_string();
    let digits = format!("{digits:0>19}");
    let (int, frac) = digits.split_at(digits.len() - 18);
    let frac = frac.trim_end_matches('0');
    let sign = if neg { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// (text, negative, integer part < 10^20, decimals ≤ 18).
fn exact_amount() -> impl Strategy<Value = (String, bool, u128, String)> {
    (
        any::<bool>(),
        0u128..100_000_000_000_000_000_000,
        "[0-9]{0,18}",
        0u32..21,
    )
        .prop_map(|(neg, int, frac, digits)| {
            // Magnitudes spread over every order up to 10^20.
            let int = int % 10u128.pow(digits);
            let text = if frac.is_empty() {
                format!("{}{int}", if neg { "-" } else { "" })
            } else {
                format!("{}{int}.{frac}", if neg { "-" } else { "" })
            };
            (text, neg, int, frac)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Amounts with up to 18 decimals and magnitudes up to 10^20, summed in
    /// any order (as numbers, and as postings of one account read through
    /// the journal, whose blocks add up in any order), equal the exact sum.
    #[test]
    fn sums_are_exact_in_any_order(
        amounts in prop::collection::vec(exact_amount(), 1..60),
        order in any::<prop::sample::Index>(),
    ) {
        type I512 = alloy_primitives::Signed<512, 8>;
        let mut want = I512::ZERO;
        for (_, neg, int, frac) in &amounts {
            let v = base_units(*int, frac);
            want = if *neg { want - v } else { want + v };
        }
        let want = oracle_text(want);
        // A rotation and a reversal of the order.
        let k = order.index(amounts.len());
        let mut orders = vec![amounts.clone()];
        let mut rotated = amounts.clone();
        rotated.rotate_left(k);
        orders.push(rotated.clone());
        rotated.reverse();
        orders.push(rotated);
        for list in &orders {
            let mut sum = Decimal::ZERO;
            for (text, ..) in list {
                let q = journal::parse::parse_number(text.trim_start_matches('-')).unwrap();
                let q = if text.starts_with('-') { -q } else { q };
                sum = sum.checked_add(q).unwrap();
            }
            prop_assert_eq!(sum.normalize().to_string(), want.clone());
        }
        // Through the journal: each amount against Equity, summed by `bal`'s
        // tables.
        let mut text = String::new();
        for (i, (a, ..)) in amounts.iter().enumerate() {
            text += &format!("{} ({}) X\n    Assets:A  {a}\n    Equity:E\n\n", 1 + i, 1 + i);
        }
        let j = journal::parse_str(&text, "exact").unwrap();
        let mut b = Balances::default();
        for e in &j.entries {
            b.add_entry(e, "exact", &Query::default()).unwrap();
        }
        let net = b.net();
        prop_assert_eq!(net[0].quantity.normalize().to_string(), want);
    }
}

#[test]
fn one_wei_on_a_hundred_billion_and_ten_28_digit_amounts() {
    let text =
        "1 (1) X\n    Assets:A  100000000000\n    Assets:A  0.000000000000000001\n    Equity:E\n";
    let j = journal::parse_str(text, "wei").unwrap();
    let mut b = Balances::default();
    b.add_entry(&j.entries[0], "wei", &Query::default())
        .unwrap();
    assert_eq!(
        b.net()[0].quantity.to_string(),
        "100000000000.000000000000000001"
    );
    let mut text = String::new();
    for i in 0..10 {
        text += &format!(
            "{} ({}) X\n    Assets:A  9999999999999999999999999999\n    Equity:E\n\n",
            i + 1,
            i + 1
        );
    }
    let j = journal::parse_str(&text, "28").unwrap();
    let mut b = Balances::default();
    for e in &j.entries {
        b.add_entry(e, "28", &Query::default()).unwrap();
    }
    assert_eq!(
        b.net()[0].quantity.to_string(),
        "99999999999999999999999999990"
    );
}
