//! Safe appends (DESIGN §7.2): an exclusive lock on the journal, the next
//! sequence number read under it, and one whole entry written with a single
//! `write` and synced, or nothing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

use super::{print, Amount, Entry, Posting};
use crate::error::{Error, Result};

/// What the end of the journal says: the last entry's sequence number and
/// timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tail {
    pub last_seq: Option<u64>,
    pub last_timestamp: Option<u64>,
}

impl Tail {
    pub fn next_seq(&self) -> u64 {
        self.last_seq.map_or(1, |s| s + 1)
    }
}

/// An entry to book; the sequence number is assigned under the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// `None`: now (never earlier than the last entry's timestamp).
    pub timestamp: Option<u64>,
    pub description: String,
    pub comment: Option<String>,
    pub postings: Vec<Posting>,
}

impl NewEntry {
    pub fn new(description: &str) -> NewEntry {
        NewEntry {
            timestamp: None,
            description: description.to_string(),
            comment: None,
            postings: Vec::new(),
        }
    }

    /// Adds a posting (`amount: None` elides it).
    pub fn posting(mut self, account: impl Into<String>, amount: Option<Amount>) -> NewEntry {
        self.postings.push(Posting {
            line: 0,
            account: account.into(),
            amount,
            comment: None,
        });
        self
    }

    /// Sets the header comment, e.g. `ack: acks/<file>` (a tag).
    pub fn comment(mut self, c: impl Into<String>) -> NewEntry {
        self.comment = Some(c.into());
        self
    }
}

/// What was booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub seq: u64,
    pub timestamp: u64,
    pub entry: Entry,
}

/// An open journal under an exclusive lock; dropped, it unlocks.
pub struct Locked {
    file: File,
    path: PathBuf,
    tail: Tail,
    /// The journal's last line has no newline (written by hand or by
    /// another tool: a torn append of ours has its intent marker).
    open_line: bool,
    /// A stream holds the lock: its note, removed (still locked) on drop.
    note: Option<PathBuf>,
    /// The intent marker, once a commit has opened it: kept open and
    /// rewritten in place for the next commit (no create, unlink or
    /// directory sync per commit), removed on drop when idle.
    marker: Option<Marker>,
}

/// An open intent marker and whether it holds an intent (a commit begun
/// and not finished).
struct Marker {
    file: File,
    /// Its length: every write covers it whole (padded), so that a commit
    /// never changes the marker's size, only its bytes.
    len: u64,
    busy: bool,
}

impl Drop for Locked {
    fn drop(&mut self) {
        if self.marker.as_ref().is_some_and(|m| !m.busy) {
            // Idle: every commit it bracketed finished. A failed commit's
            // intent stays for the next writer to finish or roll back.
            let _ = std::fs::remove_file(marker_path(&self.path));
        }
        if let Some(n) = &self.note {
            // Before the file closes (and unlocks): the note never names a
            // stream that no longer holds the lock, but for a kill -9.
            let _ = std::fs::remove_file(n);
        }
    }
}

/// Milliseconds since the unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Locks the journal at `path` (created empty if missing) and reads its
/// tail. Waits while another command holds the lock; refused at once (the
/// home is busy) while a stream holds it (`msgl ack --stream`, `msgl
/// accept --stream`: docs/DESIGN.md §6.4, "Streams").
pub fn lock(path: &Path) -> Result<Locked> {
    lock_as(path, None)
}

/// As [`lock`], for a stream that will hold the lock for as long as its
/// input lasts: `holder` (e.g. `msgl accept --stream`) goes into the note
/// `<journal>.stream` with this process's id, so that other writers are
/// told who holds the home instead of waiting for it.
pub fn lock_stream(path: &Path, holder: &str) -> Result<Locked> {
    lock_as(path, Some(holder))
}

/// `<journal>.stream`: `pid <pid> <holder>` while a stream holds the lock.
pub fn stream_note_path(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".stream");
    journal.with_file_name(name)
}

/// The stream holding the journal's lock, from its note: `(pid, holder)`.
/// A note whose process is gone (a stream killed by SIGKILL) names no one.
pub fn stream_holder(journal: &Path) -> Option<(u32, String)> {
    let bytes = crate::fsutil::read_bounded(&stream_note_path(journal), 4096).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (pid, holder) = text.trim_end().strip_prefix("pid ")?.split_once(' ')?;
    let pid: u32 = pid.parse().ok()?;
    let proc = Path::new("/proc");
    let alive = !proc.is_dir() || proc.join(pid.to_string()).exists();
    (alive && pid != std::process::id()).then(|| (pid, crate::error::clean(holder)))
}

