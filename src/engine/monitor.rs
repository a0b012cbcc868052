//! The monitor feed: the master bus, taken from the processor's ring, at the output device's rate.
//!
//! # Real-time contract
//! [`MonitorFeed::fill`] runs in the output callback: it allocates nothing (the resampler and its
//! buffers are made in [`MonitorFeed::new`]), takes no lock and never waits; when the ring holds
//! too little it plays silence and counts an underrun.
//!
//! When the device runs at another rate than the session, a `rubato` asynchronous sinc resampler
//! (fixed output chunk) converts on the fly; a few milliseconds of delay, no change in level.
//!
//! # Two clocks
//! An output device on a clock of its own (another interface than the input, or the demo paced
//! by the system clock) runs a little faster or slower than the input: tens of ppm apart, a
//! fixed ring would run dry or overflow every so often, a click each time. When the feed
//! *follows* the input, it keeps a cushion of audio in the ring and trims the conversion ratio
//! (at most ±[`MAX_CORRECTION_PPM`]) in proportion to how far the smoothed fill is from the
//! cushion, so the fill settles and the output plays at the input's pace.
//!
//! The cushion covers two conversion chunks, a callback and the largest burst of input seen
//! lately (an interface delivering 1024-frame blocks needs more than one delivering 64). It is
//! rebuilt before playing again after an underrun, a half larger unless the input had stalled
//! (up to a quarter of the ring), and gives back a tenth after each 30 s without one. Audio
//! waiting beyond it at the start, or far beyond it later (a stalled output), is dropped rather
//! than played that late.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ringbuf::HeapCons;
use ringbuf::traits::{Consumer, Observer};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Adjustable, Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use super::snapshot::Counters;

/// Output frames the resampler makes per call.
const CHUNK_FRAMES: usize = 256;
/// Time constant of the smoothed ring fill, in seconds.
const LEVEL_TAU_S: f64 = 0.5;
/// Ratio correction per frame of smoothed fill above the cushion, in ppm: input arrives in
/// blocks, so the fill steps by a block now and then; at 1 ppm a 128-frame step moves the pitch
/// by 128 ppm (0.2 cents) for a while. The loop settles in about 20 s at 48 kHz.
const PPM_PER_FRAME: f64 = 1.0;
/// The largest ratio correction, in ppm: clocks differ by tens of ppm; 1000 ppm is 1.7 cents.
pub const MAX_CORRECTION_PPM: f64 = 1000.0;
/// The largest burst of input is the largest seen in this window or the one before, in seconds:
/// steady, so the cushion does not move with every burst.
const BURST_WINDOW_S: f64 = 30.0;
/// After this long without an underrun, a cushion grown by underruns gives back a tenth.
const SHRINK_EVERY_S: f64 = 30.0;

/// How the monitor output's clock relates to the input's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MonitorClock {
    /// Follow the input unless the two devices share a clock (see `audio::one_clock`: the same
    /// device, one JACK server, one ALSA card).
    #[default]
    Auto,
    /// One clock (the same interface, or word clock): the mix plays sample for sample.
    Shared,
    /// Separate clocks: the monitor follows the input's by trimming its conversion ratio.
    Follow,
}

impl std::str::FromStr for MonitorClock {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(MonitorClock::Auto),
            "shared" => Ok(MonitorClock::Shared),
            "follow" => Ok(MonitorClock::Follow),
            other => Err(format!("'{other}': use auto, shared or follow")),
        }
    }
}

