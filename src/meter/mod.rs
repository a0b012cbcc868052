//! Pure DSP meters: no I/O, no threads, no allocation after construction.
//!
//! Standards implemented:
//! - ITU-R BS.1770-4, *Algorithms to measure audio programme loudness and true-peak audio level*:
//!   K-weighting ([`kweight`]), gated loudness ([`history`]), true peak ([`peak`]).
//! - EBU Tech 3341, *Loudness metering: "EBU Mode" metering*: momentary and short-term ([`loudness`]).
//! - EBU Tech 3342, *Loudness range* (2016: short-term values at 10 Hz) ([`history`]).
//! - IEC 61260-1 1/3-octave band centres ([`spectrum`]).
//!
//! Every meter follows one contract: `new(...)` allocates, `process(&mut self, interleaved)` never
//! allocates, `reset()` forgets, and readouts cost O(1).

pub mod clock;
pub mod correlation;
pub mod history;
pub mod hold;
pub mod kweight;
pub mod layout;
pub mod levels;
pub mod loudness;
pub mod peak;
pub mod simd;
pub mod spectrum;
pub mod target;
pub mod units;
pub mod window;

pub use correlation::Correlation;
pub use layout::{Layout, LayoutChoice, LayoutError};
pub use levels::Levels;
pub use loudness::Loudness;
pub use peak::Peaks;
pub use simd::Isa;
pub use spectrum::Spectrum;
pub use target::Target;

use units::gain_to_db;

/// The EBU-mode meter of a stream: loudness (M, S, I, LRA), sample peak and true peak.
pub struct LoudnessMeter {
    loudness: Loudness,
    peaks: Peaks,
}

/// What a [`LoudnessMeter`] has measured of one programme.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProgrammeReading {
    pub momentary_lufs: f64,
    pub short_term_lufs: f64,
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
    pub momentary_max_lufs: f64,
    pub short_term_max_lufs: f64,
    /// Largest sample peak of the programme's channels, in dBFS.
    pub sample_peak_dbfs: f64,
    /// Largest true peak of the programme's channels, in dBTP.
    pub true_peak_dbtp: f64,
}

impl LoudnessMeter {
    /// A meter for `layout` at `sample_rate_hz`, on the fastest instruction set available.
    pub fn new(sample_rate_hz: u32, layout: &Layout) -> Self {
        Self::with_isa(sample_rate_hz, layout, Isa::detect())
    }

    /// A meter that runs on `isa`.
    pub fn with_isa(sample_rate_hz: u32, layout: &Layout, isa: Isa) -> Self {
        LoudnessMeter {
            loudness: Loudness::with_isa(sample_rate_hz, layout, isa),
            peaks: Peaks::with_isa(sample_rate_hz, layout.channels(), isa),
        }
    }

    /// Forget everything measured.
    pub fn reset(&mut self) {
        self.loudness.reset();
        self.peaks.reset();
    }

    /// Measure interleaved frames. Never allocates.
    pub fn process(&mut self, frames: &[f32]) {
        self.loudness.process(frames);
        self.peaks.process(frames);
    }

    /// Number of programmes: 1, or for [`Layout::Tracks`] one per track and the last for all.
    pub fn programmes(&self) -> usize {
        self.loudness.programmes()
    }

    /// Pause or continue the integrated measurement (see [`Loudness::pause_integrated`]).
    pub fn pause_integrated(&mut self, paused: bool) {
        self.loudness.pause_integrated(paused);
    }

    /// The loudness meter inside.
    pub fn loudness(&self) -> &Loudness {
        &self.loudness
    }

    /// The peak meter inside.
    pub fn peaks(&self) -> &Peaks {
        &self.peaks
    }

    /// Sample peak of channel `c` since the last call (see [`Peaks::take_recent_sample_peak`]).
    pub fn take_recent_sample_peak(&mut self, c: usize) -> f32 {
        self.peaks.take_recent_sample_peak(c)
    }

    /// Reading of programme `p`: its loudness, and the peaks of the channels it covers (channel `p`
    /// for a track, all channels for the last programme).
    pub fn reading(&self, p: usize) -> ProgrammeReading {
        let l = &self.loudness;
        let (sample_peak, true_peak) = if p < self.programmes() - 1 {
            (self.peaks.sample_peak(p), self.peaks.true_peak(p))
        } else {
            (self.peaks.max_sample_peak(), self.peaks.max_true_peak())
        };
        ProgrammeReading {
            momentary_lufs: l.momentary_lufs(p),
            short_term_lufs: l.short_term_lufs(p),
            integrated_lufs: l.integrated_lufs(p),
            loudness_range_lu: l.loudness_range_lu(p),
            momentary_max_lufs: l.momentary_max_lufs(p),
            short_term_max_lufs: l.short_term_max_lufs(p),
            sample_peak_dbfs: gain_to_db(sample_peak as f64),
            true_peak_dbtp: gain_to_db(true_peak as f64),
        }
    }
}
