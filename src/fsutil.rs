//! Safe file writes (DESIGN §7): write to a temporary file in the same
//! directory, sync, then rename; never silently overwrite.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically; refuses if `path` exists.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, false, None)
}

/// Writes `bytes` to `path` atomically (write-then-rename). With
/// `replace`, an existing file is replaced whole; otherwise its presence is
/// an error. `mode` sets Unix permissions on the new file (e.g. 0o600).
pub fn write_atomic(path: &Path, bytes: &[u8], replace: bool, mode: Option<u32>) -> Result<()> {
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
    let result = (|| -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(mode.unwrap_or(0o644));
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    let done = if replace {
        std::fs::rename(&tmp, path)
    } else {
        // hard_link fails if the target exists: no silent overwrite, no race.
        std::fs::hard_link(&tmp, path).and_then(|_| std::fs::remove_file(&tmp))
    };
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(Error::input("already exists; not overwritten")
                .in_file(path)
                .hint("choose another name, or remove it first"));
        }
        return Err(Error::io(path, e));
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(Some)?;
    let mut bytes = Vec::new();
    f.take(max + 1).read_to_end(&mut bytes).map_err(Some)?;
    if bytes.len() as u64 > max {
        return Err(None);
    }
    Ok(bytes)
}
