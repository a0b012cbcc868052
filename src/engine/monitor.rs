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
//! cushion, so the fill settles and the output plays at the input's pace. After an underrun the
//! cushion grows by half (up to a quarter of the ring) and is rebuilt before playing again.

use std::sync::Arc;

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
/// Ratio correction per frame of smoothed fill above the cushion, in ppm.
const PPM_PER_FRAME: f64 = 4.0;
/// The largest ratio correction, in ppm: clocks differ by tens of ppm; 1000 ppm is 1.7 cents.
pub const MAX_CORRECTION_PPM: f64 = 1000.0;

/// How the monitor output's clock relates to the input's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MonitorClock {
    /// Follow the input unless the monitor is the input's own device.
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

/// Drift correction's state.
struct Follow {
    /// Fill to hold, in session frames.
    cushion_frames: f64,
    /// The largest cushion, in session frames.
    max_cushion_frames: f64,
    /// The fill smoothed over [`LEVEL_TAU_S`], in session frames.
    level_frames: f64,
    /// Playing: the cushion was reached since the start or the last underrun.
    primed: bool,
    /// The correction applied, in ppm (positive: the input runs fast, more of it is consumed).
    correction_ppm: f64,
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
            let cushion_frames = 2.0 * c.resampler.input_frames_max() as f64;
            Follow {
                cushion_frames,
                max_cushion_frames: (ring.capacity().get() / 8) as f64,
                level_frames: cushion_frames,
                primed: false,
                correction_ppm: 0.0,
            }
        });
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

    /// The audio waiting to be played, in session frames: the ring's and the converter's.
    pub fn buffered_frames(&self) -> f64 {
        let converted = self
            .converter
            .as_ref()
            .map_or(0, |c| c.available - c.played);
        self.ring.occupied_len() as f64 / 2.0 + converted as f64 * self.frames_per_device_frame
    }

    /// Drift correction before a callback of `frames` device frames: trim the ratio towards the
    /// cushion. False while the cushion is being (re)built: play silence.
    fn follow(&mut self, frames: usize) -> bool {
        let buffered = self.buffered_frames();
        let (Some(f), Some(c)) = (&mut self.follow, &mut self.converter) else {
            return true;
        };
        if !f.primed {
            if buffered < f.cushion_frames {
                return false;
            }
            f.primed = true;
            f.level_frames = buffered;
        }
        let alpha = (frames as f64 / (LEVEL_TAU_S * self.device_rate_hz)).min(1.0);
        f.level_frames += alpha * (buffered - f.level_frames);
        let ppm = (PPM_PER_FRAME * (f.level_frames - f.cushion_frames))
            .clamp(-MAX_CORRECTION_PPM, MAX_CORRECTION_PPM);
        // Within the bounds the resampler was made with (±10 %): cannot fail.
        let _ = c
            .resampler
            .set_resample_ratio_relative(1.0 - ppm * 1e-6, true);
        f.correction_ppm = ppm;
        true
    }

    /// The ring ran dry: count it; when following, grow the cushion and rebuild it.
    fn underrun(&mut self) {
        Counters::bump(&self.counters.monitor_underruns, 1);
        if let Some(f) = &mut self.follow {
            f.primed = false;
            f.cushion_frames = (f.cushion_frames * 1.5).min(f.max_cushion_frames);
        }
    }

    /// Fill `out` (stereo interleaved, device rate) with the monitor mix. Real-time safe.
    pub fn fill(&mut self, out: &mut [f32]) {
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