fn lock_as(path: &Path, stream: Option<&str>) -> Result<Locked> {
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    // Polled rather than blocking: a writer that waited in flock(2) while
    // a stream took the lock would wait for the whole stream.
    let mut pause = std::time::Duration::from_micros(200);
    while !FileExt::try_lock_exclusive(&file).map_err(|e| Error::io(path, e))? {
        if let Some((pid, holder)) = stream_holder(path) {
            return Err(Error::input(format!(
                "the home is busy: `{holder}` (pid {pid}) holds the journal's lock while its input lasts"
            ))
            .in_file(path)
            .hint("end the stream (close its input) and run this again, or send this work through it"));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(std::time::Duration::from_millis(5));
    }
    // Under the lock, a note is a dead stream's; ours replaces it.
    let note = stream_note_path(path);
    match stream {
        Some(holder) => {
            use std::os::unix::fs::OpenOptionsExt;
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&note)
                .and_then(|mut f| {
                    f.write_all(format!("pid {} {holder}\n", std::process::id()).as_bytes())
                })
                .map_err(|e| Error::io(&note, e))?
        }
        None => match std::fs::remove_file(&note) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&note, e)),
        },
    }
    let mut locked = Locked {
        file,
        path: path.to_path_buf(),
        tail: Tail::default(),
        open_line: false,
        note: stream.map(|_| note),
        marker: None,
    };
    recover(&locked.file, path)?;
    let (tail, open_line) = read_tail(&mut locked.file, path)?;
    locked.tail = tail;
    locked.open_line = open_line;
    Ok(locked)
}

