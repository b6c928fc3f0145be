//! Man pages and completion scripts, generated from the clap definitions
//! (the one table of flags), for `man/` and `completions/`.
//!
//! A subcommand's page shows the global flags (`--home`, `-f`, `-q`, which
//! clap propagates to every subcommand when the root command is built),
//! an EXIT STATUS section (DESIGN §7, `error::Kind`) and an EXAMPLES
//! section from the command's examples: the `EXAMPLES` const beside the
//! command's module, or the table below for the modules other work owns.
//! tests/generated_docs.rs runs every example, in [`EXAMPLE_ORDER`].

use clap_complete::Shell;

use crate::cli::command;

/// One example of a man page: what it does, and the shell command.
pub type Example = (&'static str, &'static str);

/// The examples of `may-serve`, `prove`, `verify-proof`, `calldata`,
/// `chain` and `demo` (kept here, not beside their modules).
const MAY_SERVE: &[Example] = &[(
    "Serve one more message of 1 unit only if the peer's limit allows it, then record the delivery (it counts until its ack comes)",
    "msgl --home ~/node1 may-serve node2 --price 1 && msgl --home ~/node1 served node2 -m \"$(printf 'message 3' | sha256sum | cut -c1-64)\" --price 1",
)];
const PROVE: &[Example] = &[
    (
        "Prove the latest ack of every channel in acks/, for the deployment in msgl.yaml's chain: (the zero domain without one)",
        "msgl --home ~/node1 prove ~/node1/acks -o proof",
    ),
    (
        "The same without a home (anyone can prove), for a given deployment",
        "msgl prove ~/node1/acks -o proof-31337 --chain-id 31337 --settlement 0x5FbDB2315678afecb367f032d93F642f64180aa3 --token 0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    ),
];
const CHAIN: &[Example] = &[
    (
        "Deploy a verifier, a test token and a settlement contract on a local dev node, and write them into msgl.yaml",
        "msgl --home ~/node2 chain --rpc http://127.0.0.1:8545 deploy --write-config",
    ),
    (
        "The payer deposits 10 tokens (minting them first on a test token) and opens the channel its payee accepted",
        "msgl --home ~/node2 chain deposit 10 --mint && msgl --home ~/node2 chain open acceptance.yaml",
    ),
    (
        "Each channel's escrow, count and pending exit on chain (the cache may-serve reads)",
        "msgl --home ~/node1 chain status -O json",
    ),
    (
        "Verify an on-chain proof, settle it and book SETTLED from the receipts (rerun safely after a crash)",
        "msgl --home ~/node1 chain settle proof-chain",
    ),
    (
        "The payee takes what its settlements credited it into its wallet, and books CLAIMED",
        "msgl --home ~/node1 chain claim",
    ),
];
const VERIFY_PROOF: &[Example] = &[(
    "Check a proof directory written by msgl prove (exit 0, or 1 for a proof that does not verify)",
    "msgl verify-proof proof",
)];
const CALLDATA: &[Example] = &[
    (
        "The settle call of a proven batch as 0x-hex, for cast send",
        "msgl calldata proof > settle.hex",
    ),
    (
        "The fact registry's call for the same statement",
        "msgl calldata proof --register",
    ),
];
const DEMO: &[Example] = &[(
    "The whole flow on three nodes with 50 messages, the contracts in an in-memory EVM; the homes are left in ./demo",
    "msgl demo --messages 50 --dir demo",
)];

/// The examples of a subcommand's man page (empty: no EXAMPLES section).
pub fn examples(name: &str) -> &'static [Example] {
    use crate::cli::{
        accept, accept_open, accounts, ack, add, balance, channels, check, completions, id, import,
        init, open, peer, peers, print, reconcile, register, served, settled,
    };
    match name {
        "check" => check::EXAMPLES,
        "balance" => balance::EXAMPLES,
        "register" => register::EXAMPLES,
        "add" => add::EXAMPLES,
        "init" => init::EXAMPLES,
        "peer" => peer::EXAMPLES,
        "open" => open::EXAMPLES,
        "accept-open" => accept_open::EXAMPLES,
        "ack" => ack::EXAMPLES,
        "accept" => accept::EXAMPLES,
        "may-serve" => MAY_SERVE,
        "reconcile" => reconcile::EXAMPLES,
        "prove" => PROVE,
        "verify-proof" => VERIFY_PROOF,
        "calldata" => CALLDATA,
        "settled" => settled::EXAMPLES,
        "id" => id::EXAMPLES,
        "peers" => peers::EXAMPLES,
        "channels" => channels::EXAMPLES,
        "served" => served::EXAMPLES,
        "print" => print::EXAMPLES,
        "import" => import::EXAMPLES,
        "accounts" => accounts::EXAMPLES,
        "completions" => completions::EXAMPLES,
        "demo" => DEMO,
        "chain" => CHAIN,
        _ => &[],
    }
}

