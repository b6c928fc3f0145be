//! Writes the benchmark data set: `gen_journal N DIR` writes DIR/N.ledger
//! (msgl) and DIR/N.journal (hledger and ledger-cli), deterministically.

use std::io::BufWriter;

// The tests' generator, shared by path (it is in no library's API).
#[path = "../tests/common/testdata.rs"]
mod testdata;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: gen_journal N DIR");
        std::process::exit(2);
    }
    let n: usize = args[1].parse().expect("N is a number");
    let dir = std::path::Path::new(&args[2]);
    std::fs::create_dir_all(dir)?;
    let mut m = BufWriter::new(std::fs::File::create(dir.join(format!("{n}.ledger")))?);
    let mut h = BufWriter::new(std::fs::File::create(dir.join(format!("{n}.journal")))?);
    testdata::generate(n, 200, 42, &mut m, &mut h)
}
