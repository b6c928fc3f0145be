//! The command line: one module per subcommand, each with its `Args`
//! (parsed by clap: the one table of flags from which help, man pages and
//! completions are generated) and a `run` that calls into the library and
//! prints.
//!
//! Adding a subcommand: a module here with `pub struct Args` (clap::Args)
//! and `pub fn run(args: &Args, ctx: &Ctx) -> Result<()>`, a variant in
//! `Command` and an arm in `run`.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::home::Home;
use crate::journal::{self, Journal, Source};

pub mod accept;
pub mod accept_open;
pub mod accounts;
pub mod ack;
pub mod add;
pub mod balance;
pub mod calldata;
pub mod chain;
pub mod channels;
pub mod check;
pub mod completions;
pub mod demo;
pub mod docs;
pub mod id;
pub mod import;
pub mod init;
pub mod may_serve;
pub mod open;
pub mod peer;
pub mod peers;
pub mod print;
pub mod progress;
pub mod prove;
pub mod reconcile;
pub mod register;
pub mod served;
pub mod settled;
pub mod verify_proof;

/// msgl: plaintext double-entry books, signed acks, reconciliation and
/// STARK-proven settlement for the nodes of a paid messaging network.
#[derive(Debug, Parser)]
#[command(name = "msgl", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, ClapArgs)]
pub struct Global {
    /// The node's home directory [default: $MSGL_HOME, else the current directory]
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "MSGL_HOME",
        hide_env = true
    )]
    pub home: Option<PathBuf>,
    /// Read this journal instead of the home's journal.ledger (`-` is standard input)
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print nothing but errors and requested data
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    #[command(visible_alias = "bal")]
    Balance(balance::Args),
    #[command(visible_alias = "reg")]
    Register(register::Args),
    Accounts(accounts::Args),
    Print(print::Args),
    Import(import::Args),
    Add(add::Args),
    Init(init::Args),
    Id(id::Args),
    Peer(peer::Args),
    Peers(peers::Args),
    MayServe(may_serve::Args),
    Open(open::Args),
    AcceptOpen(accept_open::Args),
    Channels(channels::Args),
    Ack(ack::Args),
    Accept(accept::Args),
    Served(served::Args),
    Reconcile(reconcile::Args),
    Prove(prove::Args),
    VerifyProof(verify_proof::Args),
    Calldata(calldata::Args),
    Settled(settled::Args),
    Chain(chain::Args),
    Demo(demo::Args),
    Completions(completions::Args),
}

/// What every command gets besides its own arguments.
pub struct Ctx {
    pub global: Global,
}

impl Ctx {
    pub fn home(&self) -> Home {
        Home::locate(self.global.home.as_deref())
    }

    /// The journal to read: `-f FILE`, else the home's journal.
    pub fn journal_source(&self) -> Source {
        match &self.global.file {
            Some(f) => Source::from_arg(f),
            None => Source::File(self.home().journal_path()),
        }
    }

    pub fn load_journal(&self) -> Result<Journal> {
        Ok(journal::parse_file(&self.journal_source())?)
    }

    /// The node's token (the commodity meant by a bare amount).
    pub fn token(&self) -> Result<String> {
        Ok(match self.home().config_opt()? {
            Some(c) => c.token,
            None => crate::home::DEFAULT_TOKEN.to_string(),
        })
    }
}

/// `-O/--output`: every report has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// For people
    #[default]
    Text,
    /// For scripts: one JSON document
    Json,
    /// For scripts and spreadsheets: a header row, then one row per line
    Csv,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct OutputArg {
    /// Output format
    #[arg(short = 'O', long = "output", value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Parses the arguments and runs the command.
pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx { global: cli.global };
    match &cli.command {
        Command::Check(a) => check::run(a, &ctx),
        Command::Balance(a) => balance::run(a, &ctx),
        Command::Register(a) => register::run(a, &ctx),
        Command::Accounts(a) => accounts::run(a, &ctx),
        Command::Print(a) => print::run(a, &ctx),
        Command::Import(a) => import::run(a, &ctx),
        Command::Add(a) => add::run(a, &ctx),
        Command::Init(a) => init::run(a, &ctx),
        Command::Id(a) => id::run(a, &ctx),
        Command::Peer(a) => peer::run(a, &ctx),
        Command::Peers(a) => peers::run(a, &ctx),
        Command::MayServe(a) => may_serve::run(a, &ctx),
        Command::Open(a) => open::run(a, &ctx),
        Command::AcceptOpen(a) => accept_open::run(a, &ctx),
        Command::Channels(a) => channels::run(a, &ctx),
        Command::Ack(a) => ack::run(a, &ctx),
        Command::Accept(a) => accept::run(a, &ctx),
        Command::Served(a) => served::run(a, &ctx),
        Command::Reconcile(a) => reconcile::run(a, &ctx),
        Command::Prove(a) => prove::run(a, &ctx),
        Command::VerifyProof(a) => verify_proof::run(a, &ctx),
        Command::Calldata(a) => calldata::run(a, &ctx),
        Command::Settled(a) => settled::run(a, &ctx),
        Command::Chain(a) => chain::run(a, &ctx),
        Command::Demo(a) => demo::run(a, &ctx),
        Command::Completions(a) => completions::run(a, &ctx),
    }
}