/// Drift correction's state. Frames are session frames unless named `device`.
struct Follow {
    /// Fill to hold, in frames: the larger of `grown_frames` and two conversion chunks, a
    /// callback and the largest recent burst of input.
    cushion_frames: f64,
    /// Two conversion chunks, in frames.
    base_frames: f64,
    /// The cushion underruns asked for, in frames: a half more for each, a tenth back after
    /// each [`SHRINK_EVERY_S`] without one, never below `base_frames`.
    grown_frames: f64,
    /// The largest cushion (and the most kept waiting before the excess is dropped), in frames.
    max_cushion_frames: f64,
    /// The fill smoothed over [`LEVEL_TAU_S`], in frames.
    level_frames: f64,
    /// Playing: the cushion was reached since the start or the last underrun.
    primed: bool,
    /// The correction applied, in ppm (positive: the input runs fast, more of it is consumed).
    correction_ppm: f64,
    /// Frames in the ring after the last callback: what arrives is counted from there (`None`
    /// before the first).
    ring_after_frames: Option<usize>,
    /// Device frames played in this [`BURST_WINDOW_S`] so far.
    window_device_frames: f64,
    /// The most that arrived between two callbacks, in frames.
    burst_frames: WindowedMax,
    /// Device frames played since input last arrived, and the longest such stretch: how far
    /// apart the input's blocks usually come.
    quiet_device_frames: f64,
    usual_quiet_device_frames: WindowedMax,
    /// The last callback's length, in device frames.
    callback_device_frames: f64,
    /// Device frames played since the last underrun or shrink of the cushion.
    calm_device_frames: f64,
}

/// The largest value seen in this [`BURST_WINDOW_S`] and the one before.
#[derive(Clone, Copy, Default)]
struct WindowedMax {
    this: f64,
    before: f64,
}

impl WindowedMax {
    fn see(&mut self, value: f64) {
        self.this = self.this.max(value);
    }

    /// A new window begins.
    fn roll(&mut self) {
        self.before = std::mem::take(&mut self.this);
    }

    fn get(&self) -> f64 {
        self.this.max(self.before)
    }
}

/// Why a monitor feed could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot convert the monitor from {from} Hz to {to} Hz: {reason}")]
pub struct MonitorError {
    from: u32,
    to: u32,
    reason: String,
}

struct Converter {
    resampler: Async<f32>,
    /// Session-rate stereo frames for one call.
    input: Vec<f32>,
    /// Device-rate stereo frames made and not yet played.
    made: Vec<f32>,
    /// Frames of `made` already played, and frames in it.
    played: usize,
    available: usize,
}

/// The output side of monitoring.
pub struct MonitorFeed {
    ring: HeapCons<f32>,
    converter: Option<Converter>,
    follow: Option<Follow>,
    /// Session frames per device frame.
    frames_per_device_frame: f64,
    device_rate_hz: f64,
    counters: Arc<Counters>,
}

impl MonitorFeed {
    /// A feed from `ring` (stereo at `session_rate_hz`) for a device at `device_rate_hz`;
    /// `follow`: the device runs on a clock of its own, which the feed makes follow the input's
    /// (always through the converter, even at the session's rate).
    pub fn new(
        ring: HeapCons<f32>,
        session_rate_hz: u32,
        device_rate_hz: u32,
        counters: Arc<Counters>,
        follow: bool,
    ) -> Result<Self, MonitorError> {
        let converter = if session_rate_hz == device_rate_hz && !follow {
            None
        } else {
            let parameters = SincInterpolationParameters {
                sinc_len: 128,
                f_cutoff: None,
                interpolation: SincInterpolationType::Cubic,
                oversampling_factor: 128,
                window: WindowFunction::BlackmanHarris2,
            };
            let resampler = Async::<f32>::new_sinc(
                device_rate_hz as f64 / session_rate_hz as f64,
                1.1,
                &parameters,
                CHUNK_FRAMES,
                2,
                FixedAsync::Output,
            )
            .map_err(|e| MonitorError {
                from: session_rate_hz,
                to: device_rate_hz,
                reason: e.to_string(),
            })?;
            Some(Converter {
                input: vec![0.0; resampler.input_frames_max() * 2],
                made: vec![0.0; resampler.output_frames_max() * 2],
                resampler,
                played: 0,
                available: 0,
            })
        };
        let follow = converter.as_ref().filter(|_| follow).map(|c| {
            let base_frames = 2.0 * c.resampler.input_frames_max() as f64;
            Follow {
                cushion_frames: base_frames,
                base_frames,
                grown_frames: base_frames,
                // A quarter of the ring (stereo samples, two per frame).
                max_cushion_frames: (ring.capacity().get() / 8) as f64,
                level_frames: base_frames,
                primed: false,
                correction_ppm: 0.0,
                ring_after_frames: None,
                window_device_frames: 0.0,
                burst_frames: WindowedMax::default(),
                quiet_device_frames: 0.0,
                usual_quiet_device_frames: WindowedMax::default(),
                callback_device_frames: 0.0,
                calm_device_frames: 0.0,
            }
        });
        counters
            .monitor_following
            .store(follow.is_some(), Ordering::Relaxed);
        Ok(MonitorFeed {
            ring,
            converter,
            follow,
            frames_per_device_frame: session_rate_hz as f64 / device_rate_hz as f64,
            device_rate_hz: device_rate_hz as f64,
            counters,
        })
    }

