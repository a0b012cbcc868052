//! The recorder: a writer thread that drains the processor's record ring into one WAV per armed
//! track, faster than real time.
//!
//! No data lost: the ring holds [`RECORD_RING_S`](super::session::RECORD_RING_S) seconds, so the
//! writer may stall that long before the processor has to drop (and count) frames; headers are
//! checkpointed at least every [`CHECKPOINT`] so a killed process leaves playable files that lose
//! at most the last checkpoint interval (and `studiodesk repair` recovers even that); files roll
//! over to a new part before the 4 GiB limit of the WAV format.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ringbuf::HeapCons;
use ringbuf::traits::{Consumer, Observer};

use super::bwf::{self, FileTags, TakeTags, TimecodeRate, TrackChannel};
use super::processor::TrackInput;
use super::snapshot::Counters;
use crate::meter::{Layout, LoudnessMeter};

/// Longest time between two header checkpoints.
pub const CHECKPOINT: Duration = Duration::from_millis(500);
/// Largest WAV file written before rolling over to the next part, in bytes (4 GiB less headroom).
pub const MAX_FILE_BYTES: u64 = (4 << 30) - (16 << 20);
/// Frames drained from the ring at a time.
const DRAIN_FRAMES: usize = 8192;
/// Pause when the ring is empty.
const IDLE: Duration = Duration::from_millis(5);

/// Sample format of recorded files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// 32-bit IEEE float.
    F32,
    /// 24-bit integer.
    S24,
}

/// Why recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        #[source]
        source: hound::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: hound::Error,
    },
    #[error("output folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the recorder thread stopped unexpectedly")]
    Panicked,
    #[error(
        "cannot create {path} ({source}); takes are never overwritten: choose another --take or --session"
    )]
    Exists {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} does not take new files ({source}): choose another folder for the takes")]
    NotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the recorder thread: {0}")]
    Thread(#[source] std::io::Error),
    #[error("cannot close {path} after a failed write: {source}")]
    Salvage {
        path: PathBuf,
        #[source]
        source: super::wav::WavError,
    },
}

/// One armed track of a take.
#[derive(Clone, Debug, PartialEq)]
pub struct TakeTrack {
    pub name: String,
    pub input: TrackInput,
}

/// What to record and where.
#[derive(Clone, Debug)]
pub struct TakeSpec {
    pub dir: PathBuf,
    /// Session name, the first part of every file name.
    pub session: String,
    pub take: u32,
    pub tracks: Vec<TakeTrack>,
    pub sample_rate_hz: u32,
    /// Interleaved channels in the ring (the processor's input channels).
    pub input_channels: usize,
    pub format: RecordFormat,
    /// Roll over to a new part beyond this many bytes per file.
    pub max_file_bytes: u64,
    /// What the files' `bext` and `iXML` chunks say of the take.
    pub meta: TakeMeta,
}

/// What a take's files carry besides audio (see [`super::bwf`]).
#[derive(Clone, Debug, Default)]
pub struct TakeMeta {
    /// Project, song, note … (the take number is filled from [`TakeSpec::take`] when blank).
    pub tags: TakeTags,
    pub timecode: TimecodeRate,
    /// Local time of the take's first frame; now (in the system's zone) when `None`.
    pub started: Option<jiff::ZonedDateTime>,
}

/// A file written, with the frames it holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RecordedFile {
    pub path: PathBuf,
    pub frames: u64,
    /// Track number (0-based) and part, for ordering.
    #[serde(skip)]
    pub track: usize,
    #[serde(skip)]
    pub part: u32,
}

/// What a finished take left on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TakeReport {
    pub files: Vec<RecordedFile>,
    /// Frames per track written in total (every track holds this many).
    pub frames: u64,
    /// Why the writer stopped before the take ended, when it did; the files are then closed on
    /// what reached the disk, every track cut to the same length.
    pub stopped_early: Option<WriteFailure>,
}

/// A write that failed during a take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteFailure {
    /// The file system is full (or the user's quota is).
    pub disk_full: bool,
    /// The error, naming the file.
    pub message: String,
}

