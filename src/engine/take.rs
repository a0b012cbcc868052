//! One take's lifecycle, for every front end: the CLI's `record` and the desk call this and
//! nothing else.
//!
//! A take starts (the files are made before any audio flows, the writer runs, the processor is
//! told to record) and ends in one of these ways, each going through [`Take::stop`] or
//! [`Take::poll`] and then [`Take::finish`]:
//! - its length is recorded (the processor closes it on the exact frame);
//! - it is stopped: the Stop button, Ctrl-C, SIGTERM or SIGHUP, the window closing (the processor
//!   closes it at the next block; an engine that cannot be told is bypassed, and the take is
//!   closed on what reached the ring);
//! - its input goes away or ends (closed on what reached the ring);
//! - a write fails, such as a full disk (every file closed on what reached the disk, tracks cut
//!   to one length).
//!
//! Finishing joins the writer (never for more than [`STOP_WAIT`] past the stop), hands the ring
//! back for the next take, and says which way the take ended.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::live::Live;
use super::processor::Command;
use super::recorder::{RecordError, Recorder, TakeReport, TakeSpec, WriteFailure};
use super::snapshot::Counters;

/// Longest a take waits for the processor to close it after a stop before it is closed on what
/// reached the ring (an input that stalled delivers no more blocks).
pub const STOP_WAIT: Duration = Duration::from_secs(2);

/// Why a take could not start. Nothing was recorded and no file is left behind.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("the recorder is busy with another take")]
    Busy,
    #[error("the engine did not take the start ({0}); nothing was recorded")]
    Engine(String),
}

/// How a take ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The length asked for was recorded, or the take was stopped by the user with nothing more
    /// asked of it (the desk's Stop).
    Complete,
    /// Stopped before its length by what the text names ("Ctrl-C (SIGINT)", "SIGTERM", "the
    /// window closing"): every frame that reached the ring is kept.
    Stopped(String),
    /// The input went away ("the input device went away") or ended ("the input ended"): every
    /// frame until then is kept.
    InputLost(&'static str),
    /// A write failed (a full disk): every file holds what reached the disk, all one length.
    WriteFailed(WriteFailure),
}

impl Ending {
    /// "stopped early: …" for a take that ended before its length, `None` for a complete one.
    pub fn early_reason(&self) -> Option<String> {
        match self {
            Ending::Complete => None,
            Ending::Stopped(by) => Some(format!("stopped by {by}")),
            Ending::InputLost(what) => Some(what.to_string()),
            Ending::WriteFailed(failure) => Some(failure.reason()),
        }
    }
}

/// What a finished take left, and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub number: u32,
    pub report: TakeReport,
    pub ending: Ending,
    /// Wall-clock length of the take, in seconds (from start to finish).
    pub elapsed_s: f64,
}

/// A take under way.
pub struct Take {
    recorder: Recorder,
    /// The take's number in its session.
    pub number: u32,
    /// Frames asked for (`None`: until stopped).
    frames_wanted: Option<u64>,
    counters: Arc<Counters>,
    /// Who stopped it, once stopped.
    stopped_by: Option<String>,
    /// How the input was lost, once it was.
    input_lost: Option<&'static str>,
    /// When the stop was asked (or the end seen), for [`STOP_WAIT`].
    stopping_since: Option<Instant>,
    started: Instant,
}

impl Take {
    /// Start a take on `live`: `frames` frames, or until stopped when `None`. The files are made
    /// before the processor is told, so a folder that cannot take them fails here.
    pub fn start(live: &mut Live, spec: TakeSpec, frames: Option<u64>) -> Result<Take, TakeError> {
        let number = spec.take;
        let ring = live.record.take().ok_or(TakeError::Busy)?;
        let counters = live.handle.shared_counters();
        let recorder = match Recorder::start_or_return(spec, ring, Arc::clone(&counters)) {
            Ok(recorder) => recorder,
            Err((e, ring)) => {
                live.record = Some(ring);
                return Err(e.into());
            }
        };
        let command = frames.map_or(Command::Record(true), Command::RecordFrames);
        if let Err(e) = live.handle.send(command) {
            // The processor will never record: close the empty take at once.
            recorder.stop_without_processor();
            let (_, ring) = recorder.finish_keeping_ring();
            live.record = ring;
            return Err(TakeError::Engine(e.to_string()));
        }
        Ok(Take {
            recorder,
            number,
            frames_wanted: frames,
            counters,
            stopped_by: None,
            input_lost: None,
            stopping_since: None,
            started: Instant::now(),
        })
    }