    /// The drift correction applied, in ppm (positive: the input's clock runs faster than the
    /// output's); `None` when the feed does not follow the input.
    pub fn correction_ppm(&self) -> Option<f64> {
        self.follow.as_ref().map(|f| f.correction_ppm)
    }

    /// The cushion of audio the feed keeps when it follows the input, in session frames.
    pub fn cushion_frames(&self) -> Option<f64> {
        self.follow.as_ref().map(|f| f.cushion_frames)
    }

    /// The audio waiting to be played, in session frames: the ring's and the converter's.
    pub fn buffered_frames(&self) -> f64 {
        let converted = self
            .converter
            .as_ref()
            .map_or(0, |c| c.available - c.played);
        self.ring.occupied_len() as f64 / 2.0 + converted as f64 * self.frames_per_device_frame
    }

    /// Drift correction before a callback of `frames` device frames: size the cushion, start
    /// (or catch up) at it, trim the ratio towards it. False while the cushion is being
    /// (re)built: play silence.
    fn follow(&mut self, frames: usize) -> bool {
        let buffered = self.buffered_frames();
        let ring_frames = self.ring.occupied_len() / 2;
        let (Some(f), Some(c)) = (&mut self.follow, &mut self.converter) else {
            return true;
        };
        let device_frames = frames as f64;
        // What was waiting at the first callback is a backlog, not a burst.
        let arrived = ring_frames.saturating_sub(f.ring_after_frames.unwrap_or(ring_frames)) as f64;
        f.window_device_frames += device_frames;
        if f.window_device_frames > BURST_WINDOW_S * self.device_rate_hz {
            f.window_device_frames = 0.0;
            f.burst_frames.roll();
            f.usual_quiet_device_frames.roll();
        }
        f.burst_frames.see(arrived);
        let burst_frames = f.burst_frames.get();
        if arrived > 0.0 {
            f.usual_quiet_device_frames.see(f.quiet_device_frames);
            f.quiet_device_frames = 0.0;
        } else {
            f.quiet_device_frames += device_frames;
        }
        f.callback_device_frames = device_frames;
        // The fill swings by a burst of input and a callback: the cushion covers both, and a
        // conversion chunk's input besides.
        let floor = (f.base_frames + device_frames * self.frames_per_device_frame + burst_frames)
            .min(f.max_cushion_frames);
        f.calm_device_frames += device_frames;
        if f.calm_device_frames > SHRINK_EVERY_S * self.device_rate_hz {
            f.calm_device_frames = 0.0;
            f.grown_frames = (f.grown_frames * 0.9).max(f.base_frames);
        }
        f.cushion_frames = f.grown_frames.max(floor);
        let late = if f.primed {
            buffered > f.cushion_frames + f.max_cushion_frames
        } else if buffered < f.cushion_frames {
            return false;
        } else {
            true
        };
        let mut buffered = buffered;
        if late {
            // A late start or a stalled output left more waiting than the cushion: play from the
            // cushion, rather than that much behind the input for minutes.
            let excess = ((buffered - f.cushion_frames).max(0.0) as usize).min(ring_frames);
            buffered -= (self.ring.skip(2 * excess) / 2) as f64;
            f.primed = true;
            f.level_frames = buffered;
        }
        let alpha = (device_frames / (LEVEL_TAU_S * self.device_rate_hz)).min(1.0);
        f.level_frames += alpha * (buffered - f.level_frames);
        let ppm = (PPM_PER_FRAME * (f.level_frames - f.cushion_frames))
            .clamp(-MAX_CORRECTION_PPM, MAX_CORRECTION_PPM);
        // Within the bounds the resampler was made with (±10 %): cannot fail.
        let _ = c
            .resampler
            .set_resample_ratio_relative(1.0 - ppm * 1e-6, true);
        f.correction_ppm = ppm;
        self.counters
            .monitor_correction_ppb
            .store((ppm * 1e3).round() as i64, Ordering::Relaxed);
        true
    }