impl WriteFailure {
    fn new(error: &RecordError) -> WriteFailure {
        let io_kind = match error {
            RecordError::Write { source, .. } | RecordError::Create { source, .. } => {
                match source {
                    hound::Error::IoError(e) => Some(e.kind()),
                    _ => None,
                }
            }
            RecordError::Exists { source, .. } | RecordError::Folder { source, .. } => {
                Some(source.kind())
            }
            _ => None,
        };
        WriteFailure {
            disk_full: matches!(
                io_kind,
                Some(std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
            ),
            message: error.to_string(),
        }
    }

    /// "disk full", or the error, for a summary line.
    pub fn reason(&self) -> String {
        if self.disk_full {
            format!("disk full ({})", self.message)
        } else {
            self.message.clone()
        }
    }
}

/// What the writer thread ends with: its report, and the ring (lent back for the next take).
type WriterEnd = (Result<TakeReport, RecordError>, Option<HeapCons<f32>>);

/// A recorder thread writing one take.
pub struct Recorder {
    thread: Option<JoinHandle<WriterEnd>>,
    abort: Arc<AtomicBool>,
    /// The ring, back from the writer thread once it has stopped.
    ring: Option<HeapCons<f32>>,
}

/// One track's file in progress.
struct TrackFile {
    index: usize,
    input: TrackInput,
    writer: hound::WavWriter<BufWriter<File>>,
    path: PathBuf,
    part: u32,
    frames: u64,
    /// Meters what the file holds, for its bext loudness fields.
    meter: LoudnessMeter,
    /// This file's samples of the block being written, for the meter.
    scratch: Vec<f32>,
}

/// When a take started, shared by its files.
#[derive(Clone, Debug)]
struct TakeClock {
    started: jiff::ZonedDateTime,
    /// Samples since local midnight of the take's first frame.
    time_reference: u64,
    /// Unique to the take.
    take_id: u64,
}

impl TakeClock {
    fn new(spec: &TakeSpec) -> TakeClock {
        let started = spec
            .meta
            .started
            .clone()
            .unwrap_or_else(jiff::ZonedDateTime::now);
        TakeClock {
            time_reference: bwf::samples_since_midnight(&started, spec.sample_rate_hz),
            take_id: random_u64(started.timestamp().as_nanosecond() as u64),
            started,
        }
    }
}

/// A random number (the standard library's randomly keyed hasher over `salt`).
fn random_u64(salt: u64) -> u64 {
    use std::hash::BuildHasher;
    std::hash::RandomState::new().hash_one(salt)
}

impl Recorder {
    /// Create the take's files (errors such as an unwritable folder come back here, before any
    /// audio flows), then start the thread that fills them from `ring`. The processor must be told
    /// to record (`Command::Record(true)`) after this returns.
    pub fn start(
        spec: TakeSpec,
        ring: HeapCons<f32>,
        counters: Arc<Counters>,
    ) -> Result<Recorder, RecordError> {
        Self::start_or_return(spec, ring, counters).map_err(|(e, _)| e)
    }

