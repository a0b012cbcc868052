//! The monitor feed: the master bus, taken from the processor's ring, at the output device's rate.
//!
//! # Real-time contract
//! [`MonitorFeed::fill`] runs in the output callback: it allocates nothing (the resampler and its
//! buffers are made in [`MonitorFeed::new`]), takes no lock and never waits; when the ring holds
//! too little it plays silence and counts an underrun.
//!
//! When the device runs at another rate than the session, a `rubato` asynchronous sinc resampler
//! (fixed output chunk) converts on the fly; a few milliseconds of delay, no change in level.

use std::sync::Arc;

use ringbuf::HeapCons;
use ringbuf::traits::{Consumer, Observer};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};

use super::snapshot::Counters;

/// Output frames the resampler makes per call.
const CHUNK_FRAMES: usize = 256;

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
    counters: Arc<Counters>,
}

impl MonitorFeed {
    /// A feed from `ring` (stereo at `session_rate_hz`) for a device at `device_rate_hz`.
    pub fn new(
        ring: HeapCons<f32>,
        session_rate_hz: u32,
        device_rate_hz: u32,
        counters: Arc<Counters>,
    ) -> Result<Self, MonitorError> {
        let converter = if session_rate_hz == device_rate_hz {
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
        Ok(MonitorFeed {
            ring,
            converter,
            counters,
        })
    }

    /// Fill `out` (stereo interleaved, device rate) with the monitor mix. Real-time safe.
    pub fn fill(&mut self, out: &mut [f32]) {
        let whole = out.len() / 2 * 2;
        out[whole..].fill(0.0);
        let out = &mut out[..whole];
        let Some(c) = &mut self.converter else {
            let got = self.ring.pop_slice(out);
            if got < out.len() {
                out[got..].fill(0.0);
                Counters::bump(&self.counters.monitor_underruns, 1);
            }
            return;
        };
        let mut at = 0;
        while at < out.len() {
            if c.played == c.available {
                let needed = c.resampler.input_frames_next();
                if self.ring.occupied_len() < needed * 2 {
                    out[at..].fill(0.0);
                    Counters::bump(&self.counters.monitor_underruns, 1);
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
