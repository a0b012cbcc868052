//! What the engine tells the front ends: meter snapshots (latest wins, through a triple buffer)
//! and counters of everything that went wrong (atomics, never reset behind anyone's back).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// Meters of one track (its input, before the fader: what is being recorded).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackMeters {
    /// Sample peak since the previous snapshot, in dBFS.
    pub peak_dbfs: f64,
    /// RMS over the last 300 ms, in dBFS (full-scale sine = −3.01).
    pub rms_dbfs: f64,
    /// Highest true peak since the meters were reset, in dBTP.
    pub true_peak_dbtp: f64,
    pub momentary_lufs: f64,
    pub short_term_lufs: f64,
    /// Samples at or above full scale (|x| ≥ 0.999) since the meters were reset.
    pub clips: u64,
}

impl TrackMeters {
    /// The meters of a track that has heard nothing yet.
    pub fn silent() -> TrackMeters {
        TrackMeters {
            peak_dbfs: f64::NEG_INFINITY,
            rms_dbfs: f64::NEG_INFINITY,
            true_peak_dbtp: f64::NEG_INFINITY,
            momentary_lufs: f64::NEG_INFINITY,
            short_term_lufs: f64::NEG_INFINITY,
            clips: 0,
        }
    }
}

/// Meters of the master bus (after faders, pans and master gain).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MasterMeters {
    /// Sample peak of left and right since the previous snapshot, in dBFS.
    pub peak_dbfs: [f64; 2],
    pub momentary_lufs: f64,
    pub short_term_lufs: f64,
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
    /// True while the integrated measurement (integrated loudness and LRA) is paused.
    pub integrated_paused: bool,
    /// Highest true peak of either channel since the meters were reset, in dBTP.
    pub true_peak_dbtp: f64,
    /// Left/right correlation over the last 400 ms, −1…+1.
    pub correlation: f64,
    /// 1/3-octave band levels of the mid signal (L+R)/2, in dBFS, at `spectrum_centres_hz`.
    pub spectrum_db: Vec<f64>,
    pub spectrum_centres_hz: Vec<f64>,
}

/// Everything the meters show, published by the audio thread many times a second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeterSnapshot {
    /// Audio time of this snapshot since the engine started, in seconds.
    pub t_s: f64,
    pub tracks: Vec<TrackMeters>,
    pub master: MasterMeters,
    /// True while a take is being recorded.
    pub recording: bool,
}

/// Counters shared by the audio thread, the recorder and the front ends.
#[derive(Debug, Default)]
pub struct Counters {
    /// Device over- or underruns reported by the audio host.
    pub xruns: AtomicU64,
    /// Frames of armed tracks that did not fit the recorder's ring and are missing from the files.
    pub dropped_frames: AtomicU64,
    /// Meter snapshots replaced before any front end read them.
    pub dropped_snapshots: AtomicU64,
    /// Output callbacks that found too little monitor audio (silence was played instead).
    pub monitor_underruns: AtomicU64,
    /// Master frames that did not fit the monitor ring.
    pub monitor_overruns: AtomicU64,
    /// Frames written to disk per track by the recorder.
    pub frames_recorded: AtomicU64,
    /// Frames processed by the engine.
    pub frames_processed: AtomicU64,
    /// Frames pushed to the recorder in the current take.
    pub take_frames: AtomicU64,
    /// Set when the processor has stopped pushing the current take.
    pub take_closed: AtomicBool,
    /// Set by the host's error callback when the input device is gone; the session then stops.
    pub device_lost: AtomicBool,
    /// Set when the monitor output failed; the session goes on without monitoring.
    pub monitor_lost: AtomicBool,
    /// Set when the monitor follows the input's clock; then the ratio correction it applies, in
    /// parts per billion.
    pub monitor_following: AtomicBool,
    pub monitor_correction_ppb: AtomicI64,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterValues {
    pub xruns: u64,
    pub dropped_frames: u64,
    pub dropped_snapshots: u64,
    pub monitor_underruns: u64,
    pub monitor_overruns: u64,
    pub frames_recorded: u64,
    pub frames_processed: u64,
    /// The monitor's drift correction, in parts per billion, when it follows the input's clock.
    pub monitor_correction_ppb: Option<i64>,
}

impl Counters {
    /// Add one to `counter` (relaxed: counters order nothing).
    #[inline]
    pub fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn values(&self) -> CounterValues {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterValues {
            xruns: get(&self.xruns),
            dropped_frames: get(&self.dropped_frames),
            dropped_snapshots: get(&self.dropped_snapshots),
            monitor_underruns: get(&self.monitor_underruns),
            monitor_overruns: get(&self.monitor_overruns),
            frames_recorded: get(&self.frames_recorded),
            frames_processed: get(&self.frames_processed),
            monitor_correction_ppb: self
                .monitor_following
                .load(Ordering::Relaxed)
                .then(|| self.monitor_correction_ppb.load(Ordering::Relaxed)),
        }
    }
}
