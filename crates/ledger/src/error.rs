//! The ledger's errors: a typed [`Error`] whose every variant carries the
//! one line the user reads, a [`Diagnostic`].
//!
//! A diagnostic prints as `msgl: FILE:LINE:COL: what (hint)`, the form of
//! every msgl error (DESIGN §10.1); [`Diagnostic`]'s `Display` is the one
//! place that writes it, for this crate's errors and for the node's. The
//! variant says what kind of failure it is, for callers and tests to match
//! on, and decides the exit status: 1 when a check failed, 2 for bad usage,
//! unreadable input or output that could not be written.

use std::fmt;
use std::io;
use std::path::Path;

/// Where in which file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

/// What the user reads about an error: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Option<Box<Location>>,
    /// The name of the file without a line (e.g. a YAML object or a key).
    pub file: Option<String>,
    /// What went wrong, without a trailing period.
    pub what: String,
    /// How to fix it, if we know.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(what: impl Into<String>) -> Self {
        Diagnostic {
            location: None,
            file: None,
            what: what.into(),
            hint: None,
        }
    }

    /// Places the problem at `line`:`col` of `file`.
    pub fn at(&mut self, file: &str, line: usize, col: usize) {
        self.location = Some(Box::new(Location {
            file: file.to_string(),
            line,
            col,
        }));
    }

    /// Names the file the problem is about; a location read from text
    /// whose file was not known (`<input>`) takes this name too.
    pub fn in_file(&mut self, file: &Path) {
        let name = file.display().to_string();
        if let Some(l) = &mut self.location {
            if l.file == "<input>" {
                l.file = name.clone();
            }
        }
        self.file = Some(name);
    }

    /// Names the input file `name` unless the diagnostic names one already
    /// (a location in another file stays).
    pub fn or_in_file(&mut self, name: &str) {
        let named = match &self.location {
            Some(l) => l.file != "<input>",
            None => self.file.is_some(),
        };
        if !named {
            self.in_file(Path::new(name));
        }
    }
}

/// Why a ledger operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Malformed input: journal text that does not parse, an amount out of
    /// range, a bad argument (exit 2).
    Input(Diagnostic),
    /// A check failed: an unbalanced entry, a total that does not match
    /// (exit 1).
    Check(Diagnostic),
    /// Reading or writing a file failed; `kind` says how (exit 2).
    Io {
        kind: io::ErrorKind,
        diag: Diagnostic,
    },
    /// A file that must be new exists already; nothing was overwritten
    /// (exit 2).
    Exists(Diagnostic),
    /// Writing to standard output failed; a `BrokenPipe` `kind` means the
    /// reader went away (`msgl print | head`), see
    /// [`Error::is_closed_output`] (exit 2).
    Output {
        kind: io::ErrorKind,
        diag: Diagnostic,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn input(what: impl Into<String>) -> Self {
        Error::Input(Diagnostic::new(what))
    }

    pub fn check(what: impl Into<String>) -> Self {
        Error::Check(Diagnostic::new(what))
    }

    /// An I/O failure on `path`.
    pub fn io(path: impl AsRef<Path>, err: io::Error) -> Self {
        let hint = match err.kind() {
            io::ErrorKind::NotFound => Some("check the path, or pass --home DIR / -f FILE"),
            io::ErrorKind::PermissionDenied => Some("check the file's permissions"),
            _ => None,
        };
        let mut diag = Diagnostic::new(err.to_string());
        diag.in_file(path.as_ref());
        diag.hint = hint.map(str::to_string);
        Error::Io {
            kind: err.kind(),
            diag,
        }
    }

    /// `path` exists already and was not overwritten.
    pub fn exists(path: impl AsRef<Path>) -> Self {
        let mut diag = Diagnostic::new("already exists; not overwritten");
        diag.in_file(path.as_ref());
        Error::Exists(diag)
    }

    /// Writing to standard output failed.
    pub fn output(err: io::Error) -> Self {
        Error::Output {
            kind: err.kind(),
            diag: Diagnostic::new(format!("cannot write output: {err}")),
        }
    }

    /// True when the reader of standard output went away (a broken pipe):
    /// a report cut short by `| head` is not a failure.
    pub fn is_closed_output(&self) -> bool {
        matches!(
            self,
            Error::Output {
                kind: io::ErrorKind::BrokenPipe,
                ..
            }
        )
    }

    /// What the user reads.
    pub fn diag(&self) -> &Diagnostic {
        match self {
            Error::Input(d) | Error::Check(d) | Error::Exists(d) => d,
            Error::Io { diag, .. } | Error::Output { diag, .. } => diag,
        }
    }

    pub fn diag_mut(&mut self) -> &mut Diagnostic {
        match self {
            Error::Input(d) | Error::Check(d) | Error::Exists(d) => d,
            Error::Io { diag, .. } | Error::Output { diag, .. } => diag,
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

    /// Names the file the error is about; a location read from text whose
    /// file was not known (`<input>`) takes this name too.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.diag_mut().in_file(file.as_ref());
        self
    }

    /// Names the input file `name` unless the error already names one
    /// (a location in another file stays).
    pub fn or_in_file(mut self, name: &str) -> Self {
        self.diag_mut().or_in_file(name);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.diag_mut().hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Check(_) => 1,
            _ => 2,
        }
    }
}
/// A character that must not reach a terminal from untrusted text: a
/// control character, or one that reorders text (bidi formatting, as in
/// "Trojan Source").
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with [`is_unsafe_char`] characters escaped (`\u{1b}`): for any
/// output that shows text a peer or a file supplied.
pub fn clean(s: &str) -> String {
    struct Clean<'a>(&'a str);
    impl fmt::Display for Clean<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_clean(f, self.0)
        }
    }
    Clean(s).to_string()
}

