//! The real-time processor: every audio callback (a cpal input stream, the demo file source, an
//! offline run) hands it interleaved `f32` input blocks.
//!
//! # Real-time contract
//! Everything reachable from [`Processor::process`] allocates nothing, takes no lock, does no I/O,
//! logs nothing and never waits: buffers are sized in [`Processor::new`], commands arrive through a
//! bounded channel read with `try_recv`, samples leave through lock-free rings (`ringbuf`), meter
//! snapshots through a triple buffer, counters through atomics. A full ring is counted, not waited
//! on. `tests/engine_no_alloc.rs` proves the allocation part with a counting allocator.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crossbeam_channel::Receiver;
use ringbuf::HeapProd;
use ringbuf::traits::{Observer, Producer};

use crate::meter::units::{db_to_gain, gain_to_db};
use crate::meter::{Correlation, Isa, Layout, Levels, Loudness, LoudnessMeter, Peaks, Spectrum};

use super::snapshot::{Counters, MasterMeters, MeterSnapshot, TrackMeters};

/// Meter snapshots published per second of audio.
pub const SNAPSHOTS_PER_S: u32 = 30;
/// FFT size of the master spectrum.
const SPECTRUM_FFT: usize = 4096;
/// RMS window of the track meters, in ms.
const TRACK_RMS_MS: usize = 300;
/// Correlation window of the master, in ms.
const CORRELATION_MS: usize = 400;
/// |x| at or above which a sample counts as clipped.
const CLIP_LEVEL: f32 = 0.999;
/// A snapshot's sample peaks cover this many snapshot intervals (133 ms at 30 per second), so a
/// front end reading ten times a second still sees every peak.
const PEAK_SPAN_SNAPSHOTS: usize = 4;
/// Highest fader or master gain, in dB (−∞ is off).
pub const MAX_GAIN_DB: f64 = 24.0;

/// Where a track takes its signal from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackInput {
    /// One input channel.
    Mono(usize),
    /// Two adjacent input channels, left first.
    Stereo(usize),
}

impl TrackInput {
    fn channels(self) -> std::ops::Range<usize> {
        match self {
            TrackInput::Mono(c) => c..c + 1,
            TrackInput::Stereo(c) => c..c + 2,
        }
    }
}

/// A track as set up by the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    pub name: String,
    pub input: TrackInput,
    /// Fader, in dB.
    pub gain_db: f64,
    /// −1 (left) … +1 (right); constant-power law for mono tracks, balance for stereo ones.
    pub pan: f64,
    pub mute: bool,
    pub solo: bool,
    /// Record-armed: recorded when a take starts.
    pub armed: bool,
}

impl Track {
    /// A mono track on input channel `channel`, fader at 0 dB, centred, armed.
    pub fn mono(name: impl Into<String>, channel: usize) -> Self {
        Track {
            name: name.into(),
            input: TrackInput::Mono(channel),
            gain_db: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            armed: true,
        }
    }
}

/// A change to the mix, applied at the next block boundary with a [`RAMP_MS`] gain ramp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    Gain {
        track: usize,
        db: f64,
    },
    Pan {
        track: usize,
        pan: f64,
    },
    Mute {
        track: usize,
        on: bool,
    },
    Solo {
        track: usize,
        on: bool,
    },
    Arm {
        track: usize,
        on: bool,
    },
    MasterGain {
        db: f64,
    },
    /// Start (true) or stop (false) pushing input to the recorder.
    Record(bool),
    /// Record exactly this many frames from the next block on, then close the take.
    RecordFrames(u64),
    /// Reset every meter (integrated loudness, true-peak and clip holds included).
    ResetMeters,
    /// Reset one track's true-peak hold and clip count.
    ResetTrackPeaks {
        track: usize,
    },
    /// Pause (true) or continue (false) the master's integrated loudness and loudness range.
    PauseIntegrated(bool),
}

/// The engine's fixed shape, decided before the stream starts.
#[derive(Clone, Debug)]
pub struct ProcessorConfig {
    pub sample_rate_hz: u32,
    /// Interleaved channels of each input block.
    pub input_channels: usize,
    /// Largest block the driver will pass, in frames (larger blocks are split).
    pub max_block_frames: usize,
    pub tracks: Vec<Track>,
    pub master_gain_db: f64,
}

/// A processor configuration that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("track '{track}' reads input channel {channel}, the input has {channels}")]
    Channel {
        track: String,
        channel: usize,
        channels: usize,
    },
    #[error("the session needs at least one input channel")]
    NoChannels,
}