    /// As [`Recorder::start`], but a take that cannot start hands the ring back with the error,
    /// so that the next attempt can use it.
    #[allow(clippy::result_large_err)]
    pub fn start_or_return(
        spec: TakeSpec,
        ring: HeapCons<f32>,
        counters: Arc<Counters>,
    ) -> Result<Recorder, (RecordError, HeapCons<f32>)> {
        if let Err(source) = std::fs::create_dir_all(&spec.dir) {
            let path = spec.dir.clone();
            return Err((RecordError::Folder { path, source }, ring));
        }
        let clock = TakeClock::new(&spec);
        let mut files = Vec::with_capacity(spec.tracks.len());
        for index in 0..spec.tracks.len() {
            match open_part(&spec, &clock, index, 1, 0) {
                Ok(file) => files.push(file),
                Err(e) => {
                    // Leave no empty files behind from a take that never started.
                    for file in files {
                        drop(file.writer);
                        let _ = std::fs::remove_file(&file.path);
                    }
                    return Err((e, ring));
                }
            }
        }
        // A new take: nothing pushed, not closed (the processor is not recording yet).
        counters.take_frames.store(0, Ordering::Release);
        counters.take_closed.store(false, Ordering::Release);
        let abort = Arc::new(AtomicBool::new(false));
        let thread_abort = Arc::clone(&abort);
        // The ring is handed over once the thread exists, so a failed spawn can give it back.
        let (hand_over, receive) = crossbeam_channel::bounded::<HeapCons<f32>>(1);
        let spawned = std::thread::Builder::new()
            .name("studiodesk-recorder".into())
            .spawn(move || match receive.recv() {
                Ok(mut ring) => {
                    let report = write_take(spec, clock, files, &mut ring, counters, thread_abort);
                    (report, Some(ring))
                }
                Err(_) => (Err(RecordError::Panicked), None),
            });
        let thread = match spawned {
            Ok(thread) => thread,
            Err(e) => return Err((RecordError::Thread(e), ring)),
        };
        let _ = hand_over.send(ring);
        Ok(Recorder {
            thread: Some(thread),
            abort,
            ring: None,
        })
    }

    /// Wait until the take is closed (`Command::Record(false)` applied) and every frame pushed
    /// is on disk, then finalise the files.
    pub fn finish(mut self) -> Result<TakeReport, RecordError> {
        self.join()
    }

    /// As [`Recorder::finish`], and hand the ring back for the next take (`None` only if the
    /// writer thread panicked).
    pub fn finish_keeping_ring(
        mut self,
    ) -> (Result<TakeReport, RecordError>, Option<HeapCons<f32>>) {
        let report = self.join();
        (report, self.ring.take())
    }

    /// True when the writer thread has stopped (finished the take, or failed: `finish` says which).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Tell the writer not to wait for the processor (its stream is gone): it writes what is in
    /// the ring and finalises; [`Recorder::is_finished`] turns true once it has. Does not block.
    pub fn stop_without_processor(&self) {
        self.abort.store(true, Ordering::Release);
    }

    /// Stop without waiting for the processor (its stream is gone): write what is in the ring,
    /// finalise, report.
    pub fn abort(mut self) -> Result<TakeReport, RecordError> {
        self.abort.store(true, Ordering::Release);
        self.join()
    }

    fn join(&mut self) -> Result<TakeReport, RecordError> {
        match self.thread.take() {
            Some(thread) => match thread.join() {
                Ok((report, ring)) => {
                    self.ring = ring;
                    report
                }
                Err(_) => Err(RecordError::Panicked),
            },
            None => Ok(TakeReport::default()),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.abort.store(true, Ordering::Release);
            let _ = self.join();
        }
    }
}

/// A name made safe for a file name: letters, digits, '-' and '_' kept, the rest '_'.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn file_name(spec: &TakeSpec, index: usize, track: &TakeTrack, part: u32) -> PathBuf {
    let safe = safe_name(&track.name);
    let part = if part > 1 {
        format!("_part{part}")
    } else {
        String::new()
    };
    spec.dir.join(format!(
        "{}_take{:03}_{:02}-{}{}.wav",
        safe_name(&spec.session),
        spec.take,
        index + 1,
        safe,
        part
    ))
}

/// hound's `fmt ` chunk body for `spec` (the one its appending writer reads back).
fn fmt_body(spec: hound::WavSpec) -> Result<Vec<u8>, hound::Error> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    hound::WavWriter::new(&mut cursor, spec)?.finalize()?;
    let bytes = cursor.into_inner();
    // RIFF header (12 bytes), `fmt ` header (8), body, then an empty `data` header (8).
    Ok(bytes[20..bytes.len() - 8].to_vec())
}