/// Writes `s` with [`is_unsafe_char`] characters escaped (`\u{1b}`), so an
/// error that echoes hostile input (a path, an argument) cannot drive the
/// terminal or hide text.
fn write_clean(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    use fmt::Write as _;
    for c in s.chars() {
        if is_unsafe_char(c) {
            write!(f, "{}", c.escape_unicode())?;
        } else {
            f.write_char(c)?;
        }
    }
    Ok(())
}

/// The one-line form of every msgl error: `msgl: FILE:LINE:COL: what (hint)`,
/// with text from files and peers escaped.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "msgl: ")?;
        if let Some(l) = &self.location {
            write_clean(f, &l.file)?;
            write!(f, ":{}:{}: ", l.line, l.col)?;
        } else if let Some(file) = &self.file {
            write_clean(f, file)?;
            write!(f, ": ")?;
        }
        write_clean(f, &self.what)?;
        if let Some(h) = &self.hint {
            write!(f, " (")?;
            write_clean(f, h)?;
            write!(f, ")")?;
        }
        Ok(())
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
    use crate::journal::check::{join_blocks, CheckBlock};
    use crate::journal::parse_str;

    #[test]
    fn a_journal_that_does_not_parse_is_input_at_its_place() {
        let e = parse_str("1592063779399 (1) OK\n    Assets:Cash  1x\n", "j.ledger").unwrap_err();
        assert!(matches!(e, Error::Input(_)), "{e:?}");
        assert_eq!(e.exit_code(), 2);
        let l = e.location().expect("a parse error has a place");
        assert_eq!((l.file.as_str(), l.line), ("j.ledger", 2));
        assert!(e.to_string().starts_with("msgl: j.ledger:2:"), "{e}");
    }

    #[test]
    fn an_unbalanced_entry_is_a_failed_check() {
        let text = "1592063779399 (1) OK\n    Assets:Cash  1\n    Income:Fees  -2\n";
        let journal = parse_str(text, "j.ledger").unwrap();
        let mut block = CheckBlock::default();
        block.entry("j.ledger", &journal.entries[0], false);
        let (_, problems) = join_blocks("j.ledger", vec![block]);
        assert!(matches!(problems[..], [Error::Check(_)]), "{problems:?}");
        assert_eq!(problems[0].exit_code(), 1);
    }

    #[test]
    fn io_exists_and_output_keep_their_kind() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = Error::io("nowhere/j.ledger", missing);
        assert!(matches!(
            e,
            Error::Io {
                kind: io::ErrorKind::NotFound,
                ..
            }
        ));
        assert!(e.diag().hint.is_some(), "a missing file says what to check");
        assert!(matches!(Error::exists("p"), Error::Exists(_)));
        let closed = Error::output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(closed.is_closed_output());
        let full = Error::output(io::Error::from(io::ErrorKind::StorageFull));
        assert!(!full.is_closed_output() && matches!(full, Error::Output { .. }));
        for e in [e, closed, full, Error::exists("p"), Error::input("x")] {
            assert_eq!(e.exit_code(), 2, "{e}");
        }
    }

    #[test]
    fn the_one_line_form_names_the_place_and_escapes_hostile_text() {
        let e = Error::check("bad \u{1b}[2J")
            .at("<input>", 3, 7)
            .hint("fix it")
            .or_in_file("j.ledger");
        assert_eq!(e.to_string(), "msgl: j.ledger:3:7: bad \\u{1b}[2J (fix it)");
        // A place in another file stays.
        let e = Error::input("x")
            .at("other.ledger", 1, 1)
            .or_in_file("j.ledger");
        assert_eq!(e.to_string(), "msgl: other.ledger:1:1: x");
        let e = Error::input("x").or_in_file("k.yaml");
        assert_eq!(e.to_string(), "msgl: k.yaml: x");
    }
}