impl ProcessorConfig {
    /// Check that every track reads channels the input has.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.input_channels == 0 {
            return Err(ConfigError::NoChannels);
        }
        for t in &self.tracks {
            if let Some(channel) = t.input.channels().find(|c| *c >= self.input_channels) {
                return Err(ConfigError::Channel {
                    track: t.name.clone(),
                    channel: channel + 1,
                    channels: self.input_channels,
                });
            }
        }
        Ok(())
    }
}

/// The ends of the processor's outputs, made by the engine and moved into the processor.
pub struct ProcessorOutputs {
    /// Raw input frames of a take, for the recorder (all input channels, interleaved).
    pub record: Option<HeapProd<f32>>,
    /// Master bus frames (stereo interleaved), for the monitor output.
    pub monitor: Option<HeapProd<f32>>,
    /// Meter snapshots, latest wins.
    pub snapshots: triple_buffer::Input<MeterSnapshot>,
    pub counters: Arc<Counters>,
}

/// Length of a gain change, in ms: long enough to be click-free, short enough to feel instant.
pub const RAMP_MS: f64 = 5.0;

/// A gain that moves to its target linearly over [`RAMP_MS`], across block boundaries.
#[derive(Clone, Copy, Debug, Default)]
struct Ramp {
    current: Gains,
    target: Gains,
    step: Gains,
    remaining: usize,
}

impl Ramp {
    fn at(gains: Gains) -> Ramp {
        Ramp {
            current: gains,
            target: gains,
            ..Ramp::default()
        }
    }

    /// Aim at `target`; a new target restarts the ramp from where the gain is now.
    fn aim(&mut self, target: Gains, frames: usize) {
        if target != self.target {
            self.target = target;
            self.remaining = frames.max(1);
            self.step = Gains {
                left: (target.left - self.current.left) / self.remaining as f32,
                right: (target.right - self.current.right) / self.remaining as f32,
            };
        }
    }

    /// True when the gain is and stays zero.
    fn silent(&self) -> bool {
        self.remaining == 0 && self.current == Gains::default()
    }

    /// Gains for each of the next `frames` frames: `f(i, left, right)`; then advance.
    #[inline]
    fn apply(&mut self, frames: usize, mut f: impl FnMut(usize, f32, f32)) {
        let ramping = self.remaining.min(frames);
        let (c, s) = (self.current, self.step);
        for i in 0..ramping {
            let k = (i + 1) as f32;
            f(i, c.left + s.left * k, c.right + s.right * k);
        }
        self.remaining -= ramping;
        self.current = if self.remaining == 0 {
            self.target
        } else {
            Gains {
                left: c.left + s.left * ramping as f32,
                right: c.right + s.right * ramping as f32,
            }
        };
        let c = self.current;
        for i in ramping..frames {
            f(i, c.left, c.right);
        }
    }
}

/// Per-track gains (linear) for left and right.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Gains {
    left: f32,
    right: f32,
}

/// The real-time processor. Build with [`Processor::new`], then call [`Processor::process`] from
/// one thread (the audio callback).
pub struct Processor {
    rate_hz: u32,
    channels: usize,
    max_block: usize,
    tracks: Vec<Track>,
    gains: Vec<Ramp>,
    master_gain_db: f64,
    master_gain: Ramp,
    ramp_frames: usize,
    commands: Receiver<Command>,
    outputs: ProcessorOutputs,
    recording: bool,
    /// Frames the current take still takes, when it was started with a length.
    record_left: Option<u64>,
    /// Master bus, stereo interleaved, and its mid signal.
    master: Vec<f32>,
    mid: Vec<f32>,
    track_loudness: Loudness,
    input_peaks: Peaks,
    input_levels: Levels,
    clips: Vec<u64>,
    master_meter: LoudnessMeter,
    master_correlation: Correlation,
    spectrum: Spectrum,
    /// Sample peaks of the last snapshot intervals: inputs, then master left and right.
    recent_peaks: Vec<[f32; PEAK_SPAN_SNAPSHOTS]>,
    snapshots: usize,
    frames_per_snapshot: u64,
    since_snapshot: u64,
    frames_total: u64,
}

impl Processor {
    /// A snapshot of the shape `config` publishes (every vector at its final length). The triple
    /// buffer must be made from it, so that filling a snapshot in place never reallocates.
    pub fn snapshot_shape(config: &ProcessorConfig) -> MeterSnapshot {
        let spectrum = Spectrum::new(config.sample_rate_hz, 1, SPECTRUM_FFT);
        MeterSnapshot {
            // Silence until the first block is metered (not a red 0 dBTP).
            tracks: vec![TrackMeters::silent(); config.tracks.len()],
            master: MasterMeters {
                spectrum_db: vec![f64::NEG_INFINITY; spectrum.band_count()],
                spectrum_centres_hz: spectrum.band_centres_hz().collect(),
                ..MasterMeters::default()
            },
            ..MeterSnapshot::default()
        }
    }

