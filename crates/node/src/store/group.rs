//! Group commit for streams (`msgl ack --stream`, `msgl accept --stream`;
//! docs/DESIGN.md §6.4, "Streams"): the stream's thread stages its acks into
//! a group while a committer thread writes the previous group (one
//! [`Tx::commit_batch`]: one sync per file) and only then prints that
//! group's lines, in input order. So a line is printed only once what it
//! reports is durable, and a kill at any moment loses nothing printed.
//!
//! A group is handed over when it holds [`Limits::acks`] items, or
//! [`Limits::wait`] after its first item, or at the end of the input —
//! and only when the previous group is written: while a commit runs, the
//! next group keeps filling (up to `acks`), so a slow disk makes groups
//! larger instead of making the stream slower.

use std::io::Write;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::time::{Duration, Instant};

use super::tx::{Batch, Tx};
use crate::error::{Error, Result};
use crate::journal::append::Booked;

/// How a stream groups its acks into commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many items per group (at least 1).
    pub acks: usize,
    /// A group is committed at most this long after its first item (once
    /// the previous group is written).
    pub wait: Duration,
}

/// Items per group unless told otherwise.
pub const DEFAULT_GROUP_ACKS: usize = 1024;
/// Milliseconds a group waits for more items unless told otherwise. Each
/// commit costs the disk four syncs whatever its size; 5 ms and 1024 acks
/// (against 2 ms and 256 before) cut a saturated stream's CPU per ack by
/// about 6%, for a few ms more latency: p99 13–16 ms from request to
/// durable verdict at 1,000–5,000 requests/s, against 8–9 ms
/// (docs/BENCHMARKS.md, "Streams after the hot-path cuts").
pub const DEFAULT_GROUP_MS: u64 = 5;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            acks: DEFAULT_GROUP_ACKS,
            wait: Duration::from_millis(DEFAULT_GROUP_MS),
        }
    }
}

/// One output line of a stream, printed once its group is durable.
pub trait Report: Send {
    /// Whether this item staged a journal entry (its booking is then
    /// handed to [`write`](Self::write)), in the order of the batch.
    fn books(&self) -> bool;
    /// Appends the line, newline included.
    fn write(&self, booked: Option<&Booked>, out: &mut Vec<u8>);
}

/// How many items are taken from the input at once (the unit of the
/// parallel work: signatures checked or made on all cores).
pub const CHUNK: usize = 64;

/// While a commit runs and the group is due, the stream looks for its end
/// this often.
const POLL: Duration = Duration::from_micros(250);

/// What the stream's thread knows of the committer.
struct Committer<S> {
    send: SyncSender<(Batch, Vec<S>)>,
    done: Receiver<Result<()>>,
    busy: bool,
}

impl<S> Committer<S> {
    /// Takes the committer's news without waiting.
    fn poll(&mut self) -> Result<()> {
        if self.busy {
            match self.done.try_recv() {
                Ok(r) => {
                    self.busy = false;
                    r?;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => return Err(gone()),
            }
        }
        Ok(())
    }

    /// Waits for the group being written.
    fn wait(&mut self) -> Result<()> {
        if self.busy {
            self.busy = false;
            self.done.recv().map_err(|_| gone())??;
        }
        Ok(())
    }

    fn send(&mut self, batch: Batch, slots: Vec<S>) -> Result<()> {
        debug_assert!(!self.busy);
        self.send.send((batch, slots)).map_err(|_| gone())?;
        self.busy = true;
        Ok(())
    }
}

fn gone() -> Error {
    Error::input("internal error: the stream's committer stopped")
}

/// What a stream did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Items read (lines printed).
    pub items: u64,
    /// Groups committed.
    pub groups: u64,
}