    /// Look at the take: true once it has ended by itself or been stopped (nothing more will be
    /// recorded; [`Take::is_finished`] then says when [`Take::finish`] will not wait). Ends the
    /// take when its writer failed or its input went away.
    pub fn poll(&mut self, live: Option<&Live>) -> bool {
        let running = live.is_some_and(|l| !l.has_ended());
        if self.stopping_since.is_none() {
            if self.recorder.is_finished() {
                // The writer stopped on its own (a full disk): stop recording now.
                self.tell_processor(live);
            } else if !running {
                self.input_lost = Some(if live.is_some_and(Live::device_lost) {
                    "the input device went away"
                } else {
                    "the input ended"
                });
                self.tell_processor(live);
                self.recorder.stop_without_processor();
            } else if self.counters.take_closed.load(Ordering::Acquire)
                && self.counters.take_frames.load(Ordering::Acquire) > 0
            {
                // Its length is recorded; the writer drains what is left.
                self.stopping_since = Some(Instant::now());
            }
        } else if !running && !self.recorder.is_finished() {
            // Stopped, but the input went away before the processor closed the take.
            self.recorder.stop_without_processor();
        }
        if self
            .stopping_since
            .is_some_and(|since| since.elapsed() >= STOP_WAIT)
        {
            self.recorder.stop_without_processor();
        }
        self.stopping_since.is_some()
    }

    /// Stop the take (the Stop button, a signal, the window closing); `by` names who stopped it.
    /// Returns false when the engine could not be told: the take is then closed on what reached
    /// the ring.
    pub fn stop(&mut self, live: Option<&Live>, by: &str) -> bool {
        if self.stopping_since.is_some() {
            return true;
        }
        self.stopped_by = Some(by.to_string());
        let reached = self.tell_processor(live);
        if !reached {
            self.recorder.stop_without_processor();
        }
        reached
    }

    /// Tell the processor to stop recording; true when it heard.
    fn tell_processor(&mut self, live: Option<&Live>) -> bool {
        self.stopping_since.get_or_insert_with(Instant::now);
        live.is_some_and(|l| l.handle.send(Command::Record(false)).is_ok())
    }

    /// Seconds since the take started, at `now`.
    pub fn elapsed_s(&self, now: Instant) -> f64 {
        now.saturating_duration_since(self.started).as_secs_f64()
    }

    /// True when the writer has closed every file ([`Take::finish`] returns at once).
    pub fn is_finished(&self) -> bool {
        self.recorder.is_finished()
    }

    /// Stop if not stopped, wait for the writer (at most [`STOP_WAIT`] for the processor, then
    /// closed on what reached the ring), hand the ring back to `live`, and say how it ended.
    pub fn finish(mut self, live: Option<&mut Live>, by: &str) -> Result<Finished, RecordError> {
        self.stop(live.as_deref(), by);
        while !self.recorder.is_finished() {
            self.poll(live.as_deref());
            std::thread::sleep(Duration::from_millis(5));
        }
        let (report, ring) = self.recorder.finish_keeping_ring();
        if let Some(live) = live {
            live.record = ring;
        }
        let report = report?;
        let short = self.frames_wanted.is_some_and(|f| report.frames < f);
        let ending = if let Some(failure) = &report.stopped_early {
            Ending::WriteFailed(failure.clone())
        } else if let Some(what) = self.input_lost {
            Ending::InputLost(what)
        } else if let Some(by) = self.stopped_by.filter(|_| short) {
            Ending::Stopped(by)
        } else {
            Ending::Complete
        };
        Ok(Finished {
            number: self.number,
            report,
            ending,
            elapsed_s: self.started.elapsed().as_secs_f64(),
        })
    }
}