    /// A processor for `config` (which must pass [`ProcessorConfig::check`]), reading commands
    /// from `commands`. Allocates everything it will ever use.
    pub fn new(
        config: ProcessorConfig,
        commands: Receiver<Command>,
        outputs: ProcessorOutputs,
    ) -> Self {
        let ProcessorConfig {
            sample_rate_hz: rate,
            input_channels: channels,
            max_block_frames,
            tracks,
            master_gain_db,
        } = config;
        let isa = Isa::detect();
        let programmes = tracks
            .iter()
            .map(|t| {
                let mut weights = vec![0.0; channels];
                t.input.channels().for_each(|c| weights[c] = 1.0);
                weights
            })
            .collect();
        let spectrum = Spectrum::new(rate, 1, SPECTRUM_FFT);
        debug_assert_eq!(
            outputs.snapshots.input_buffer().tracks.len(),
            tracks.len(),
            "snapshot buffers shaped by Processor::snapshot_shape"
        );
        let max_block = max_block_frames.max(1);
        let mut processor = Processor {
            rate_hz: rate,
            channels,
            max_block,
            gains: vec![Ramp::default(); tracks.len()],
            track_loudness: Loudness::with_programmes(rate, channels, programmes, isa),
            input_peaks: Peaks::with_isa(rate, channels, isa),
            input_levels: Levels::new(rate, channels, TRACK_RMS_MS),
            clips: vec![0; channels],
            tracks,
            master_gain_db,
            master_gain: Ramp::default(),
            ramp_frames: ((rate as f64 * RAMP_MS / 1000.0) as usize).max(1),
            commands,
            outputs,
            recording: false,
            record_left: None,
            master: vec![0.0; 2 * max_block],
            mid: vec![0.0; max_block],
            master_meter: LoudnessMeter::with_isa(rate, &Layout::Stereo, isa),
            master_correlation: Correlation::new(rate, 2, &[(0, 1)], CORRELATION_MS),
            spectrum,
            recent_peaks: vec![[0.0; PEAK_SPAN_SNAPSHOTS]; channels + 2],
            snapshots: 0,
            frames_per_snapshot: (rate / SNAPSHOTS_PER_S).max(1) as u64,
            since_snapshot: 0,
            frames_total: 0,
        };
        // Start at the configured gains rather than ramping up from silence.
        let any_solo = processor.tracks.iter().any(|t| t.solo);
        for t in 0..processor.tracks.len() {
            processor.gains[t] = Ramp::at(processor.target_gains(t, any_solo));
        }
        let master = db_to_gain(processor.master_gain_db) as f32;
        processor.master_gain = Ramp::at(Gains {
            left: master,
            right: master,
        });
        processor
    }

    /// Interleaved input channels `process` expects.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Session sample rate, in Hz.
    pub fn sample_rate_hz(&self) -> u32 {
        self.rate_hz
    }

    /// Process interleaved input frames: apply pending commands, mix, meter, push to the
    /// recorder and monitor rings, publish a snapshot when one is due. Real-time safe.
    pub fn process(&mut self, input: &[f32]) {
        self.apply_commands();
        for block in input.chunks(self.max_block * self.channels) {
            self.process_block(block);
        }
    }

