//! Where a journal is read from: a file, standard input (copied aside when a
//! report must read it twice), and the byte order mark some editors write.

use super::*;

/// Where a journal comes from.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Stdin,
    /// Standard input, copied as it is read into this new file (for a
    /// report that reads its input twice); named `-` like [`Source::Stdin`].
    StdinCopiedTo(PathBuf),
}

impl Source {
    /// `-` is standard input, like hledger's `-f -`.
    pub fn from_arg(p: &Path) -> Source {
        if p.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(p.to_path_buf())
        }
    }

    /// The name used in error messages.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Stdin | Source::StdinCopiedTo(_) => "-".to_string(),
        }
    }

    pub(super) fn open(&self) -> Result<Box<dyn Read + Send>> {
        Ok(match self {
            Source::File(p) => {
                let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
                if meta.is_dir() {
                    return Err(Error::input("is a directory, not a journal")
                        .in_file(p)
                        .hint("pass the journal file, e.g. -f DIR/journal.ledger"));
                }
                let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
                // An append under way (or interrupted) is not part of the
                // journal yet: read up to where it starts.
                match crate::journal::append::pending(p) {
                    Some((old, _)) => Box::new(f.take(old)),
                    None => Box::new(f),
                }
            }
            Source::Stdin => Box::new(std::io::stdin()),
            Source::StdinCopiedTo(p) => {
                let copy = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(p)
                    .map_err(|e| Error::io(p, e))?;
                Box::new(Tee {
                    input: std::io::stdin(),
                    copy,
                })
            }
        })
    }
}

/// A reader that writes what it reads to `copy`.
pub(super) struct Tee<R> {
    input: R,
    copy: std::fs::File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        std::io::Write::write_all(&mut self.copy, &buf[..n])?;
        Ok(n)
    }
}

/// The UTF-8 byte order mark some editors put at the start of a file.
pub const BOM: &str = "\u{feff}";

pub(super) fn read_retry(input: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}
