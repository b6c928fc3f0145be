//! Append-only ack logs: `acks/<id>.log` (payee) and `sent/<id>.log`
//! (payer) hold one ack per line as JSON, in nonce order. Written only by
//! [`crate::store::Tx::commit`]; read here. A last line without its
//! newline belongs to a commit in progress (or one the next writer rolls
//! back) and is not read.

use std::io::{BufRead, Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::{Error, Result};
use crate::objects::Ack;

/// The longest record read: an ack's JSON is about 600 bytes.
pub const MAX_RECORD: usize = 4096;

fn parse(line: &[u8], path: &Path, what: &str) -> Result<Ack> {
    let text = std::str::from_utf8(line)
        .map_err(|_| Error::input(format!("{what}: not UTF-8")).in_file(path))?;
    serde_json::from_str(text).map_err(|e| {
        Error::input(format!("{what} does not read as an ack: {e}"))
            .in_file(path)
            .hint("ack logs are written by msgl only; was it edited by hand?")
    })
}

fn open(path: &Path) -> Result<Option<std::fs::File>> {
    match std::fs::File::open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The length of the log up to its last complete line.
fn complete_len(f: &mut std::fs::File, path: &Path) -> Result<u64> {
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Ok(0);
    }
    let mut window = (MAX_RECORD as u64 * 2).min(len);
    loop {
        let start = len - window;
        let mut buf = vec![0; window as usize];
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.read_exact(&mut buf))
            .map_err(|e| Error::io(path, e))?;
        if let Some(i) = memchr::memrchr(b'\n', &buf) {
            return Ok(start + i as u64 + 1);
        }
        if start == 0 {
            return Ok(0);
        }
        window = (window * 4).min(len);
    }
}

/// The last record of the log, if any.
pub fn last(path: &Path) -> Result<Option<Ack>> {
    let Some(mut f) = open(path)? else {
        return Ok(None);
    };
    let end = complete_len(&mut f, path)?;
    if end == 0 {
        return Ok(None);
    }
    let window = (MAX_RECORD as u64 + 1).min(end);
    let start = end - window;
    let mut buf = vec![0; window as usize];
    f.seek(SeekFrom::Start(start))
        .and_then(|_| f.read_exact(&mut buf))
        .map_err(|e| Error::io(path, e))?;
    let body = &buf[..buf.len() - 1];
    let from = match memchr::memrchr(b'\n', body) {
        Some(i) => i + 1,
        None if start == 0 => 0,
        None => {
            return Err(Error::input("a record longer than an ack")
                .in_file(path)
                .hint("ack logs are written by msgl only; was it edited by hand?"))
        }
    };
    parse(&body[from..], path, "the log's last record").map(Some)
}

/// Every complete record, in order, handed to `f` with its 1-based line.
pub fn for_each(path: &Path, mut f: impl FnMut(usize, Ack) -> Result<()>) -> Result<()> {
    let Some(mut file) = open(path)? else {
        return Ok(());
    };
    let end = complete_len(&mut file, path)?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::new(file.take(end));
    let mut line = Vec::with_capacity(1024);
    let mut n = 0;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_RECORD as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        if line.last() != Some(&b'\n') {
            return Err(
                Error::input(format!("line {n}: a record longer than an ack"))
                    .in_file(path)
                    .hint("ack logs are written by msgl only; was it edited by hand?"),
            );
        }
        let ack =
            parse(&line[..line.len() - 1], path, &format!("line {n}")).map_err(|e| {
                match e.location() {
                    None => e.at(&path.display().to_string(), n, 1),
                    Some(_) => e,
                }
            })?;
        f(n, ack)?;
    }
}

/// The record with `nonce` (records are in rising nonce order), found by
/// binary search over the file's bytes: O(log n) reads.
pub fn find(path: &Path, nonce: u64) -> Result<Option<Ack>> {
    let Some(mut f) = open(path)? else {
        return Ok(None);
    };
    let end = complete_len(&mut f, path)?;
    // The first complete record starting at or after `pos`.
    let mut record_at = |pos: u64| -> Result<Option<(u64, Ack)>> {
        let start = if pos == 0 {
            0
        } else {
            // The start of the first line beginning at or after `pos`.
            let from = pos - 1;
            let n = ((end - from) as usize).min(MAX_RECORD + 1);
            let mut buf = vec![0; n];
            f.seek(SeekFrom::Start(from))
                .and_then(|_| f.read_exact(&mut buf))
                .map_err(|e| Error::io(path, e))?;
            match memchr::memchr(b'\n', &buf) {
                Some(i) => from + i as u64 + 1,
                None => return Ok(None),
            }
        };
        if start >= end {
            return Ok(None);
        }
        let n = ((end - start) as usize).min(MAX_RECORD + 1);
        let mut buf = vec![0; n];
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.read_exact(&mut buf))
            .map_err(|e| Error::io(path, e))?;
        let stop = memchr::memchr(b'\n', &buf).ok_or_else(|| {
            Error::input("a record longer than an ack")
                .in_file(path)
                .hint("ack logs are written by msgl only; was it edited by hand?")
        })?;
        Ok(Some((start, parse(&buf[..stop], path, "a record")?)))
    };
    // Invariant: the record sought, if present, starts in [lo, hi).
    let (mut lo, mut hi) = (0u64, end);
    while hi - lo > (MAX_RECORD as u64) * 2 {
        let mid = lo + (hi - lo) / 2;
        match record_at(mid)? {
            Some((start, ack)) if ack.nonce <= nonce => {
                if ack.nonce == nonce {
                    return Ok(Some(ack));
                }
                lo = start;
            }
            _ => hi = mid,
        }
    }
    // A few records left: read them in order.
    let mut pos = lo;
    while let Some((start, ack)) = record_at(pos)? {
        if ack.nonce == nonce {
            return Ok(Some(ack));
        }
        if ack.nonce > nonce || start >= hi {
            return Ok(None);
        }
        pos = start + 1;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::ack::AckFields;
    use ed25519_dalek::SigningKey;

    fn ack(nonce: u64) -> Ack {
        Ack::signed(
            &SigningKey::from_bytes(&[1; 32]),
            AckFields {
                channel: [7; 32],
                payee: [2; 32],
                nonce,
                message: [nonce as u8; 32],
                price: 1,
                cumulative: nonce,
                preimage: [3; 32],
            },
        )
    }

    #[test]
    fn find_last_and_iterate_agree_with_the_records() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.log");
        assert_eq!(last(&p).unwrap(), None);
        assert_eq!(find(&p, 1).unwrap(), None);
        // Every third nonce, so that some are absent.
        let nonces: Vec<u64> = (1..=400).map(|i| i * 3).collect();
        let mut text = String::new();
        for &n in &nonces {
            text.push_str(&ack(n).to_json());
            text.push('\n');
        }
        // A record cut short by a crash is not read.
        text.push_str(&ack(2000).to_json()[..100]);
        std::fs::write(&p, &text).unwrap();
        assert_eq!(last(&p).unwrap(), Some(ack(1200)));
        for n in 0..1210 {
            let want = (n % 3 == 0 && n > 0 && n <= 1200).then(|| ack(n));
            assert_eq!(find(&p, n).unwrap(), want, "nonce {n}");
        }
        let mut seen = Vec::new();
        for_each(&p, |line, a| {
            assert_eq!(line, seen.len() + 1);
            seen.push(a.nonce);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, nonces);
    }
}
