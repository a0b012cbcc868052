//! Stereo correlation (phase) meter: `Σxy / sqrt(Σx² Σy²)` over a sliding window, −1…+1.
//! +1 is mono-compatible (identical channels), 0 unrelated, −1 one channel inverted.

use super::window::{SlidingSums, frame_sums};

/// Sub-block of the sliding window, in ms.
const SUBBLOCK_MS: usize = 50;

/// Correlation of pairs of channels. `new` allocates; `process` never does.
pub struct Correlation {
    channels: usize,
    pairs: Vec<(usize, usize)>,
    sums: SlidingSums,
}

impl Correlation {
    /// Correlation of each `(left, right)` channel pair of a `channels`-channel stream, over a
    /// window of `window_ms` (rounded up to 50 ms).
    pub fn new(
        sample_rate_hz: u32,
        channels: usize,
        pairs: &[(usize, usize)],
        window_ms: usize,
    ) -> Self {
        let subblock_frames = (sample_rate_hz as usize * SUBBLOCK_MS).div_ceil(1000);
        Correlation {
            channels,
            pairs: pairs.to_vec(),
            // Per pair: Σxy, Σx², Σy².
            sums: SlidingSums::new(
                3 * pairs.len(),
                window_ms.div_ceil(SUBBLOCK_MS),
                subblock_frames,
            ),
        }
    }

    /// Forget everything.
    pub fn reset(&mut self) {
        self.sums.reset();
    }

    /// Measure interleaved frames. Never allocates.
    pub fn process(&mut self, frames: &[f32]) {
        let (channels, pairs) = (self.channels, &self.pairs);
        self.sums.feed(frames, channels, |part, sums| {
            for (&(l, r), s) in pairs.iter().zip(sums.chunks_exact_mut(3)) {
                let [xy, xx, yy] = frame_sums(part, channels, |frame| {
                    let (x, y) = (frame[l] as f64, frame[r] as f64);
                    [x * y, x * x, y * y]
                });
                s[0] += xy;
                s[1] += xx;
                s[2] += yy;
            }
        });
    }

    /// Correlation of pair `p` over the window; 0 when either channel is silent.
    pub fn correlation(&self, p: usize) -> f64 {
        let s = |i| self.sums.window_mean(3 * p + i);
        ratio(s(0), s(1), s(2))
    }

    /// Correlation of pair `p` since reset.
    pub fn total_correlation(&self, p: usize) -> f64 {
        let s = |i| self.sums.total_mean(3 * p + i);
        ratio(s(0), s(1), s(2))
    }
}

fn ratio(xy: f64, xx: f64, yy: f64) -> f64 {
    let norm = (xx * yy).sqrt();
    if norm > 0.0 {
        (xy / norm).clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pair = Box<dyn Fn(f64) -> (f64, f64)>;

    fn stereo(f: impl Fn(f64) -> (f64, f64)) -> Vec<f32> {
        (0..48_000)
            .flat_map(|i| {
                let (l, r) = f(i as f64 / 48_000.0);
                [l as f32, r as f32]
            })
            .collect()
    }

    #[test]
    fn in_phase_inverted_and_quadrature() {
        const TAU: f64 = std::f64::consts::TAU;
        let cases: [(f64, Pair); 3] = [
            (
                1.0,
                Box::new(|t| ((TAU * 440.0 * t).sin(), 0.5 * (TAU * 440.0 * t).sin())),
            ),
            (
                -1.0,
                Box::new(|t| ((TAU * 440.0 * t).sin(), -(TAU * 440.0 * t).sin())),
            ),
            (
                0.0,
                Box::new(|t| ((TAU * 400.0 * t).sin(), (TAU * 400.0 * t).cos())),
            ),
        ];
        for (expected, f) in cases {
            let mut meter = Correlation::new(48_000, 2, &[(0, 1)], 400);
            meter.process(&stereo(f));
            assert!((meter.correlation(0) - expected).abs() < 0.01, "{expected}");
            assert!(
                (meter.total_correlation(0) - expected).abs() < 0.01,
                "{expected}"
            );
        }
        let silent = Correlation::new(48_000, 2, &[(0, 1)], 400);
        assert_eq!(silent.correlation(0), 0.0);
    }
}