    fn apply_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                // Non-finite values are ignored: one NaN would poison the mix and the meters.
                Command::Gain { track: t, db } => {
                    if let Some(t) = self.tracks.get_mut(t).filter(|_| !db.is_nan()) {
                        t.gain_db = db.min(MAX_GAIN_DB);
                    }
                }
                Command::Pan { track: t, pan } => {
                    if let Some(t) = self.tracks.get_mut(t).filter(|_| pan.is_finite()) {
                        t.pan = pan.clamp(-1.0, 1.0);
                    }
                }
                Command::Mute { track: t, on } => {
                    if let Some(t) = self.tracks.get_mut(t) {
                        t.mute = on;
                    }
                }
                Command::Solo { track: t, on } => {
                    if let Some(t) = self.tracks.get_mut(t) {
                        t.solo = on;
                    }
                }
                Command::Arm { track: t, on } => {
                    if let Some(t) = self.tracks.get_mut(t) {
                        t.armed = on;
                    }
                }
                Command::MasterGain { db } if !db.is_nan() => {
                    self.master_gain_db = db.min(MAX_GAIN_DB)
                }
                Command::MasterGain { .. } => {}
                Command::Record(on) => {
                    self.record_left = None;
                    self.set_recording(on);
                }
                Command::RecordFrames(frames) => {
                    self.set_recording(false);
                    self.record_left = Some(frames);
                    self.set_recording(frames > 0);
                }
                Command::ResetMeters => self.reset_meters(),
                Command::ResetTrackPeaks { track } => {
                    if let Some(t) = self.tracks.get(track) {
                        for c in t.input.channels() {
                            self.input_peaks.reset_holds(c);
                            self.clips[c] = 0;
                        }
                    }
                }
                Command::PauseIntegrated(paused) => self.master_meter.pause_integrated(paused),
            }
        }
    }

    fn set_recording(&mut self, on: bool) {
        let counters = &self.outputs.counters;
        if on && !self.recording {
            counters.take_frames.store(0, Ordering::Release);
            counters.take_closed.store(false, Ordering::Release);
        } else if !on && self.recording {
            counters.take_closed.store(true, Ordering::Release);
        }
        self.recording = on;
    }

    fn reset_meters(&mut self) {
        self.track_loudness.reset();
        self.input_peaks.reset();
        self.input_levels.reset();
        self.clips.fill(0);
        self.master_meter.reset();
        self.master_correlation.reset();
        self.spectrum.reset();
        for slots in &mut self.recent_peaks {
            *slots = [0.0; PEAK_SPAN_SNAPSHOTS];
        }
    }

    /// Left and right gain track `t` should have now (fader, pan, mute, and solo when `any_solo`).
    fn target_gains(&self, t: usize, any_solo: bool) -> Gains {
        let track = &self.tracks[t];
        if track.mute || (any_solo && !track.solo) {
            return Gains::default();
        }
        let g = db_to_gain(track.gain_db);
        let pan = track.pan.clamp(-1.0, 1.0);
        let (l, r) = match track.input {
            // Constant power: −3 dB each side in the centre.
            TrackInput::Mono(_) => {
                let angle = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
                // cos(π/2) is 6e-17, not 0: a hard-panned track must not leak into the other side.
                let exact = |g: f64| if g < 1e-9 { 0.0 } else { g };
                (exact(angle.cos()), exact(angle.sin()))
            }
            // Balance: the far side turned down, the near side untouched.
            TrackInput::Stereo(_) => ((1.0 - pan).min(1.0), (1.0 + pan).min(1.0)),
        };
        Gains {
            left: (g * l) as f32,
            right: (g * r) as f32,
        }
    }

    fn process_block(&mut self, block: &[f32]) {
        let channels = self.channels;
        let frames = block.len() / channels;
        if frames == 0 {
            return;
        }
        let block = &block[..frames * channels];
        self.meter_inputs(block);
        self.mix(block, frames);
        let master = &self.master[..2 * frames];
        self.master_meter.process(master);
        self.master_correlation.process(master);
        self.spectrum.process(&self.mid[..frames]);
        let counters = &self.outputs.counters;
        if let Some(monitor) = &mut self.outputs.monitor {
            if monitor.vacant_len() >= master.len() {
                monitor.push_slice(master);
            } else {
                Counters::bump(&counters.monitor_overruns, frames as u64);
            }
        }
        let mut close_take = false;
        if self.recording
            && let Some(record) = &mut self.outputs.record
        {
            let take = self
                .record_left
                .map_or(frames, |left| frames.min(left as usize));
            let samples = &block[..take * channels];
            if record.vacant_len() >= samples.len() {
                record.push_slice(samples);
                counters
                    .take_frames
                    .fetch_add(take as u64, Ordering::Release);
            } else {
                Counters::bump(&counters.dropped_frames, take as u64);
            }
            if let Some(left) = &mut self.record_left {
                *left -= take as u64;
                close_take = *left == 0;
            }
        }
        Counters::bump(&counters.frames_processed, frames as u64);
        if close_take {
            self.record_left = None;
            self.set_recording(false);
        }
        self.frames_total += frames as u64;
        self.since_snapshot += frames as u64;
        if self.since_snapshot >= self.frames_per_snapshot {
            self.since_snapshot = 0;
            self.publish_snapshot();
        }
    }

    fn meter_inputs(&mut self, block: &[f32]) {
        self.track_loudness.process(block);
        self.input_peaks.process(block);
        self.input_levels.process(block);
        let channels = self.channels;
        for (c, clips) in self.clips.iter_mut().enumerate() {
            *clips += block
                .iter()
                .skip(c)
                .step_by(channels)
                .filter(|x| x.abs() >= CLIP_LEVEL)
                .count() as u64;
        }
    }

    fn mix(&mut self, block: &[f32], frames: usize) {
        let channels = self.channels;
        self.master[..2 * frames].fill(0.0);
        let any_solo = self.tracks.iter().any(|t| t.solo);
        for t in 0..self.tracks.len() {
            let target = self.target_gains(t, any_solo);
            let ramp = &mut self.gains[t];
            ramp.aim(target, self.ramp_frames);
            if ramp.silent() {
                continue;
            }
            let master = &mut self.master[..2 * frames];
            match self.tracks[t].input {
                TrackInput::Mono(c) => ramp.apply(frames, |i, l, r| {
                    let x = block[i * channels + c];
                    master[2 * i] += x * l;
                    master[2 * i + 1] += x * r;
                }),
                TrackInput::Stereo(c) => ramp.apply(frames, |i, l, r| {
                    master[2 * i] += block[i * channels + c] * l;
                    master[2 * i + 1] += block[i * channels + c + 1] * r;
                }),
            }
        }
        let g = db_to_gain(self.master_gain_db) as f32;
        self.master_gain
            .aim(Gains { left: g, right: g }, self.ramp_frames);
        let (master, mid) = (&mut self.master[..2 * frames], &mut self.mid[..frames]);
        self.master_gain.apply(frames, |i, g, _| {
            master[2 * i] *= g;
            master[2 * i + 1] *= g;
            mid[i] = 0.5 * (master[2 * i] + master[2 * i + 1]);
        });
    }

    /// Sample peak of input channel `c` (or `channels`, `channels + 1` for the master's left and
    /// right) over the last [`PEAK_SPAN_SNAPSHOTS`] intervals, after recording this interval's.
    fn spanned_peak(&mut self, c: usize, latest: f32) -> f32 {
        let slots = &mut self.recent_peaks[c];
        slots[self.snapshots % PEAK_SPAN_SNAPSHOTS] = latest;
        slots.iter().copied().fold(0.0, f32::max)
    }

    fn publish_snapshot(&mut self) {
        self.snapshots += 1;
        for c in 0..self.channels {
            let latest = self.input_peaks.take_recent_sample_peak(c);
            self.spanned_peak(c, latest);
        }
        for side in 0..2 {
            let latest = self.master_meter.take_recent_sample_peak(side);
            self.spanned_peak(self.channels + side, latest);
        }
        let span = |slots: &[f32; PEAK_SPAN_SNAPSHOTS]| slots.iter().copied().fold(0.0, f32::max);
        let snapshot = self.outputs.snapshots.input_buffer_mut();
        snapshot.t_s = self.frames_total as f64 / self.rate_hz as f64;
        snapshot.recording = self.recording;
        for (i, (meters, track)) in snapshot.tracks.iter_mut().zip(&self.tracks).enumerate() {
            let (mut peak, mut true_peak, mut power, mut clips) = (0.0f32, 0.0f32, 0.0f64, 0);
            let inputs = track.input.channels();
            let count = inputs.len() as f64;
            for c in inputs {
                peak = peak.max(span(&self.recent_peaks[c]));
                true_peak = true_peak.max(self.input_peaks.true_peak(c));
                power += 10f64.powf(self.input_levels.rms_dbfs(c) / 10.0) / count;
                clips += self.clips[c];
            }
            *meters = TrackMeters {
                peak_dbfs: gain_to_db(peak as f64),
                rms_dbfs: 10.0 * power.log10(),
                true_peak_dbtp: gain_to_db(true_peak as f64),
                momentary_lufs: self.track_loudness.momentary_lufs(i),
                short_term_lufs: self.track_loudness.short_term_lufs(i),
                clips,
            };
        }
        let reading = self.master_meter.reading(0);
        let m = &mut snapshot.master;
        m.peak_dbfs = [
            gain_to_db(span(&self.recent_peaks[self.channels]) as f64),
            gain_to_db(span(&self.recent_peaks[self.channels + 1]) as f64),
        ];
        m.momentary_lufs = reading.momentary_lufs;
        m.short_term_lufs = reading.short_term_lufs;
        m.integrated_lufs = reading.integrated_lufs;
        m.loudness_range_lu = reading.loudness_range_lu;
        m.integrated_paused = self.master_meter.loudness().integrated_paused();
        m.true_peak_dbtp = reading.true_peak_dbtp;
        m.correlation = self.master_correlation.correlation(0);
        self.spectrum.analyse(0, &mut m.spectrum_db);
        if self.outputs.snapshots.publish() {
            Counters::bump(&self.outputs.counters.dropped_snapshots, 1);
        }
    }
}
