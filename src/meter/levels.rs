//! RMS level and DC offset per channel, over a sliding window and since reset.
//!
//! RMS is reported unweighted: `20 log10(sqrt(mean(x²)))` dBFS, so a full-scale sine reads
//! −3.01 dBFS (add 3.01 dB for the AES17 sine-referenced convention).

use super::units::power_to_db;
use super::window::{SlidingSums, frame_sums};

/// Sub-block of the sliding window, in ms.
const SUBBLOCK_MS: usize = 50;

/// RMS and DC meter. `new` allocates; `process` never does.
pub struct Levels {
    channels: usize,
    sums: SlidingSums,
}

impl Levels {
    /// A meter for `channels` channels whose window is `window_ms` long (rounded to 50 ms).
    pub fn new(sample_rate_hz: u32, channels: usize, window_ms: usize) -> Self {
        let subblock_frames = (sample_rate_hz as usize * SUBBLOCK_MS).div_ceil(1000);
        let slots = window_ms.div_ceil(SUBBLOCK_MS).max(1);
        Levels {
            channels,
            // Per channel: Σx, Σx².
            sums: SlidingSums::new(2 * channels, slots, subblock_frames),
        }
    }

    /// Forget everything.
    pub fn reset(&mut self) {
        self.sums.reset();
    }

    /// Measure interleaved frames. Never allocates.
    pub fn process(&mut self, frames: &[f32]) {
        let channels = self.channels;
        self.sums.feed(frames, channels, |part, sums| {
            for (c, pair) in sums.chunks_exact_mut(2).enumerate() {
                let [s, s2] = frame_sums(part, channels, |frame| {
                    let x = frame[c] as f64;
                    [x, x * x]
                });
                pair[0] += s;
                pair[1] += s2;
            }
        });
    }

    /// RMS of channel `c` over the window, in dBFS (unweighted; full-scale sine = −3.01).
    pub fn rms_dbfs(&self, c: usize) -> f64 {
        power_to_db(self.sums.window_mean(2 * c + 1))
    }

    /// RMS of channel `c` since reset, in dBFS.
    pub fn total_rms_dbfs(&self, c: usize) -> f64 {
        power_to_db(self.sums.total_mean(2 * c + 1))
    }

    /// DC offset (mean) of channel `c` over the window (linear, full scale = 1.0).
    pub fn dc_offset(&self, c: usize) -> f64 {
        self.sums.window_mean(2 * c)
    }

    /// DC offset of channel `c` since reset (linear).
    pub fn total_dc_offset(&self, c: usize) -> f64 {
        self.sums.total_mean(2 * c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_with_offset_reads_rms_and_dc() {
        let rate = 48_000;
        let mut levels = Levels::new(rate, 2, 300);
        // 1 kHz: a whole number of cycles per 50 ms sub-block.
        let frames: Vec<f32> = (0..rate as usize)
            .flat_map(|i| {
                let s = (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate as f64).sin();
                [(0.5 * s) as f32, (0.05 + 0.1 * s) as f32]
            })
            .collect();
        for block in frames.chunks(2 * 333) {
            levels.process(block);
        }
        // 0.5 sine: mean square 0.125 → −9.03 dBFS.
        assert!((levels.rms_dbfs(0) - (-9.0309)).abs() < 0.01);
        assert!((levels.total_rms_dbfs(0) - (-9.0309)).abs() < 0.01);
        assert!((levels.dc_offset(1) - 0.05).abs() < 1e-6);
        assert!((levels.total_dc_offset(1) - 0.05).abs() < 1e-6);
        // 0.05 DC + 0.1 sine: mean square 0.0025 + 0.005.
        assert!((levels.rms_dbfs(1) - 10.0 * 0.0075f64.log10()).abs() < 0.01);
    }
}