impl Locked {
    pub fn tail(&self) -> Tail {
        self.tail
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Validates `new`, gives it the next sequence number and appends it
    /// whole. Nothing is written if it does not balance.
    pub fn append(&mut self, new: NewEntry) -> Result<Booked> {
        let mut booked = self.commit(vec![new], Vec::new())?;
        Ok(booked.pop().expect("one entry booked"))
    }

    /// Books `entries` (each validated, numbered and timed as by `append`)
    /// together with `logs` (records appended to other append-only files of
    /// the home, e.g. ack logs), all or nothing: the intent marker names the
    /// journal's and every log's old and new length and is synced first;
    /// then the logs are written and synced, then the journal (the commit
    /// point). The next writer rolls back whatever an interrupted commit
    /// left short, logs included, so a log never holds a record the journal
    /// did not book. One sync per file whatever the number of entries:
    /// group commit. `logs` without `entries` is refused.
    pub fn commit(&mut self, entries: Vec<NewEntry>, logs: Vec<LogAppend>) -> Result<Vec<Booked>> {
        if entries.is_empty() {
            return if logs.is_empty() {
                Ok(Vec::new())
            } else {
                Err(Error::input(
                    "internal error: log records without a journal entry to book them",
                ))
            };
        }
        let old_len = self
            .file
            .metadata()
            .map_err(|e| Error::io(&self.path, e))?
            .len();
        // The bytes to append, entries printed straight into them (about
        // 250 bytes an ack's).
        let mut text = String::with_capacity(entries.len() * 256 + 2);
        if self.open_line {
            text.push('\n');
        }
        if old_len > 0 {
            text.push('\n');
        }
        let name = self.path.display().to_string();
        let mut booked = Vec::with_capacity(entries.len());
        let mut tail = self.tail;
        for (i, new) in entries.into_iter().enumerate() {
            let last_ts = tail.last_timestamp.unwrap_or(0);
            let timestamp = match new.timestamp {
                Some(t) if t < last_ts => {
                    return Err(Error::input(format!(
                        "timestamp {t} is earlier than the journal's last entry ({last_ts})"
                    ))
                    .in_file(&self.path)
                    .hint("timestamps never decrease: omit --at, or give a later time"))
                }
                Some(t) => t,
                None => now_ms().max(last_ts),
            };
            let seq = tail.next_seq();
            let entry = Entry {
                line: 0,
                timestamp,
                seq,
                description: new.description,
                comment: new.comment,
                postings: new.postings,
                notes: Vec::new(),
            };
            // Validate exactly as a reader will: print, then parse the text.
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            print::write_entry(&mut text, &entry, false);
            let parsed = super::parse_str(&text[start..], &name)?;
            if parsed.entries.len() != 1 {
                return Err(Error::input(
                    "internal error: the entry does not read back as one entry",
                ));
            }
            if let Err(imb) = parsed.entries[0].resolve(false) {
                return Err(imb.into_error(&name));
            }
            tail = Tail {
                last_seq: Some(seq),
                last_timestamp: Some(timestamp),
            };
            booked.push(Booked {
                seq,
                timestamp,
                entry,
            });
        }
        let bytes = text.into_bytes();
        // The logs' files, opened for appending, and their lengths.
        let mut opened = Vec::with_capacity(logs.len());
        for l in &logs {
            let mut opts = OpenOptions::new();
            opts.append(true).create(true);
            // A log is the home's and private like the journal (0600),
            // also when this commit is the one that creates it.
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let f = opts.open(&l.path).map_err(|e| Error::io(&l.path, e))?;
            let len = f.metadata().map_err(|e| Error::io(&l.path, e))?.len();
            opened.push((f, len));
        }
        // A write(2) to a regular file can stop short when the process is
        // killed between two pages: the intent marker lets the next writer
        // roll such a torn commit back, and readers ignore it meanwhile.
        let log_lines: Vec<(u64, u64, &Path)> = logs
            .iter()
            .zip(&opened)
            .map(|(l, (_, len))| (*len, len + l.bytes.len() as u64, l.path.as_path()))
            .collect();
        let intent = marker_text(
            &self.path,
            old_len,
            old_len + bytes.len() as u64,
            &log_lines,
        );
        self.write_marker(intent.as_bytes(), true)?;
        for (l, (f, _)) in logs.iter().zip(opened.iter_mut()) {
            f.write_all(&l.bytes)
                .and_then(|_| f.sync_data())
                .map_err(|e| Error::io(&l.path, e))?;
        }
        self.file
            .write_all(&bytes)
            .and_then(|_| self.file.sync_data())
            .map_err(|e| Error::io(&self.path, e))?;
        // Done: the marker says so, unsynced (a crash before this reaches
        // the disk leaves the intent of a whole commit, which the next
        // writer keeps).
        self.write_marker(IDLE.as_bytes(), false)?;
        self.tail = tail;
        self.open_line = false;
        Ok(booked)
    }
}

/// Records to append to one append-only file of the home in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogAppend {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// The intent marker of a journal: `<journal>.pending`, holding
/// `msgl-append <old length> <new length>` while an append is under way.
pub fn marker_path(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".pending");
    journal.with_file_name(name)
}

/// What an idle marker holds: no commit under way.
const IDLE: &str = "msgl-idle\n";

/// The marker's bytes are a multiple of this (padded with spaces).
const MARKER_BLOCK: u64 = 512;

impl Locked {
    /// Writes `text` over the whole marker (padded to its length, which
    /// only grows), opening it at the first commit; `intent`: synced, and
    /// the marker is busy until the next idle write. Created, its
    /// directory is synced too: the marker must outlive a crash that the
    /// logs' records outlive. Rewritten in place, a torn write may mix old
    /// and new bytes: the checksum on its `end` line tells such a marker,
    /// which was never synced and so bracketed no write (`intent`).
    fn write_marker(&mut self, text: &[u8], intent: bool) -> Result<()> {
        use std::os::unix::fs::FileExt as _;
        let path = marker_path(&self.path);
        let io = |e| Error::io(&path, e);
        if self.marker.is_none() {
            use std::os::unix::fs::OpenOptionsExt;
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&path)
                .map_err(io)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
            }
            self.marker = Some(Marker {
                file,
                len: 0,
                busy: false,
            });
        }
        let m = self.marker.as_mut().expect("opened above");
        let len = (text.len() as u64).div_ceil(MARKER_BLOCK).max(1) * MARKER_BLOCK;
        let grows = len > m.len;
        m.len = m.len.max(len);
        let mut buf = Vec::with_capacity(m.len as usize);
        buf.extend_from_slice(text);
        buf.resize(m.len as usize, b' ');
        m.busy = true;
        m.file.write_all_at(&buf, 0).map_err(io)?;
        if intent {
            // A marker that grew has a new size to sync; otherwise its
            // data alone.
            if grows {
                m.file.sync_all()
            } else {
                m.file.sync_data()
            }
            .map_err(io)?;
        } else {
            m.busy = false;
        }
        Ok(())
    }
}

