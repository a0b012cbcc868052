//! A live session: an input (an interface through cpal, or the file source), the processor in its
//! callback, an optional monitor output, and the handles a front end needs.

use std::path::PathBuf;

use ringbuf::HeapCons;

use super::audio::{self, AudioError};
use super::monitor::{MonitorClock, MonitorError, MonitorFeed};
use super::processor::{ProcessorConfig, Track};
use super::session::{EngineHandle, build};
use super::source::{FileSource, Multitrack, Playback, SourceError, demo_clips, file_clips};

/// Session rate when none is asked for, in Hz.
pub const DEFAULT_RATE_HZ: u32 = 48_000;
/// Block size of the file source, in frames (what an interface with a 256-frame buffer delivers).
const FILE_BLOCK_FRAMES: usize = 256;
/// Largest block a device callback is processed in, in frames.
const MAX_DEVICE_BLOCK: usize = 4096;

/// Where the input comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// An interface, by id or name.
    Device(String),
    /// The system's default input.
    Default,
    /// The system's default input; the demo session when it cannot be used.
    DefaultOrDemo,
    /// The built-in demo session.
    Demo,
    /// WAV files played as tracks (every channel of every file a track).
    Files(Vec<PathBuf>),
}

/// How to start a live session.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    pub input: Input,
    /// Input channels to open (devices: required channel count, default 2; files and demo: use
    /// the first N tracks, default all).
    pub channels: Option<usize>,
    pub rate_hz: u32,
    /// Device buffer size, in frames (device default when `None`).
    pub buffer_frames: Option<u32>,
    /// Output device for the monitor mix.
    pub monitor: Option<String>,
    /// Rate to run the monitor device at, in Hz (default: the session's when the device offers
    /// it, else the device's own); the mix is converted when it differs.
    pub monitor_rate_hz: Option<u32>,
    /// How the monitor device's clock relates to the input's (drift correction).
    pub monitor_clock: MonitorClock,
    /// Make a recorder ring.
    pub record: bool,
    /// Files and demo: loop at the end.
    pub looping: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            input: Input::DefaultOrDemo,
            channels: None,
            rate_hz: DEFAULT_RATE_HZ,
            buffer_frames: None,
            monitor: None,
            monitor_rate_hz: None,
            monitor_clock: MonitorClock::Auto,
            record: false,
            looping: true,
        }
    }
}

/// Why a live session could not start.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Monitor(#[from] MonitorError),
    #[error(transparent)]
    Config(#[from] super::processor::ConfigError),
    #[error("no default input device (name one with --device, see studiodesk devices)")]
    NoInput,
    #[error("the session was started without a capture ring (or it is in use)")]
    NoCapture,
    #[error("cannot start the capture thread: {0}")]
    Thread(std::io::Error),
    #[error("session rate {0} Hz is outside 8000–384000 Hz")]
    Rate(u32),
    #[error("asked for {asked} channels, the input has {available}")]
    Channels { asked: usize, available: usize },
}

enum Runner {
    Device(cpal::Stream),
    Files(FileSource),
}

