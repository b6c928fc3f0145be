//! Safe file writes (DESIGN §7.1): write to a temporary file in the same
//! directory, sync, then rename; never silently overwrite.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically; refuses if `path` exists.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, false, None)
}

/// Writes `bytes` to `path` atomically (write-then-rename). With
/// `replace`, an existing file is replaced whole; otherwise its presence is
/// an error. `mode` sets Unix permissions on the new file (e.g. 0o600).
pub fn write_atomic(path: &Path, bytes: &[u8], replace: bool, mode: Option<u32>) -> Result<()> {
    let mut f = NewFile::create(path, mode)?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.commit(replace)
}

/// A file being written beside its final name (`.<name>.tmp.<pid>`), put
/// in place whole by [`NewFile::commit`]; dropped uncommitted, it is
/// removed. Lets a long output be streamed to disk and still appear all at
/// once or not at all.
pub struct NewFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl NewFile {
    pub fn create(path: &Path, mode: Option<u32>) -> Result<NewFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .ok_or_else(|| Error::input("not a file path").in_file(path))?;
        let tmp = dir.join(format!(
            ".{}.tmp.{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(mode.unwrap_or(0o644));
        }
        #[cfg(not(unix))]
        let _ = mode;
        // The name carries our pid: a file already there was left by a
        // killed process that had the same pid, and no one else can be
        // writing it now; it is removed and made anew.
        let file = match opts.open(&tmp) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = std::fs::remove_file(&tmp);
                opts.open(&tmp)
            }
            other => other,
        }
        .map_err(|e| Error::io(path, e))?;
        Ok(NewFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Where the bytes are until the commit.
    pub fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes and syncs what was written (the file stays uncommitted).
    pub fn sync(&mut self) -> std::io::Result<()> {
        let f = self.file.as_mut().expect("not yet committed");
        f.flush()?;
        f.get_ref().sync_all()
    }

    /// Puts the file in place: with `replace` over an existing one,
    /// otherwise only if there is none ("already exists; not overwritten").
    pub fn commit(mut self, replace: bool) -> Result<()> {
        let path = self.path.clone();
        self.sync().map_err(|e| Error::io(&path, e))?;
        self.file = None;
        let done = if replace {
            std::fs::rename(&self.tmp, &path)
        } else {
            // hard_link fails if the target exists: no silent overwrite, no race.
            std::fs::hard_link(&self.tmp, &path).and_then(|_| std::fs::remove_file(&self.tmp))
        };
        if let Err(e) = done {
            let _ = std::fs::remove_file(&self.tmp);
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                return Err(Error::exists(&path).hint("choose another name, or remove it first"));
            }
            return Err(Error::io(&path, e));
        }
        let dir = self.tmp.parent().unwrap_or(Path::new("."));
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Write for NewFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("not yet committed").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("not yet committed").flush()
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        // Committed: the temporary name is gone (or, after a rename, the
        // final file must not be touched); otherwise remove it.
        if self.file.is_some() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Creates a directory (and its parents); `private`: mode 0700.
pub fn mkdir(path: &Path, private: bool) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

/// Reads a file of at most `max` bytes; `Err(None)` if larger (decided from
/// the first `max + 1` bytes, so a growing file or a device such as
/// /dev/zero cannot make it read more).
pub fn read_bounded(path: &Path, max: u64) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    let f = std::fs::File::open(path).map_err(Some)?;
    // A regular file's size, when it is within the bound, is the buffer's:
    // read without growing it (an endless or growing file still stops at
    // `max`).
    let size = f.metadata().map(|m| m.len()).unwrap_or(0).min(max);
    read_into(f, max, Vec::with_capacity(size as usize + 1))
}

/// As [`read_bounded`], from any reader (standard input).
pub fn read_bounded_from(
    r: impl std::io::Read,
    max: u64,
) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    read_into(r, max, Vec::new())
}

/// At most `max` bytes into `bytes`, then one byte more tried (into a
/// byte of its own): `Err(None)` if there is one. The buffer grows only
/// while it holds fewer than `max` bytes, never to hold byte `max + 1`
/// (reading that one into the buffer doubled it to 2 × `max` before).
fn read_into(
    mut r: impl std::io::Read,
    max: u64,
    mut bytes: Vec<u8>,
) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    use std::io::Read;
    (&mut r).take(max).read_to_end(&mut bytes).map_err(Some)?;
    let mut one = [0u8; 1];
    loop {
        match r.read(&mut one) {
            Ok(0) => return Ok(bytes),
            Ok(_) => return Err(None),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Some(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp_of(dir: &Path, name: &str) -> PathBuf {
        dir.join(format!(".{name}.tmp.{}", std::process::id()))
    }

    #[test]
    fn reads_are_bounded_to_the_byte() {
        let d = tempfile::tempdir().unwrap();
        for len in [0usize, 1, 99, 100, 101, 5000] {
            let p = d.path().join(format!("f{len}"));
            std::fs::write(&p, vec![7u8; len]).unwrap();
            let r = read_bounded(&p, 100);
            let s = read_bounded_from(std::fs::File::open(&p).unwrap(), 100);
            if len <= 100 {
                assert_eq!(r.unwrap(), vec![7u8; len]);
                assert_eq!(s.unwrap(), vec![7u8; len]);
            } else {
                assert!(matches!(r, Err(None)) && matches!(s, Err(None)), "{len}");
            }
        }
        if Path::new("/dev/zero").exists() {
            assert!(matches!(
                read_bounded(Path::new("/dev/zero"), 1000),
                Err(None)
            ));
        }
        assert!(matches!(
            read_bounded(&d.path().join("none"), 10),
            Err(Some(_))
        ));
    }

    #[test]
    fn a_stale_temporary_file_with_our_pid_does_not_block_a_write() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(tmp_of(d.path(), "x"), b"half of an old write").unwrap();
        write_new(&d.path().join("x"), b"whole").unwrap();
        assert_eq!(std::fs::read(d.path().join("x")).unwrap(), b"whole");
        assert!(!tmp_of(d.path(), "x").exists());
    }

    #[test]
    fn a_new_file_appears_whole_or_not_at_all() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("out");
        // Dropped before the commit: nothing, not even the temporary file.
        {
            let mut f = NewFile::create(&path, None).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!path.exists() && !tmp_of(d.path(), "out").exists());
        // Committed: all of it.
        let mut f = NewFile::create(&path, None).unwrap();
        f.write_all(b"all").unwrap();
        f.commit(false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"all");
        // Never over an existing file without `replace`; no leftovers.
        let mut f = NewFile::create(&path, None).unwrap();
        f.write_all(b"other").unwrap();
        let e = f.commit(false).unwrap_err();
        assert!(matches!(e, Error::Exists(_)), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"all");
        assert!(!tmp_of(d.path(), "out").exists());
        write_atomic(&path, b"replaced", true, None).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"replaced");
    }
}