fn open_part(
    spec: &TakeSpec,
    clock: &TakeClock,
    index: usize,
    part: u32,
    frames_before: u64,
) -> Result<TrackFile, RecordError> {
    let track = &spec.tracks[index];
    let path = file_name(spec, index, track, part);
    let (first, channels) = match track.input {
        TrackInput::Mono(c) => (c, 1),
        TrackInput::Stereo(c) => (c, 2),
    };
    let (bits, sample_format) = match spec.format {
        RecordFormat::F32 => (32, hound::SampleFormat::Float),
        RecordFormat::S24 => (24, hound::SampleFormat::Int),
    };
    let wav_spec = hound::WavSpec {
        channels,
        sample_rate: spec.sample_rate_hz,
        bits_per_sample: bits,
        sample_format,
    };
    let create = |source| RecordError::Create {
        path: path.clone(),
        source,
    };
    let mut tags = spec.meta.tags.clone();
    if tags.take.is_empty() {
        tags.take = spec.take.to_string();
    }
    let names: Vec<String> = if channels == 1 {
        vec![track.name.clone()]
    } else {
        vec![format!("{} L", track.name), format!("{} R", track.name)]
    };
    let file_tags = FileTags {
        tags,
        session: spec.session.clone(),
        track_name: track.name.clone(),
        channels: names
            .into_iter()
            .enumerate()
            .map(|(i, name)| TrackChannel {
                input_channel: first + i + 1,
                name,
            })
            .collect(),
        sample_rate_hz: spec.sample_rate_hz,
        bits,
        float: spec.format == RecordFormat::F32,
        started: clock.started.clone(),
        time_reference: clock.time_reference + frames_before,
        timecode: spec.meta.timecode,
        take_id: clock.take_id,
        file_id: (random_u64(clock.take_id ^ index as u64) as u128) << 64
            | random_u64(part as u64) as u128,
        track: index,
        part,
    };
    let header = bwf::file_header(&fmt_body(wav_spec).map_err(create)?, &file_tags);
    // Never overwrite: an earlier take with the same name is somebody's work.
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| RecordError::Exists {
            path: path.clone(),
            source,
        })?;
    // The chunks go before the audio, so that a killed take already carries them; hound then
    // appends samples after them and keeps the sizes.
    std::io::Write::write_all(&mut file, &header).map_err(|e| create(hound::Error::IoError(e)))?;
    drop(file);
    let writer = hound::WavWriter::append(&path).map_err(create)?;
    let layout = if channels == 1 {
        Layout::for_stream(1, None)
    } else {
        Layout::Stereo
    };
    Ok(TrackFile {
        index,
        input: track.input,
        writer,
        path,
        part,
        frames: 0,
        meter: LoudnessMeter::new(spec.sample_rate_hz, &layout),
        scratch: Vec::with_capacity(DRAIN_FRAMES * channels as usize),
    })
}

fn write_take(
    spec: TakeSpec,
    clock: TakeClock,
    mut files: Vec<TrackFile>,
    ring: &mut HeapCons<f32>,
    counters: Arc<Counters>,
    abort: Arc<AtomicBool>,
) -> Result<TakeReport, RecordError> {
    let channels = spec.input_channels;
    let mut buffer = vec![0.0f32; DRAIN_FRAMES * channels];
    let mut done: Vec<RecordedFile> = Vec::new();
    let mut written = 0u64;
    let mut last_checkpoint = Instant::now();
    let max_extra_passes = ring.capacity().get().div_ceil(buffer.len()) + 1;
    let mut extra_passes = 0;
    loop {
        let popped = ring.pop_slice(&mut buffer);
        debug_assert_eq!(popped % channels, 0, "the processor pushes whole frames");
        if popped > 0 {
            let frames = &buffer[..popped / channels * channels];
            for i in 0..files.len() {
                if let Err(e) =
                    write_frames(&spec, &clock, &mut files[i], frames, channels, &mut done)
                {
                    return salvage(files, done, &e);
                }
            }
            let n = (popped / channels) as u64;
            written += n;
            Counters::bump(&counters.frames_recorded, n);
        } else {
            let aborted = abort.load(Ordering::Acquire);
            let closed = counters.take_closed.load(Ordering::Acquire);
            let pushed = counters.take_frames.load(Ordering::Acquire);
            // The flags are read after the ring was found empty. Aborted: the stream was stopped
            // before the abort, so nothing more comes. Closed: every frame of the take is written.
            if aborted || (closed && written >= pushed) {
                // Bounded, in case a stream still runs: at most one ring's worth more.
                if aborted && ring.occupied_len() > 0 && extra_passes < max_extra_passes {
                    extra_passes += 1;
                    continue;
                }
                break;
            }
            std::thread::sleep(IDLE);
        }
        if last_checkpoint.elapsed() >= CHECKPOINT {
            for i in 0..files.len() {
                let file = &mut files[i];
                if let Err(source) = file.writer.flush() {
                    let path = file.path.clone();
                    return salvage(files, done, &RecordError::Write { path, source });
                }
            }
            last_checkpoint = Instant::now();
        }
    }
    for i in 0..files.len() {
        // Finalising writes what is buffered and the header: it can find the disk full too.
        let file = &mut files[i];
        if let Err(source) = file.writer.flush() {
            let path = file.path.clone();
            return salvage(files, done, &RecordError::Write { path, source });
        }
    }
    for file in files {
        done.push(finalize(file)?);
    }
    // Stable: each track's parts stay in the order they were written.
    done.sort_by_key(|f| (f.track, f.part));
    Ok(TakeReport {
        files: done,
        frames: written,
        stopped_early: None,
    })
}