/// The order in which the examples make one story (homes `~/node1`, the
/// payee, and `~/node2`, the payer; a working directory holding the
/// repository's `ledgers/`): each command's examples run after those of the
/// commands before it.
pub const EXAMPLE_ORDER: &[&str] = &[
    "init",
    "id",
    "peer",
    "open",
    "accept-open",
    "ack",
    "accept",
    "may-serve",
    "served",
    "peers",
    "channels",
    "check",
    "balance",
    "register",
    "accounts",
    "print",
    "import",
    "add",
    "reconcile",
    "prove",
    "verify-proof",
    "calldata",
    "settled",
    "chain",
    "demo",
    "completions",
];

/// The EXIT STATUS section (DESIGN §7; `error::Kind` and main.rs).
const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success; also --help and --version."),
    (
        "1",
        "A check failed or an object was refused: an entry that does not balance, a bad signature, a reconciliation that differs, an ack, open or receipt refused by a protocol rule, a proof that does not verify, a peer that may not be served. The reason goes to standard error as `msgl: FILE:LINE:COL: what (hint)`; nothing is written for what was refused.",
    ),
    (
        "2",
        "Bad usage (an unknown flag, a missing or malformed argument) or input that cannot be read: a missing or malformed file, an unknown peer, a home that is busy with a stream.",
    ),
];

/// The extra sections of a page, as roff (without roff's preamble).
fn extra_sections(examples: &[Example]) -> String {
    use roff::{bold, roman, Roff};
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    for (code, what) in EXIT_STATUS {
        r.control("TP", []).text([bold(*code)]).text([roman(*what)]);
    }
    if !examples.is_empty() {
        r.control("SH", ["EXAMPLES"]);
        for (what, cmd) in examples {
            r.control("TP", []).text([roman(*what)]).text([bold(*cmd)]);
        }
    }
    let text = r.render();
    // The page already starts with roff's preamble (the `Aq` string).
    let body = text
        .split_once("\n.el .ds Aq '\n")
        .map_or(text.as_str(), |(_, b)| b);
    body.to_string()
}

/// Renders one page, with EXIT STATUS and EXAMPLES before VERSION.
fn render(cmd: clap::Command, examples: &[Example]) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    let page = String::from_utf8(buf).expect("clap_mangen writes UTF-8");
    let extra = extra_sections(examples);
    let page = match page.find("\n.SH VERSION\n") {
        Some(i) => format!("{}\n{}{}", &page[..i], extra, &page[i + 1..]),
        None => format!("{page}{extra}"),
    };
    page.into_bytes()
}

/// (file name, contents) of every man page: `msgl.1` and `msgl-<sub>.1`.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut root = command();
    // Building propagates the global flags into every subcommand.
    root.build();
    let mut pages = vec![("msgl.1".to_string(), render(root.clone(), &[]))];
    for sub in root.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("msgl-{}", sub.get_name());
        let cmd = sub
            .clone()
            .name(name.clone())
            .version(root.get_version().unwrap_or_default().to_string());
        pages.push((format!("{name}.1"), render(cmd, examples(sub.get_name()))));
    }
    pages
}

/// (file name, contents) of the completion scripts for bash, zsh and fish.
pub fn completions() -> Vec<(String, Vec<u8>)> {
    [
        (Shell::Bash, "msgl.bash"),
        (Shell::Zsh, "_msgl"),
        (Shell::Fish, "msgl.fish"),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut command(), "msgl", &mut buf);
        (file.to_string(), buf)
    })
    .collect()
}