/// `msgl-append <old> <new>`, then for each log `log <old> <new> <path>`,
/// then `end <checksum>` (FNV-1a 64 of the bytes before that line, in hex).
fn marker_text(journal: &Path, old_len: u64, new_len: u64, logs: &[(u64, u64, &Path)]) -> String {
    let mut text = format!("msgl-append {old_len} {new_len}\n");
    let dir = journal.parent().unwrap_or(Path::new(""));
    for (old, new, path) in logs {
        // Relative to the journal's directory: the home may be reached by
        // another path next time.
        let rel = path.strip_prefix(dir).unwrap_or(path);
        text.push_str(&format!("log {old} {new} {}\n", rel.display()));
    }
    let sum = fnv1a(text.as_bytes());
    text.push_str(&format!("end {sum:016x}\n"));
    text
}

/// FNV-1a, 64 bits: tells a marker torn by a crash from a whole one.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What a marker says of a commit under way or interrupted.
struct Intent {
    /// The journal's old and new length.
    old: u64,
    new: u64,
    /// Each log's old and new length and path; `None` if the marker was
    /// cut short before its `end` line (it was written before anything
    /// else was touched, so it names no log that was).
    logs: Option<Vec<(u64, u64, PathBuf)>>,
}

/// Reads the marker: `None` when there is none, it is idle, or it is torn
/// (its `end` line's checksum does not match: rewritten in place and never
/// synced, it bracketed no write). An `end` line without a checksum is an
/// older msgl's, whose markers were always new files.
fn intent(journal: &Path) -> Option<Intent> {
    let text = std::fs::read_to_string(marker_path(journal)).ok()?;
    let mut lines = text.split_inclusive('\n');
    let first = lines.next()?;
    let mut w = first.trim().strip_prefix("msgl-append ")?.split(' ');
    let old = w.next()?.parse().ok()?;
    let new = w.next()?.parse().ok()?;
    let dir = journal.parent().unwrap_or(Path::new(""));
    let mut logs = Vec::new();
    let mut at = first.len();
    let mut ended = false;
    for raw in lines {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        if let Some(rest) = line.strip_prefix("end") {
            match rest.strip_prefix(' ') {
                None if rest.is_empty() => {}
                Some(sum) if sum == format!("{:016x}", fnv1a(&text.as_bytes()[..at])) => {}
                _ => return None,
            }
            ended = true;
            break;
        }
        let Some(mut w) = line.strip_prefix("log ").map(|l| l.splitn(3, ' ')) else {
            break;
        };
        let (Some(Ok(lo)), Some(Ok(ln)), Some(p)) =
            (w.next().map(str::parse), w.next().map(str::parse), w.next())
        else {
            break;
        };
        let p = PathBuf::from(p);
        logs.push((lo, ln, if p.is_absolute() { p } else { dir.join(p) }));
        at += raw.len();
    }
    Some(Intent {
        old,
        new,
        logs: ended.then_some(logs),
    })
}

/// `(old length, new length)` of an append in progress or interrupted.
pub fn pending(journal: &Path) -> Option<(u64, u64)> {
    intent(journal).map(|i| (i.old, i.new))
}

