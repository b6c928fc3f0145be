//! The journal fuzz oracle, shared by `fuzz_targets/journal.rs` and the
//! regression test `tests/fuzz_regressions.rs` (included with `#[path]`), so
//! that a replayed input goes through exactly the code the fuzzer ran.
//!
//! For any bytes: the in-memory parser and the file parser (blocks on worker
//! threads) never panic and agree (both refuse, or both give the same
//! entries); a journal that parses prints (`print::journal`) to text that
//! parses again to the same entries, modulo line numbers and the amounts
//! `print` infers, and printing that gives the same text.

use msgl_ledger::journal::{self, print, Journal, Source};

/// `with_file`: also run the file parser (a file write, threads and a
/// 4 MB block buffer per call: the fuzz target does it for 1 input in 16).
pub fn check(data: &[u8], scratch: &std::path::Path, with_file: bool) {
    let text = String::from_utf8_lossy(data);
    let parsed = journal::parse_str(&text, "fuzz");
    if with_file && std::str::from_utf8(data).is_ok() {
        std::fs::write(scratch, data).expect("write the scratch journal");
        let from_file = journal::parse_file(&Source::File(scratch.to_path_buf()));
        match (&parsed, &from_file) {
            (Ok(a), Ok(b)) => same_entries(a, b, "parse_str vs parse_file"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!(
                "parse_str and parse_file disagree:\n  str:  {:?}\n  file: {:?}",
                a.as_ref().map(|j| j.entries.len()),
                b.as_ref().map(|j| j.entries.len())
            ),
        }
    }
    if let Ok(j) = &parsed {
        roundtrip(j);
    }
}

fn same_entries(a: &Journal, b: &Journal, what: &str) {
    assert_eq!(a, b, "{what}");
}

fn roundtrip(j: &Journal) {
    let text = print::journal(j);
    let again = journal::parse_str(&text, "printed")
        .unwrap_or_else(|e| panic!("the printed journal does not parse: {e}\n---\n{text}---"));
    assert_eq!(j.entries.len(), again.entries.len(), "entry count\n{text}");
    for (a, b) in j.entries.iter().zip(&again.entries) {
        assert_eq!(
            (a.timestamp, a.seq, &a.description, &a.comment, &a.notes),
            (b.timestamp, b.seq, &b.description, &b.comment, &b.notes),
            "header or notes changed\n{text}"
        );
        assert_eq!(a.postings.len(), b.postings.len(), "posting count\n{text}");
        let resolved = a.resolve(false).ok();
        for (i, (p, q)) in a.postings.iter().zip(&b.postings).enumerate() {
            assert_eq!(
                (&p.account, &p.comment),
                (&q.account, &q.comment),
                "posting {i} changed\n{text}"
            );
            let want = match (&p.amount, &resolved) {
                (Some(x), _) => Some(x),
                (None, Some(r)) => Some(&r[i].amount),
                (None, None) => None,
            };
            assert_eq!(want, q.amount.as_ref(), "posting {i}'s amount\n{text}");
        }
    }
    assert_eq!(print::journal(&again), text, "printing is not a fixpoint");
}
