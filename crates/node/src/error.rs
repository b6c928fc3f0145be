//! The node's errors: a typed [`Error`] whose every variant carries the one
//! line the user reads (msgl-ledger's [`Diagnostic`], which prints it).
//!
//! Callers and tests match on the variant: a protocol rule's refusal, the
//! chain's failure, a malformed object, or an error of the ledger below
//! (the journal, a file, standard output). The variant decides the exit
//! status (DESIGN §10.1).

use std::fmt;
use std::path::Path;

pub use msgl_ledger::error::{clean, is_unsafe_char, Diagnostic, Location};

pub use msgl_ledger::error::Error as LedgerError;

use crate::protocol::Refusal;

/// Why a node operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// From msgl-ledger: the journal, a file, standard output; it keeps
    /// its own variant ([`LedgerError::Exists`], `Io`, `Output`, …).
    Ledger(LedgerError),
    /// Malformed input the node reads: a key, msgl.yaml, a receipt, an
    /// argument (exit 2).
    Input(Diagnostic),
    /// A check failed: a statement that is not valid, a mismatch between
    /// the home's files and the journal, a channel's limit (exit 1).
    Check(Diagnostic),
    /// A signed object (open, acceptance, ack, reconciliation) is malformed:
    /// it does not read, breaks its format's rules, or names another
    /// domain (exit 1).
    Object(Diagnostic),
    /// A signature does not verify, or is not the expected key's (exit 1).
    Signature(Diagnostic),
    /// A protocol rule refused an object: nothing was kept or booked
    /// (exit 1).
    Refused {
        refusal: Box<Refusal>,
        diag: Diagnostic,
    },
    /// A batch proof does not verify against its statement; `why` is the
    /// verifier's typed reason (exit 1).
    Proof {
        why: msgl_circuits::VerifyError,
        diag: Diagnostic,
    },
    /// The chain's JSON-RPC node could not be reached, answered wrongly, or
    /// a transaction failed on chain (exit 1).
    Chain(Diagnostic),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn input(what: impl Into<String>) -> Self {
        Error::Input(Diagnostic::new(what))
    }

    pub fn check(what: impl Into<String>) -> Self {
        Error::Check(Diagnostic::new(what))
    }

    pub fn object(what: impl Into<String>) -> Self {
        Error::Object(Diagnostic::new(what))
    }

    pub fn signature(what: impl Into<String>) -> Self {
        Error::Signature(Diagnostic::new(what))
    }

    pub fn chain(what: impl Into<String>) -> Self {
        Error::Chain(Diagnostic::new(what))
    }

    /// An I/O failure on `path` (the ledger's [`LedgerError::Io`]).
    pub fn io(path: impl AsRef<Path>, err: std::io::Error) -> Self {
        Error::Ledger(LedgerError::io(path, err))
    }

    /// `path` exists already and was not overwritten.
    pub fn exists(path: impl AsRef<Path>) -> Self {
        Error::Ledger(LedgerError::exists(path))
    }

    /// Writing to standard output failed.
    pub fn output(err: std::io::Error) -> Self {
        Error::Ledger(LedgerError::output(err))
    }

    /// The protocol rule that refused an object, if one did.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }

    /// The ledger's error, if this is one.
    pub fn ledger(&self) -> Option<&LedgerError> {
        match self {
            Error::Ledger(e) => Some(e),
            _ => None,
        }
    }

    /// True when a file that must be new exists already.
    pub fn is_exists(&self) -> bool {
        matches!(self, Error::Ledger(LedgerError::Exists(_)))
    }

    /// True when the reader of standard output went away (`| head`).
    pub fn is_closed_output(&self) -> bool {
        self.ledger().is_some_and(LedgerError::is_closed_output)
    }

    /// What the user reads.
    pub fn diag(&self) -> &Diagnostic {
        match self {
            Error::Ledger(e) => e.diag(),
            Error::Input(d)
            | Error::Check(d)
            | Error::Object(d)
            | Error::Signature(d)
            | Error::Chain(d) => d,
            Error::Refused { diag, .. } | Error::Proof { diag, .. } => diag,
        }
    }

    pub fn diag_mut(&mut self) -> &mut Diagnostic {
        match self {
            Error::Ledger(e) => e.diag_mut(),
            Error::Input(d)
            | Error::Check(d)
            | Error::Object(d)
            | Error::Signature(d)
            | Error::Chain(d) => d,
            Error::Refused { diag, .. } | Error::Proof { diag, .. } => diag,
        }
    }

    /// What went wrong, without the place or the hint.
    pub fn what(&self) -> &str {
        &self.diag().what
    }

    pub fn location(&self) -> Option<&Location> {
        self.diag().location.as_deref()
    }

    pub fn at(mut self, file: &str, line: usize, col: usize) -> Self {
        self.diag_mut().at(file, line, col);
        self
    }

    /// Names the file the error is about (see [`Diagnostic::in_file`]).
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.diag_mut().in_file(file.as_ref());
        self
    }

    /// Names the input file `name` unless the error already names one.
    pub fn or_in_file(mut self, name: &str) -> Self {
        self.diag_mut().or_in_file(name);
        self
    }

    /// Drops the location, for a caller that knows a better one.
    pub fn without_location(mut self) -> Self {
        self.diag_mut().location = None;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.diag_mut().hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Ledger(e) => e.exit_code(),
            Error::Input(_) => 2,
            Error::Check(_)
            | Error::Object(_)
            | Error::Signature(_)
            | Error::Refused { .. }
            | Error::Proof { .. }
            | Error::Chain(_) => 1,
        }
    }
}