    /// The ring ran dry: count it; when following, rebuild the cushion before playing again, a
    /// half larger unless the input had stalled (nothing arrived for twice as long as its blocks
    /// usually come apart, and a callback), which no cushion would have covered.
    fn underrun(&mut self) {
        Counters::bump(&self.counters.monitor_underruns, 1);
        if let Some(f) = &mut self.follow {
            f.primed = false;
            f.calm_device_frames = 0.0;
            let usual = f.usual_quiet_device_frames.get();
            if f.quiet_device_frames <= 2.0 * usual + f.callback_device_frames {
                f.grown_frames = (f.cushion_frames * 1.5).min(f.max_cushion_frames);
            }
        }
    }

    /// Fill `out` (stereo interleaved, device rate) with the monitor mix. Real-time safe.
    pub fn fill(&mut self, out: &mut [f32]) {
        self.play(out);
        if let Some(f) = &mut self.follow {
            f.ring_after_frames = Some(self.ring.occupied_len() / 2);
        }
    }

    fn play(&mut self, out: &mut [f32]) {
        let whole = out.len() / 2 * 2;
        out[whole..].fill(0.0);
        let out = &mut out[..whole];
        if self.converter.is_none() {
            let got = self.ring.pop_slice(out);
            if got < out.len() {
                out[got..].fill(0.0);
                self.underrun();
            }
            return;
        }
        if !self.follow(out.len() / 2) {
            out.fill(0.0);
            return;
        }
        let Some(c) = &mut self.converter else {
            return;
        };
        let mut at = 0;
        while at < out.len() {
            if c.played == c.available {
                let needed = c.resampler.input_frames_next();
                if self.ring.occupied_len() < needed * 2 {
                    out[at..].fill(0.0);
                    self.underrun();
                    return;
                }
                let input = &mut c.input[..needed * 2];
                self.ring.pop_slice(input);
                let made_frames = c.made.len() / 2;
                let converted = match (
                    InterleavedSlice::new(&*input, 2, needed),
                    InterleavedSlice::new_mut(&mut c.made, 2, made_frames),
                ) {
                    (Ok(from), Ok(mut to)) => c.resampler.process_into_buffer(&from, &mut to, None),
                    _ => {
                        out[at..].fill(0.0);
                        return;
                    }
                };
                match converted {
                    Ok((_, frames)) => {
                        c.played = 0;
                        c.available = frames;
                    }
                    Err(_) => {
                        out[at..].fill(0.0);
                        return;
                    }
                }
            }
            let take = ((out.len() - at) / 2).min(c.available - c.played);
            out[at..at + 2 * take].copy_from_slice(&c.made[2 * c.played..2 * (c.played + take)]);
            c.played += take;
            at += 2 * take;
        }
    }
}