/// Writes to stdout; a closed pipe (`msgl bal | head`) ends quietly.
pub fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::output(e)),
    }
}

/// `1 entry`, `2 entries`: a count and its noun, singular for one.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A CSV field, quoted when needed.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Reads FILE, or standard input for `-`: (name for messages, text).
pub fn read_input(path: &std::path::Path) -> Result<(String, String)> {
    // Signed objects are small: read at most the YAML bound (and one byte
    // more, to know), so `/dev/zero` or a huge file cannot exhaust memory.
    let max = crate::yaml::MAX_YAML_BYTES as u64;
    let (name, read) = if path.as_os_str() == "-" {
        let read = crate::fsutil::read_bounded_from(std::io::stdin(), max)
            .map_err(|e| e.map(|e| Error::input(format!("cannot read standard input: {e}"))));
        ("<stdin>".to_string(), read)
    } else {
        let read =
            crate::fsutil::read_bounded(path, max).map_err(|e| e.map(|e| Error::io(path, e)));
        (path.display().to_string(), read)
    };
    let bytes = read.map_err(|e| {
        e.unwrap_or_else(|| {
            Error::input(format!("larger than {max} bytes"))
                .in_file(&name)
                .hint("not an object msgl wrote (acks, opens and reconciliations are small)")
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input("not UTF-8 text")
            .in_file(&name)
            .hint("not an object msgl wrote")
    })?;
    Ok((name, text))
}

/// Names the input file in an error about an object read from it.
pub fn blame(e: Error, name: &str) -> Error {
    e.or_in_file(name)
}

/// A clap usage error, rendered over several lines (message, tips, usage),
/// as one msgl error line: `msgl: what (tips; see `msgl CMD --help`)`.
/// `args` (the command line) names the subcommand when clap's text does not.
pub fn usage_error(rendered: &str, args: &[String]) -> Error {
    let mut what = String::new();
    let mut tips = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if let Some(w) = line.strip_prefix("error: ") {
            what = w.to_string();
        } else if let Some(t) = line.strip_prefix("tip: ") {
            tips.push(t.to_string());
        } else if line.is_empty()
            || line.starts_with("Usage: ")
            || line.starts_with("For more information")
        {
            continue;
        } else if !what.is_empty() {
            // The list under "the following required arguments were not
            // provided:" and the like.
            if !what.ends_with(':') {
                what.push(',');
            }
            what.push(' ');
            what.push_str(line);
        }
    }
    if what.is_empty() {
        what = rendered.lines().next().unwrap_or("bad usage").to_string();
    }
    tips.push(help_hint(args));
    Error::input(what).hint(tips.join("; "))
}

/// The one place a library error becomes what the user reads: the line
/// `msgl: FILE:LINE:COL: what (hint)` for stderr and the exit status
/// (DESIGN §10.1). Every error carries a hint; the command's help
/// (`args` being the command line) is the last resort.
pub fn report(mut e: Error, args: &[String]) -> (String, i32) {
    let diag = e.diag_mut();
    if diag.hint.is_none() {
        diag.hint = Some(help_hint(args));
    }
    (e.to_string(), e.exit_code())
}

/// `see `msgl CMD --help``, CMD the subcommand named on the command line
/// `args` (aliases resolved), if any.
pub fn help_hint(args: &[String]) -> String {
    let cmd = <Cli as clap::CommandFactory>::command();
    let sub = args.iter().skip(1).find_map(|a| {
        cmd.get_subcommands()
            .find(|c| c.get_name() == a || c.get_all_aliases().any(|x| x == a))
            .map(|c| c.get_name().to_string())
    });
    match sub {
        Some(s) => format!("see `msgl {s} --help`"),
        None => "see `msgl --help`".to_string(),
    }
}
