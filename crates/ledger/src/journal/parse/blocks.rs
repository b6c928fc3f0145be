//! Reading a journal in blocks on all cores: the input is cut at lines where
//! no entry is open, each block is parsed by a fresh line reader, and the
//! caller folds each block's entries into a sink (in file order, or as they
//! are done). Memory stays bounded by a few blocks.

use super::*;

/// Target size of a parallel block.
pub const BLOCK: usize = 4 << 20;

/// The longest line we accept; a longer one is refused, not buffered forever.
pub const MAX_LINE: usize = 1 << 20;

/// The longest stretch of indented lines (one entry's postings and notes)
/// we buffer while looking for a place to cut; longer is refused.
pub const MAX_SPAN: usize = 16 * BLOCK;

/// Reads `src` in blocks on all cores, folding each block's entries (in
/// order) into a fresh sink from `make`; returns the sinks in file order.
/// The first error in file order wins.
pub fn fold_blocks<S, M, F>(src: &Source, make: M, fold: F) -> Result<Vec<S>>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
{
    let mut sinks: Vec<(usize, S)> = Vec::new();
    run_blocks(src, make, fold, false, |i, s| {
        sinks.push((i, s));
        Ok(())
    })?;
    sinks.sort_by_key(|(i, _)| *i);
    Ok(sinks.into_iter().map(|(_, s)| s).collect())
}

/// Like [`fold_blocks`], but hands each block's sink (and its number in
/// file order) to `reduce` as soon as it is done, in any order: memory
/// stays bounded for commutative folds such as balances.
pub fn fold_reduce<S, M, F, R>(src: &Source, make: M, fold: F, reduce: R) -> Result<()>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
    R: FnMut(usize, S) -> Result<()>,
{
    run_blocks(src, make, fold, false, reduce)
}

/// Like [`fold_reduce`], but hands the sinks to `emit` in file order as
/// they are done (for reports that stream: `print`, `register`). The
/// reader stays at most a few blocks ahead of `emit`, so memory is bounded
/// by a few blocks' sinks whatever the journal's size.
pub fn fold_ordered<S, M, F, R>(src: &Source, make: M, fold: F, mut emit: R) -> Result<()>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
    R: FnMut(S) -> Result<()>,
{
    run_blocks(src, make, fold, true, |_, s| emit(s))
}

pub(super) fn run_blocks<S, M, F, R>(
    src: &Source,
    make: M,
    fold: F,
    ordered: bool,
    mut done: R,
) -> Result<()>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
    R: FnMut(usize, S) -> Result<()>,
{
    let name = src.name();
    let mut input = src.open()?;
    // Set at the first error: the reader stops instead of reading (maybe
    // endless) input whose result is already decided.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    // Bounded queue: the reader never runs more than a few blocks ahead.
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, usize, Vec<u8>)>(workers);
    let job_rx = std::sync::Mutex::new(job_rx);
    // In order: the number of blocks handed to `done`, which the reader
    // waits on to stay at most `window` blocks ahead.
    let gate = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
    let window = if ordered { 2 * workers } else { usize::MAX };
    std::thread::scope(|scope| {
        let (res_tx, res_rx) = mpsc::channel::<(usize, Result<S>)>();
        for _ in 0..workers {
            let job_rx = &job_rx;
            let res_tx = res_tx.clone();
            let (make, fold, name) = (&make, &fold, name.as_str());
            scope.spawn(move || loop {
                let job = job_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((idx, first_line, bytes))) = job else {
                    break;
                };
                let r = parse_block(name, first_line, &bytes, make, fold);
                if res_tx.send((idx, r)).is_err() {
                    break;
                }
            });
        }
        drop(res_tx);
        // The reader has its own thread; results are consumed here.
        let name = name.as_str();
        let stop = &stop;
        let gate = &gate;
        let reader = scope.spawn(move || {
            let r = split_blocks(&mut *input, name, |idx, first_line, block| {
                let mut emitted = gate.0.lock().expect("gate lock");
                while idx >= emitted.saturating_add(window)
                    && !stop.load(std::sync::atomic::Ordering::Relaxed)
                {
                    emitted = gate.1.wait(emitted).expect("gate lock");
                }
                drop(emitted);
                // Every block before this one was sent already, so the
                // error that set `stop` comes earlier in file order and
                // wins over this one.
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(Error::input("stopped reading after an error"));
                }
                job_tx
                    .send((idx, first_line, block))
                    .map_err(|_| Error::input("internal error: parser workers stopped"))
            });
            drop(job_tx);
            r
        });
        // The first error in file order wins.
        let mut first_err: Option<(usize, Error)> = None;
        let mut pending: std::collections::BTreeMap<usize, S> = Default::default();
        let mut next = 0;
        for (idx, r) in res_rx.iter() {
            let failed = match r {
                Err(e) => Some((idx, e)),
                Ok(_) if first_err.is_some() => None,
                Ok(s) if !ordered => done(idx, s).err().map(|e| (idx, e)),
                Ok(s) => {
                    pending.insert(idx, s);
                    let mut failed = None;
                    while let Some(s) = pending.remove(&next) {
                        let i = next;
                        next += 1;
                        *gate.0.lock().expect("gate lock") = next;
                        gate.1.notify_all();
                        if let Err(e) = done(i, s) {
                            failed = Some((i, e));
                            break;
                        }
                    }
                    failed
                }
            };
            if let Some((i, e)) = failed {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                gate.1.notify_all();
                if first_err.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_err = Some((i, e));
                }
            }
        }
        let read_result = reader.join().expect("reader thread does not panic");
        // A framing error (torn tail, over-long line) explains any error in
        // its own block, so it wins over those; earlier blocks' errors win
        // over it.
        match (first_err, read_result) {
            (Some((i, e)), Err((j, _))) if i < j => Err(e),
            (_, Err((_, e))) => Err(*e),
            (Some((_, e)), Ok(())) => Err(e),
            (None, Ok(())) => Ok(()),
        }
    })
}