/// A capture in progress (see [`Live::start_capture`]).
pub struct CaptureJob {
    thread: std::thread::JoinHandle<(Vec<f32>, HeapCons<f32>)>,
    abort: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl CaptureJob {
    /// True when every frame asked for has arrived (or the capture was cut short).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Cut the capture short: it finishes with the frames it has.
    pub fn abort(&self) {
        self.abort.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Wait for the capture: the frames (interleaved), and the ring to put back into
    /// [`Live::record`] (`None` only if the thread panicked).
    pub fn finish(self) -> (Vec<f32>, Option<HeapCons<f32>>) {
        match self.thread.join() {
            Ok((frames, ring)) => (frames, Some(ring)),
            Err(_) => (Vec::new(), None),
        }
    }
}

/// A running live session. Dropping it stops the streams.
pub struct Live {
    pub handle: EngineHandle,
    /// The recorder's end of the record ring (when asked for); hand it to a `Recorder`.
    pub record: Option<HeapCons<f32>>,
    pub track_names: Vec<String>,
    pub rate_hz: u32,
    pub channels: usize,
    /// What is playing, for people: a device name or "built-in demo session".
    pub description: String,
    /// Why the default input was not used, when the demo stands in for it.
    pub fallback_reason: Option<String>,
    runner: Runner,
    _monitor: Option<cpal::Stream>,
    /// Frames processed when last seen moving, and when: a device that stops delivering without
    /// an error is taken for gone after [`STALL`].
    progress: std::cell::Cell<(u64, std::time::Instant)>,
}

/// How long a device may deliver nothing before the session stops (the first blocks may take a
/// moment longer).
const STALL: std::time::Duration = std::time::Duration::from_secs(3);

impl Live {
    /// Open the input (and monitor output) and start processing.
    pub fn start(options: &LiveOptions) -> Result<Live, LiveError> {
        if !super::wav::RATE_RANGE_HZ.contains(&options.rate_hz) {
            return Err(LiveError::Rate(options.rate_hz));
        }
        match &options.input {
            Input::Device(name) => {
                let device = audio::find_device(name, true)?;
                Self::start_device(options, device, None)
            }
            Input::Default => {
                let device = audio::default_input().ok_or(LiveError::NoInput)?;
                Self::start_device(options, device, None)
            }
            Input::DefaultOrDemo => match audio::default_input() {
                Some(device) => match Self::start_device(options, device, None) {
                    Ok(live) => Ok(live),
                    Err(e) => Self::start_files(options, demo_clips()?, Some(e.to_string())),
                },
                None => Self::start_files(
                    options,
                    demo_clips()?,
                    Some("no default input device".into()),
                ),
            },
            Input::Demo => Self::start_files(options, demo_clips()?, None),
            Input::Files(paths) => Self::start_files(options, file_clips(paths)?, None),
        }
    }

    fn start_device(
        options: &LiveOptions,
        device: cpal::Device,
        fallback: Option<String>,
    ) -> Result<Live, LiveError> {
        let channels = options.channels.unwrap_or(2);
        let (config, format) = audio::choose_config(
            &device,
            true,
            channels,
            options.rate_hz,
            options.buffer_frames,
        )?;
        let names: Vec<String> = (1..=channels).map(|c| format!("In {c}")).collect();
        let mut parts = build(
            processor_config(&names, options.rate_hz, MAX_DEVICE_BLOCK),
            options.record,
            options.monitor.is_some(),
        )?;
        let counters = parts.handle.shared_counters();
        let monitor = match (&options.monitor, parts.monitor.take()) {
            (Some(name), Some(ring)) => Some(start_monitor(
                name,
                Some(&device),
                options,
                ring,
                counters.clone(),
            )?),
            _ => None,
        };
        let stream = audio::start_input(
            &device,
            config,
            format,
            parts.processor,
            counters,
            MAX_DEVICE_BLOCK,
        )?;
        Ok(Live {
            handle: parts.handle,
            record: parts.record,
            track_names: names,
            rate_hz: options.rate_hz,
            channels,
            description: device.to_string(),
            fallback_reason: fallback,
            runner: Runner::Device(stream),
            _monitor: monitor,
            progress: std::cell::Cell::new((0, std::time::Instant::now())),
        })
    }

    fn start_files(
        options: &LiveOptions,
        mut clips: Vec<super::source::Clip>,
        fallback: Option<String>,
    ) -> Result<Live, LiveError> {
        let available = clips.len();
        if let Some(asked) = options.channels {
            if asked > available || asked == 0 {
                return Err(LiveError::Channels { asked, available });
            }
            clips.truncate(asked);
        }
        let description = match &options.input {
            Input::Files(paths) => paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            _ => "built-in demo session".to_string(),
        };
        let audio = Multitrack::new(&clips, options.rate_hz)?;
        let names = audio.names.clone();
        let channels = audio.channels();
        let mut parts = build(
            processor_config(&names, options.rate_hz, FILE_BLOCK_FRAMES),
            options.record,
            options.monitor.is_some(),
        )?;
        let monitor = match (&options.monitor, parts.monitor.take()) {
            (Some(name), Some(ring)) => Some(start_monitor(
                name,
                None,
                options,
                ring,
                parts.handle.shared_counters(),
            )?),
            _ => None,
        };
        let source = FileSource::start(
            audio,
            parts.processor,
            Playback {
                block_frames: FILE_BLOCK_FRAMES,
                looping: options.looping,
                limit_frames: None,
                real_time: true,
            },
        );
        Ok(Live {
            handle: parts.handle,
            record: parts.record,
            track_names: names,
            rate_hz: options.rate_hz,
            channels,
            description,
            fallback_reason: fallback,
            runner: Runner::Files(source),
            _monitor: monitor,
            progress: std::cell::Cell::new((0, std::time::Instant::now())),
        })
    }

    /// True when the input has ended (files played out) or the device is gone.
    pub fn has_ended(&self) -> bool {
        self.device_lost()
            || match &self.runner {
                Runner::Device(_) => false,
                Runner::Files(source) => source.is_finished(),
            }
    }

    /// True when the device reported that it is gone, or stopped delivering audio for longer
    /// than [`STALL`] (twice that before the first block).
    pub fn device_lost(&self) -> bool {
        let counters = self.handle.shared_counters();
        if counters
            .device_lost
            .load(std::sync::atomic::Ordering::Acquire)
        {
            return true;
        }
        let Runner::Device(_) = self.runner else {
            return false;
        };
        let frames = counters
            .frames_processed
            .load(std::sync::atomic::Ordering::Relaxed);
        let (seen, since) = self.progress.get();
        if frames != seen {
            self.progress.set((frames, std::time::Instant::now()));
            return false;
        }
        let allowed = if frames == 0 { 2 * STALL } else { STALL };
        since.elapsed() > allowed
    }

    /// True when the monitor output failed (the session goes on without it).
    pub fn monitor_lost(&self) -> bool {
        self.handle
            .shared_counters()
            .monitor_lost
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Capture the next `frames` frames of every input channel into memory (interleaved), for
    /// analysis. Needs a session started with `record`; returns fewer frames if the input ends.
    pub fn capture(&mut self, frames: u64) -> Result<Vec<f32>, LiveError> {
        let job = self.start_capture(frames)?;
        while !job.is_finished() {
            if self.has_ended() {
                job.abort();
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let (out, ring) = job.finish();
        self.record = ring;
        Ok(out)
    }

    /// Start capturing the next `frames` frames on a thread of its own (a window stays
    /// responsive meanwhile). The recorder ring is lent to the job until [`CaptureJob::finish`]
    /// hands it back; put it back into `record`.
    pub fn start_capture(&mut self, frames: u64) -> Result<CaptureJob, LiveError> {
        use std::sync::atomic::Ordering;
        let ring = self.record.take().ok_or(LiveError::NoCapture)?;
        let counters = self.handle.shared_counters();
        counters.take_frames.store(0, Ordering::Release);
        counters.take_closed.store(false, Ordering::Release);
        // If the command cannot reach the processor, nothing will arrive: the job ends at once
        // with no frames (and hands the ring back).
        let sent = self
            .handle
            .send(super::processor::Command::RecordFrames(frames));
        let abort = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(sent.is_err()));
        let wanted = frames as usize * self.channels;
        let channels = self.channels;
        let stop = std::sync::Arc::clone(&abort);
        let thread = std::thread::Builder::new()
            .name("studiodesk-capture".into())
            .spawn(move || {
                use ringbuf::traits::{Consumer, Observer};
                let mut ring = ring;
                let mut out = vec![0.0f32; wanted];
                let mut at = 0;
                while at < wanted {
                    let got = ring.pop_slice(&mut out[at..]);
                    at += got;
                    if got > 0 {
                        continue;
                    }
                    let closed = counters.take_closed.load(Ordering::Acquire)
                        && counters.take_frames.load(Ordering::Acquire) > 0
                        && ring.is_empty();
                    if closed
                        || stop.load(Ordering::Acquire)
                        || counters.device_lost.load(Ordering::Acquire)
                    {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                out.truncate(at / channels * channels);
                (out, ring)
            })
            .map_err(LiveError::Thread)?;
        Ok(CaptureJob { thread, abort })
    }

    /// Stop the input and the monitor.
    pub fn stop(self) {
        match self.runner {
            Runner::Device(stream) => drop(stream),
            Runner::Files(source) => drop(source.stop()),
        }
    }
}

/// Open the monitor output `name`; `input` is the input device (`None` for files and the demo,
/// paced by the system clock), to tell whether the two share a clock.
fn start_monitor(
    name: &str,
    input: Option<&cpal::Device>,
    options: &LiveOptions,
    ring: HeapCons<f32>,
    counters: std::sync::Arc<super::snapshot::Counters>,
) -> Result<cpal::Stream, LiveError> {
    use cpal::traits::DeviceTrait;
    let device = audio::find_device(name, false)?;
    let wanted = options.monitor_rate_hz.unwrap_or(options.rate_hz);
    let chosen = audio::choose_monitor_config(&device, wanted, options.buffer_frames);
    let (config, format) = match (chosen, options.monitor_rate_hz) {
        (Ok(chosen), _) => chosen,
        // No explicit rate and the device cannot run at the session's: use its own.
        (Err(e), None) => {
            let own = device.default_output_config().map_err(|_| e)?.sample_rate();
            audio::choose_monitor_config(&device, own, options.buffer_frames)?
        }
        (Err(e), Some(_)) => return Err(e.into()),
    };
    let follow = match options.monitor_clock {
        MonitorClock::Shared => false,
        MonitorClock::Follow => true,
        MonitorClock::Auto => match (input.map(|i| i.id()), device.id()) {
            (Some(Ok(input)), Ok(output)) => !audio::one_clock(&input, &output),
            // Files and the demo go by the system clock; devices not told apart follow.
            _ => true,
        },
    };
    let feed = MonitorFeed::new(
        ring,
        options.rate_hz,
        config.sample_rate,
        counters.clone(),
        follow,
    )?;
    Ok(audio::start_output(
        &device,
        config,
        format,
        feed,
        counters,
        MAX_DEVICE_BLOCK,
    )?)
}

/// One mono track per input channel, named, armed, at unity.
fn processor_config(names: &[String], rate_hz: u32, max_block_frames: usize) -> ProcessorConfig {
    ProcessorConfig {
        sample_rate_hz: rate_hz,
        input_channels: names.len(),
        max_block_frames,
        tracks: names
            .iter()
            .enumerate()
            .map(|(c, name)| Track::mono(name.clone(), c))
            .collect(),
        master_gain_db: 0.0,
    }
}