/// After a failed write (a full disk, a pulled drive): close every file on what reached the disk
/// (the header covers each whole frame there, as `repair` would make it) and cut every track to
/// the shortest one's length, so that the take's tracks stay in sync. A file system that is full
/// still lets a header be rewritten in place and a file be shortened.
fn salvage(
    files: Vec<TrackFile>,
    mut done: Vec<RecordedFile>,
    error: &RecordError,
) -> Result<TakeReport, RecordError> {
    let failure = WriteFailure::new(error);
    let mut current = Vec::with_capacity(files.len());
    for file in files {
        // hound's own finalising on drop may fail halfway on a full disk: the header is made
        // right from what is on disk below, whatever it left.
        let TrackFile {
            writer,
            path,
            index,
            part,
            ..
        } = file;
        drop(writer);
        let before: u64 = done
            .iter()
            .filter(|f| f.track == index)
            .map(|f| f.frames)
            .sum();
        let frames = close_on_disk(&path, None)?;
        current.push((path, index, part, before, frames));
    }
    let total = current
        .iter()
        .map(|(_, _, _, before, frames)| before + frames)
        .min()
        .unwrap_or(0);
    for (path, index, part, before, frames) in current {
        let keep = total.saturating_sub(before);
        let frames = if keep < frames {
            close_on_disk(&path, Some(keep))?
        } else {
            frames
        };
        done.push(RecordedFile {
            path,
            frames,
            track: index,
            part,
        });
    }
    done.sort_by_key(|f| (f.track, f.part));
    Ok(TakeReport {
        files: done,
        frames: total,
        stopped_early: Some(failure),
    })
}

/// Close a file whose writer failed: see [`super::wav::close_cut`].
fn close_on_disk(path: &Path, keep_frames: Option<u64>) -> Result<u64, RecordError> {
    super::wav::close_cut(path, keep_frames).map_err(|e| RecordError::Salvage {
        path: path.to_path_buf(),
        source: e,
    })
}