/// Runs a stream: items from `input` (closed: the end), staged in chunks
/// of at most [`CHUNK`] by `stage` (into the group's batch, one report per
/// item it takes), grouped by `limits`, committed through `tx` on another
/// thread and reported on `out` in order, each group's lines written and
/// flushed once it is durable. `stage` returning an error ends the stream
/// there: the items staged before it are committed and reported, then the
/// error is returned. A failed commit or write ends it too (nothing of
/// that group, or after it, is reported).
pub fn run<I, S: Report>(
    tx: &mut Tx,
    limits: Limits,
    input: &Receiver<I>,
    out: &mut (dyn Write + Send),
    mut stage: impl FnMut(Vec<I>, &mut Batch, &mut Vec<S>) -> Result<()>,
) -> Result<Totals> {
    let limits = Limits {
        acks: limits.acks.max(1),
        ..limits
    };
    let (send, groups) = sync_channel::<(Batch, Vec<S>)>(0);
    let (done_send, done) = sync_channel::<Result<()>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (batch, slots) in groups {
                let r = tx.commit_batch(batch).and_then(|booked| {
                    let mut bytes = Vec::with_capacity(slots.len() * 256);
                    let mut booked = booked.iter();
                    for s in &slots {
                        let b = if s.books() { booked.next() } else { None };
                        s.write(b, &mut bytes);
                    }
                    out.write_all(&bytes)
                        .and_then(|_| out.flush())
                        .map_err(Error::output)
                });
                let failed = r.is_err();
                if done_send.send(r).is_err() || failed {
                    return;
                }
            }
        });
        let mut c = Committer {
            send,
            done,
            busy: false,
        };
        let r = drive(&mut c, limits, input, &mut stage);
        // Whatever happened, the group being written is finished before
        // the lock is let go (the committer thread ends with `send`).
        let waited = c.wait();
        r.and_then(|t| waited.map(|_| t))
    })
}

fn drive<I, S>(
    c: &mut Committer<S>,
    limits: Limits,
    input: &Receiver<I>,
    stage: &mut impl FnMut(Vec<I>, &mut Batch, &mut Vec<S>) -> Result<()>,
) -> Result<Totals> {
    let mut totals = Totals::default();
    let mut batch = Batch::default();
    let mut slots: Vec<S> = Vec::new();
    // When the group's first item came.
    let mut opened: Option<Instant> = None;
    let mut ended = false;
    let mut stopped: Option<Error> = None;
    loop {
        c.poll()?;
        let waited = opened.is_some_and(|t| t.elapsed() >= limits.wait);
        let due = !slots.is_empty()
            && (slots.len() >= limits.acks || ended || stopped.is_some() || waited);
        if due && !c.busy {
            totals.items += slots.len() as u64;
            totals.groups += 1;
            c.send(std::mem::take(&mut batch), std::mem::take(&mut slots))?;
            opened = None;
            continue;
        }
        if ended || stopped.is_some() || slots.len() >= limits.acks {
            if slots.is_empty() {
                c.wait()?;
                return match stopped {
                    Some(e) => Err(e),
                    None => Ok(totals),
                };
            }
            c.wait()?;
            continue;
        }
        // Room in the group: take more input, waking in time to hand the
        // group over (or to hear from the committer).
        let first = match opened {
            None if !c.busy => input.recv().map_err(|_| RecvTimeoutError::Disconnected),
            None => input.recv_timeout(POLL),
            Some(t) => {
                // Due already: the previous group is still being written.
                let left = limits.wait.saturating_sub(t.elapsed());
                input.recv_timeout(if left.is_zero() { POLL } else { left })
            }
        };
        match first {
            Ok(item) => {
                let room = (limits.acks - slots.len()).min(CHUNK);
                let mut chunk = Vec::with_capacity(room);
                chunk.push(item);
                while chunk.len() < room {
                    match input.try_recv() {
                        Ok(i) => chunk.push(i),
                        Err(_) => break,
                    }
                }
                if opened.is_none() {
                    opened = Some(Instant::now());
                }
                if let Err(e) = stage(chunk, &mut batch, &mut slots) {
                    stopped = Some(e);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => ended = true,
        }
    }
}