impl From<LedgerError> for Error {
    fn from(e: LedgerError) -> Self {
        Error::Ledger(e)
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        let mut diag = Diagnostic::new(refusal.what());
        diag.hint = refusal.hint();
        Error::Refused {
            refusal: Box::new(refusal),
            diag,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diag().fmt(f)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::client::Client;
    use crate::home::Home;

    #[test]
    fn a_refusal_is_its_rule_with_its_message() {
        let e = Error::from(Refusal::PriceZero);
        assert_eq!(e.refusal(), Some(&Refusal::PriceZero));
        assert_eq!(e.exit_code(), 1);
        assert_eq!(e.what(), Refusal::PriceZero.what());
        assert_eq!(e.diag().hint, Refusal::PriceZero.hint());
        // Placed in a file, it is still the same rule.
        let e = e.in_file("acks/x.yaml");
        assert!(matches!(&e, Error::Refused { refusal, .. } if **refusal == Refusal::PriceZero));
        assert!(
            e.to_string().starts_with("msgl: acks/x.yaml: price 0"),
            "{e}"
        );
    }

    #[test]
    fn the_ledgers_errors_pass_through_unchanged() {
        let ledger = LedgerError::exists("proof-1").hint("choose another -o");
        let e = Error::from(ledger.clone());
        assert!(e.is_exists() && e.ledger() == Some(&ledger));
        assert_eq!((e.to_string(), e.exit_code()), (ledger.to_string(), 2));
        let closed = Error::output(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(closed.is_closed_output());
        assert!(!Error::input("x").is_closed_output());
        assert_eq!(Error::check("x").exit_code(), 1);
        assert_eq!(Error::input("x").exit_code(), 2);
    }

    #[test]
    fn a_changed_ack_is_a_bad_signature_and_garbage_a_malformed_object() {
        use crate::objects::ack::{Ack, AckFields};
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let fields = AckFields {
            channel: [1; 32],
            payee: [2; 32],
            nonce: 1,
            message: [3; 32],
            price: 1,
            cumulative: 1,
            preimage: [0; 32],
        };
        let mut ack = Ack::signed(&key, fields);
        ack.verify().unwrap();
        // The payee's dream: the same signature over a higher price.
        ack.price = 1000;
        assert!(matches!(ack.verify(), Err(Error::Signature(_))));
        let e = Ack::parse("{\"price\": \"lots\"}").unwrap_err();
        assert!(matches!(e, Error::Object(_)), "{e:?}");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn a_chain_node_that_does_not_answer_is_a_chain_error() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::locate(Some(dir.path()));
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let e = Client::connect(&home, &url, None, 1, None).err().unwrap();
        assert!(matches!(e, Error::Chain(_)), "{e:?}");
        assert_eq!(e.exit_code(), 1);
        // A URL msgl cannot use is bad input, not the chain's failure.
        let e = Client::connect(&home, "https://127.0.0.1:1", None, 1, None)
            .err()
            .unwrap();
        assert!(matches!(e, Error::Input(_)), "{e:?}");
    }
}