fn write_frames(
    spec: &TakeSpec,
    clock: &TakeClock,
    file: &mut TrackFile,
    frames: &[f32],
    channels: usize,
    done: &mut Vec<RecordedFile>,
) -> Result<(), RecordError> {
    let inputs = match file.input {
        TrackInput::Mono(c) => c..c + 1,
        TrackInput::Stereo(c) => c..c + 2,
    };
    let bytes_per_frame = inputs.len() as u64
        * if spec.format == RecordFormat::F32 {
            4
        } else {
            3
        };
    for frame in frames.chunks_exact(channels) {
        if (file.frames + 1) * bytes_per_frame > spec.max_file_bytes {
            let before: u64 = done
                .iter()
                .filter(|f| f.track == file.index)
                .map(|f| f.frames)
                .sum::<u64>()
                + file.frames;
            let next = open_part(spec, clock, file.index, file.part + 1, before)?;
            let full = std::mem::replace(file, next);
            done.push(finalize(full)?);
        }
        for &x in &frame[inputs.clone()] {
            let result = match spec.format {
                RecordFormat::F32 => {
                    file.scratch.push(x);
                    file.writer.write_sample(x)
                }
                RecordFormat::S24 => {
                    let q = (x.clamp(-1.0, 1.0) * 8_388_607.0).round() as i32;
                    file.scratch.push(q as f32 / 8_388_608.0);
                    file.writer.write_sample(q)
                }
            };
            result.map_err(|source| RecordError::Write {
                path: file.path.clone(),
                source,
            })?;
        }
        file.frames += 1;
    }
    file.meter_scratch();
    Ok(())
}

impl TrackFile {
    /// Meter the samples written since the last call.
    fn meter_scratch(&mut self) {
        self.meter.process(&self.scratch);
        self.scratch.clear();
    }
}

fn finalize(mut file: TrackFile) -> Result<RecordedFile, RecordError> {
    file.meter_scratch();
    let fields = bwf::loudness_fields(&file.meter.reading(0));
    let TrackFile {
        writer,
        path,
        frames,
        index,
        part,
        ..
    } = file;
    let write_error = |source| RecordError::Write {
        path: path.clone(),
        source,
    };
    writer.finalize().map_err(write_error)?;
    // Best effort: the audio is whole and closed; fields that cannot be written stay "not set"
    // (0x7FFF), which readers take as unknown, and `repair` fills them later.
    let _ = bwf::write_loudness(&path, fields);
    Ok(RecordedFile {
        path,
        frames,
        track: index,
        part,
    })
}

/// The first take number from 1 up with no files of `session` in `dir`.
pub fn next_free_take(dir: &Path, session: &str) -> u32 {
    let prefix = format!("{}_take", safe_name(session));
    let used: Vec<u32> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_prefix(&prefix)?.get(..3)?.parse().ok()
                })
                .collect()
        })
        .unwrap_or_default();
    (1..).find(|n| !used.contains(n)).unwrap_or(1)
}

/// True when `dir` can take new files (exists or can be made, and is writable).
pub fn check_folder(dir: &Path) -> Result<(), RecordError> {
    std::fs::create_dir_all(dir).map_err(|source| RecordError::Folder {
        path: dir.to_path_buf(),
        source,
    })?;
    let probe = dir.join(".studiodesk-write-test");
    File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|source| RecordError::NotWritable {
            path: dir.to_path_buf(),
            source,
        })
}

/// Bytes free for an unprivileged writer on the file system that holds `dir` (or the nearest
/// folder above it that exists); `None` when it cannot be told.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let existing = dir.ancestors().find(|d| d.exists())?;
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    let stat = rustix::fs::statvfs(existing).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// How long a take of `tracks` tracks at `rate_hz` in `format` can run in `free_bytes`, in
/// minutes.
pub fn recording_minutes(
    free_bytes: u64,
    tracks: usize,
    rate_hz: u32,
    format: RecordFormat,
) -> f64 {
    let bytes_per_sample = match format {
        RecordFormat::F32 => 4.0,
        RecordFormat::S24 => 3.0,
    };
    let per_minute = tracks.max(1) as f64 * rate_hz as f64 * bytes_per_sample * 60.0;
    free_bytes as f64 / per_minute
}

#[cfg(test)]
mod disk_tests {
    use super::*;

    #[test]
    fn headroom_in_minutes() {
        // 8 tracks of 48 kHz float: 8 × 48 000 × 4 × 60 = 92 160 000 bytes a minute.
        let minutes = recording_minutes(921_600_000, 8, 48_000, RecordFormat::F32);
        assert!((minutes - 10.0).abs() < 1e-9, "{minutes}");
        assert!(free_bytes(Path::new("/no/such/folder/here")).is_some());
    }
}