/// Cuts the input into blocks that start at an entry header (or the start
/// of the file) and hands them out with their first line number.
pub(super) fn split_blocks(
    input: &mut dyn Read,
    name: &str,
    mut emit: impl FnMut(usize, usize, Vec<u8>) -> Result<()>,
) -> Result<(), (usize, Box<Error>)> {
    let mut idx = 0;
    split_blocks_inner(input, name, &mut idx, &mut emit).map_err(|e| (idx, Box::new(e)))
}

pub(super) fn split_blocks_inner(
    input: &mut dyn Read,
    name: &str,
    idx: &mut usize,
    emit: &mut impl FnMut(usize, usize, Vec<u8>) -> Result<()>,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + BLOCK / 4);
    let mut line = 1;
    let mut eof = false;
    let mut bom_checked = false;
    while !eof || !buf.is_empty() {
        // Fill up to one block.
        while !eof && buf.len() < BLOCK {
            let old = buf.len();
            // At most 256 KB a read: a small journal does not zero a
            // whole block's buffer first.
            buf.resize(old + (BLOCK - old).min(256 << 10), 0);
            let n = read_retry(input, &mut buf[old..]).map_err(|e| Error::io(name, e))?;
            buf.truncate(old + n);
            if n == 0 {
                eof = true;
            }
        }
        // The fill above read a whole block, or all there is.
        if !bom_checked {
            bom_checked = true;
            if buf.starts_with(BOM.as_bytes()) {
                // A byte order mark is not text (hledger skips it too).
                buf.drain(..BOM.len());
            }
        }
        if buf.is_empty() {
            break;
        }
        let cut = if eof {
            buf.len()
        } else {
            match find_cut(&buf) {
                Some(c) => c,
                None => {
                    // No entry starts in this block: one huge entry or line.
                    if memchr::memchr(b'\n', &buf).is_none() && buf.len() > MAX_LINE {
                        return Err(Error::input(format!("line longer than {} bytes", MAX_LINE))
                            .at(name, line, 1)
                            .hint("this is not a journal, or it is damaged"));
                    }
                    if buf.len() > MAX_SPAN {
                        let lines = memchr::memchr_iter(b'\n', &buf).count();
                        return Err(Error::input(format!(
                            "more than {} MB of indented lines with no entry start between them",
                            MAX_SPAN >> 20
                        ))
                        .at(name, line + lines, 1)
                        .hint("this is not a journal, or it is damaged"));
                    }
                    // Keep reading: grow the block.
                    let old = buf.len();
                    buf.resize(old + BLOCK, 0);
                    let n = read_retry(input, &mut buf[old..]).map_err(|e| Error::io(name, e))?;
                    buf.truncate(old + n);
                    if n == 0 {
                        eof = true;
                    }
                    continue;
                }
            }
        };
        let rest = buf.split_off(cut);
        let block = std::mem::replace(&mut buf, rest);
        let lines = memchr::memchr_iter(b'\n', &block).count();
        emit(*idx, line, block)?;
        *idx += 1;
        line += lines;
    }
    Ok(())
}

/// The last line start after which the block may be cut: just after a
/// `\n`, at a line that is not indented. The line reader holds no open
/// entry there (a header starts one, a blank or comment line closes it,
/// other text is an error at that very line), so a fresh reader from that
/// line reads exactly what one reader of the whole input would.
pub(super) fn find_cut(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr(b'\n', &buf[..end]) {
        if i + 1 < buf.len() && !matches!(buf[i + 1], b' ' | b'\t') {
            return Some(i + 1);
        }
        if i == 0 {
            break;
        }
        end = i;
    }
    None
}

pub(super) fn parse_block<S>(
    name: &str,
    first_line: usize,
    bytes: &[u8],
    make: &(impl Fn() -> S + Sync),
    fold: &(impl Fn(&mut S, Entry) -> Result<()> + Sync),
) -> Result<S> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = first_line + memchr::memchr_iter(b'\n', good).count();
            let col = match memchr::memrchr(b'\n', good) {
                Some(i) => String::from_utf8_lossy(&good[i + 1..]).chars().count() + 1,
                None => String::from_utf8_lossy(good).chars().count() + 1,
            };
            return Err(Error::input("invalid UTF-8")
                .at(name, line, col)
                .hint("journals are UTF-8 text"));
        }
    };
    let mut sink = make();
    let mut reader = LineReader::new(name);
    for (line_no, line) in (first_line..).zip(text.split_terminator('\n')) {
        if let Some(e) = reader.line(line_no, line)? {
            fold(&mut sink, e)?;
        }
    }
    if let Some(e) = reader.finish()? {
        fold(&mut sink, e)?;
    }
    Ok(sink)
}