/// Under the lock: finishes what an interrupted append left. Complete
/// (the journal has its new length): the marker goes. Torn (shorter): the
/// journal is cut back to its old length, said on stderr. Anything else
/// (edited by hand since) is refused.
fn recover(file: &File, path: &Path) -> Result<()> {
    let marker = marker_path(path);
    if !marker.exists() {
        return Ok(());
    }
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let intent = intent(path);
    match intent.as_ref().map(|i| (i.old, i.new)) {
        // The marker is written and synced before the journal: one that
        // cannot be read means the journal was not touched.
        None => {}
        // Whole: kept. The writer may have died before its sync; sync now,
        // so that nothing is told booked that a power cut could undo.
        Some((_, new)) if len == new => file.sync_all().map_err(|e| Error::io(path, e))?,
        Some((old, new)) if len >= old && len < new => {
            // The journal is the commit point: the logs' records of a
            // commit that did not reach it go too.
            for (lold, lnew, lpath) in intent.and_then(|i| i.logs).unwrap_or_default() {
                let f = match OpenOptions::new().write(true).open(&lpath) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && lold == 0 => continue,
                    Err(e) => return Err(Error::io(&lpath, e)),
                };
                let llen = f.metadata().map_err(|e| Error::io(&lpath, e))?.len();
                if llen < lold || llen > lnew {
                    return Err(Error::input(
                        "an interrupted commit's marker does not match a log it names",
                    )
                    .in_file(&lpath)
                    .hint("the log was changed by hand since: check it, then remove the marker"));
                }
                f.set_len(lold)
                    .and_then(|_| f.sync_all())
                    .map_err(|e| Error::io(&lpath, e))?;
            }
            file.set_len(old)
                .and_then(|_| file.sync_all())
                .map_err(|e| Error::io(path, e))?;
            eprintln!(
                "msgl: {}: rolled back an interrupted append ({} of {} bytes written; it was never reported as booked)",
                path.display(),
                len - old,
                new - old
            );
        }
        _ => {
            return Err(
                Error::input("an interrupted append's marker does not match the journal")
                    .in_file(&marker)
                    .hint(
                        "the journal was changed by hand since: check it, then remove the marker",
                    ),
            )
        }
    }
    std::fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))
}

/// Books one entry: lock, append, unlock.
pub fn append(path: &Path, new: NewEntry) -> Result<Booked> {
    lock(path)?.append(new)
}

/// Reads the last header of the journal from its end, and whether its last
/// line lacks a newline. A last line without one is accepted (DESIGN §7.2: an
/// interrupted append of ours is told by its intent marker, rolled back
/// before this), but only if the last entry reads: a new entry is never
/// glued onto half of an old one.
fn read_tail(file: &mut File, path: &Path) -> Result<(Tail, bool)> {
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Ok((Tail::default(), false));
    }
    let mut window: u64 = 64 << 10;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = vec![0; (len - start) as usize];
        file.seek(SeekFrom::Start(start))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|e| Error::io(path, e))?;
        let open_line = buf.last() != Some(&b'\n');
        if start == 0 && buf.starts_with(super::parse::BOM.as_bytes()) {
            buf.drain(..super::parse::BOM.len());
        }
        // Last line that starts with a digit (a header), not in a cut first line.
        let mut end = buf.len();
        while let Some(i) = memchr::memrchr(b'\n', &buf[..end.saturating_sub(1)]) {
            let line_start = i + 1;
            if let Some(t) = header_tail(&buf[line_start..end]) {
                check_last_entry(&buf[line_start..], path)?;
                return Ok((t, open_line));
            }
            end = line_start;
        }
        if start == 0 {
            check_last_entry(&buf, path)?;
            if let Some(t) = header_tail(&buf[..end]) {
                return Ok((t, open_line));
            }
            return Ok((Tail::default(), open_line));
        }
        if window >= MAX_TAIL {
            return Err(Error::input(format!(
                "no entry header in the journal's last {} MB",
                MAX_TAIL >> 20
            ))
            .in_file(path)
            .hint("this is not a journal, or it is damaged: run `msgl check`"));
        }
        window *= 4;
    }
}

/// How far back from the end `add` looks for the last entry.
const MAX_TAIL: u64 = 64 << 20;

/// The journal's last entry (and whatever follows it) must read before
/// anything is appended after it: a damaged tail is reported, not buried.
fn check_last_entry(tail: &[u8], path: &Path) -> Result<()> {
    let name = path.display().to_string();
    let refuse = |what: String| {
        Error::input(format!("the journal's last entry does not read: {what}"))
            .in_file(path)
            .hint("nothing was written; run `msgl check` and repair the journal first")
    };
    let text = std::str::from_utf8(tail).map_err(|_| refuse("invalid UTF-8".into()))?;
    super::parse_str(text, &name).map_err(|e| refuse(e.what().to_string()))?;
    Ok(())
}

