//! msgl: the `msgl` command's own code, the CLI and the demo.
//!
//! A library target only so that `main.rs`, this package's integration
//! tests (the clap definition behind the man pages) and the fuzz oracles
//! reach it; it is not an API. One module per subcommand in `cli`; each
//! parses, calls the libraries and prints: the journal and its reports are
//! msgl-ledger's, everything a node keeps, signs and proves is msgl-node's.

// The libraries' modules under short names, so that `crate::journal`,
// `crate::protocol` and the rest read the same in every CLI module. The
// CLI's errors are msgl-node's, which carry msgl-ledger's.
use msgl_ledger::{accounts, fsutil, journal};
use msgl_node::{batch, chain, error, home, keys, objects, policy, proof, protocol, store, yaml};

pub mod cli;
pub mod demo;