/// `(seq, ts)` of a header line, if `line` is one.
fn header_tail(line: &[u8]) -> Option<Tail> {
    if !line.first()?.is_ascii_digit() {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    let (ts, rest) = text.split_once(' ')?;
    let rest = rest.trim_start().strip_prefix('(')?;
    let (seq, _) = rest.split_once(')')?;
    Some(Tail {
        last_seq: Some(seq.parse().ok()?),
        last_timestamp: Some(ts.parse().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log that does not exist yet when a commit appends to it is
    /// created private (0600), as the home's other files are.
    #[cfg(unix)]
    #[test]
    fn a_log_created_by_a_commit_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.ledger");
        let log = dir.path().join("new.log");
        let mut locked = lock(&journal).unwrap();
        let entry = NewEntry::new("NOTE")
            .posting("Assets:A", Some(Amount::new("1".parse().unwrap(), None)))
            .posting("Income:B", None);
        locked
            .commit(
                vec![entry],
                vec![LogAppend {
                    path: log.clone(),
                    bytes: b"line\n".to_vec(),
                }],
            )
            .unwrap();
        let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&log).unwrap(), b"line\n");
    }

    fn note() -> NewEntry {
        NewEntry::new("NOTE")
            .posting("Assets:A", Some(Amount::new("1".parse().unwrap(), None)))
            .posting("Income:B", None)
    }

    fn log_append(path: &Path, bytes: &[u8]) -> LogAppend {
        LogAppend {
            path: path.to_path_buf(),
            bytes: bytes.to_vec(),
        }
    }

    /// A writer's marker stays in place between its commits, idle (readers
    /// see every entry), and goes when the writer lets the lock go.
    #[test]
    fn the_marker_is_idle_between_commits_and_gone_after() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.ledger");
        let log = dir.path().join("a.log");
        let mut locked = lock(&journal).unwrap();
        for i in 0..3 {
            let line = format!("record {i}\n");
            locked
                .commit(vec![note()], vec![log_append(&log, line.as_bytes())])
                .unwrap();
            let text = std::fs::read_to_string(marker_path(&journal)).unwrap();
            assert!(text.starts_with(IDLE), "{text:?}");
            assert_eq!(text.len() as u64 % MARKER_BLOCK, 0);
            assert_eq!(pending(&journal), None);
        }
        drop(locked);
        assert!(!marker_path(&journal).exists());
        let parsed =
            crate::journal::parse_file(&crate::journal::Source::File(journal.clone())).unwrap();
        assert_eq!(parsed.entries.len(), 3);
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "record 0\nrecord 1\nrecord 2\n"
        );
    }

    /// What a crash can leave in a marker rewritten in place: the intent of
    /// a torn commit (rolled back, log included), and a torn marker — new
    /// bytes over an old intent, never synced — which must not cut a log
    /// back to lengths it names.
    #[test]
    fn a_torn_marker_names_nothing_and_a_whole_one_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.ledger");
        let log = dir.path().join("a.log");
        lock(&journal)
            .unwrap()
            .commit(vec![note()], vec![log_append(&log, b"kept\n")])
            .unwrap();
        let jlen = std::fs::metadata(&journal).unwrap().len();
        let records = std::fs::read(&log).unwrap();
        let intent = marker_text(&journal, jlen, jlen + 90, &[(0, 5, log.as_path())]);
        // Torn: the checksum of another text. Nothing is cut.
        let sum = intent.rfind("end ").unwrap();
        let torn = format!("{}end {:016x}\n", &intent[..sum], fnv1a(b"other"));
        std::fs::write(marker_path(&journal), &torn).unwrap();
        assert_eq!(pending(&journal), None);
        drop(lock(&journal).unwrap());
        assert_eq!(std::fs::read(&log).unwrap(), records);
        assert_eq!(std::fs::metadata(&journal).unwrap().len(), jlen);
        assert!(!marker_path(&journal).exists());
        // Whole, the journal short of its new length: both go back.
        let mut f = OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(b"torn\n").unwrap();
        let intent = marker_text(
            &journal,
            jlen,
            jlen + 90,
            &[(
                records.len() as u64,
                records.len() as u64 + 5,
                log.as_path(),
            )],
        );
        std::fs::write(marker_path(&journal), format!("{intent}{:>600}", "")).unwrap();
        assert_eq!(pending(&journal), Some((jlen, jlen + 90)));
        drop(lock(&journal).unwrap());
        assert_eq!(std::fs::read(&log).unwrap(), records);
        assert!(!marker_path(&journal).exists());
    }
}
