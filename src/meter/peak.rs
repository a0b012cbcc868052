//! Sample peak and true peak per ITU-R BS.1770-4 annex 2.
//!
//! True peak is the largest absolute value of the signal oversampled ×4 below 96 kHz, ×2 below
//! 192 kHz, and ×1 (the sample peak) above. The interpolator is a Kaiser-windowed sinc (β = 8) of
//! [`TAPS`] taps per phase, cut off at the input's Nyquist frequency. Phase 0 of such a filter is the
//! input sample itself, so only the F − 1 fractional phases are computed; each phase is normalised
//! to unity gain at DC. Its error against a 16× reference is measured in `tests/true_peak.rs` and
//! quoted in the README.
//!
//! Exact shortcut: an output of phase p is at most `peak(window) × Σ|h_p|`. A chunk whose input peak
//! times the largest phase L1 norm cannot beat the channel's running maximum is skipped, with the
//! same result as computing it. Steady and quiet passages of music cost next to nothing.

use std::f64::consts::PI;

/// Taps per interpolation phase.
pub const TAPS: usize = 16;
/// Kaiser window β of the interpolator.
const KAISER_BETA: f64 = 8.0;
/// Frames deinterleaved and filtered at a time.
const CHUNK_FRAMES: usize = 512;
/// Output lanes computed together in the filter's inner loop.
const LANES: usize = 8;

/// Oversampling factor BS.1770-4 needs at `sample_rate_hz`.
pub fn oversampling(sample_rate_hz: u32) -> usize {
    match sample_rate_hz {
        0..96_000 => 4,
        96_000..192_000 => 2,
        _ => 1,
    }
}

/// The fractional phases (1..factor) of a windowed-sinc interpolator with `taps` taps per phase.
/// `phase[p][k]` weighs the input `k` places after the window start; phase p interpolates at
/// `p / factor` of the way between inputs `taps/2 − 1` and `taps/2` of the window.
pub fn interpolator(factor: usize, taps: usize, beta: f64) -> Vec<Vec<f64>> {
    let half = taps as f64 / 2.0;
    let kaiser = |t: f64| {
        let r = t / half;
        if r.abs() >= 1.0 {
            0.0
        } else {
            bessel_i0(beta * (1.0 - r * r).sqrt()) / bessel_i0(beta)
        }
    };
    let sinc = |t: f64| {
        if t == 0.0 {
            1.0
        } else {
            (PI * t).sin() / (PI * t)
        }
    };
    (1..factor)
        .map(|p| {
            let offset = p as f64 / factor as f64;
            let raw: Vec<f64> = (0..taps)
                .map(|k| {
                    let t = k as f64 - (half - 1.0) - offset;
                    sinc(t) * kaiser(t)
                })
                .collect();
            let dc: f64 = raw.iter().sum();
            raw.into_iter().map(|h| h / dc).collect()
        })
        .collect()
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..64 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// Sample-peak and true-peak meter for interleaved frames. `new` allocates; `process` never does.
pub struct Peaks {
    channels: usize,
    /// Fractional phases, `TAPS` taps each.
    phases: Vec<[f32; TAPS]>,
    /// Largest Σ|h| over the phases: the most a phase can amplify a window's peak.
    l1_max: f32,
    /// Per channel, the last `TAPS − 1` inputs, then room for a chunk.
    window: Vec<f32>,
    sample_peak: Vec<f32>,
    true_peak: Vec<f32>,
}

impl Peaks {
    /// A meter for `channels` channels at `sample_rate_hz`.
    pub fn new(sample_rate_hz: u32, channels: usize) -> Self {
        let phases: Vec<[f32; TAPS]> =
            interpolator(oversampling(sample_rate_hz), TAPS, KAISER_BETA)
                .into_iter()
                .map(|phase| std::array::from_fn(|k| phase[k] as f32))
                .collect();
        let l1_max = phases
            .iter()
            .map(|h| h.iter().map(|v| v.abs()).sum::<f32>())
            .fold(1.0, f32::max);
        Peaks {
            channels,
            phases,
            l1_max,
            window: vec![0.0; channels * (TAPS - 1 + CHUNK_FRAMES)],
            sample_peak: vec![0.0; channels],
            true_peak: vec![0.0; channels],
        }
    }

    /// Forget the peaks; the interpolator starts from silence.
    pub fn reset(&mut self) {
        self.window.fill(0.0);
        self.sample_peak.fill(0.0);
        self.true_peak.fill(0.0);
    }

    /// Number of interleaved channels `process` expects.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Measure interleaved frames (a trailing partial frame is ignored). Never allocates.
    pub fn process(&mut self, frames: &[f32]) {
        let channels = self.channels;
        let stride = TAPS - 1 + CHUNK_FRAMES;
        for chunk in frames.chunks(CHUNK_FRAMES * channels) {
            let n = chunk.len() / channels;
            if n == 0 {
                break;
            }
            for c in 0..channels {
                let window = &mut self.window[c * stride..(c + 1) * stride];
                let mut peak = 0.0f32;
                for (dst, frame) in window[TAPS - 1..]
                    .iter_mut()
                    .zip(chunk.chunks_exact(channels))
                {
                    *dst = frame[c];
                    peak = max_f32(peak, frame[c].abs());
                }
                self.sample_peak[c] = max_f32(self.sample_peak[c], peak);
                let used = &window[..TAPS - 1 + n];
                let window_peak = used[..TAPS - 1]
                    .iter()
                    .fold(peak, |m, v| max_f32(m, v.abs()));
                let mut tp = max_f32(self.true_peak[c], peak);
                if window_peak * self.l1_max > tp {
                    tp = max_f32(tp, interpolated_peak(&self.phases, used, n));
                }
                self.true_peak[c] = tp;
                window.copy_within(n..n + TAPS - 1, 0);
            }
        }
    }

    /// Largest absolute sample value of channel `c` since reset (linear, full scale = 1.0).
    pub fn sample_peak(&self, c: usize) -> f32 {
        self.sample_peak[c]
    }

    /// Largest absolute oversampled value of channel `c` since reset (linear, full scale = 1.0).
    pub fn true_peak(&self, c: usize) -> f32 {
        self.true_peak[c]
    }

    /// Largest sample peak over all channels (linear).
    pub fn max_sample_peak(&self) -> f32 {
        self.sample_peak.iter().copied().fold(0.0, max_f32)
    }

    /// Largest true peak over all channels (linear).
    pub fn max_true_peak(&self) -> f32 {
        self.true_peak.iter().copied().fold(0.0, max_f32)
    }
}

/// `max` without NaN handling, so it compiles to one `maxps`.
#[inline(always)]
fn max_f32(a: f32, b: f32) -> f32 {
    if b > a { b } else { a }
}

/// Largest |output| of every fractional phase over the `n` windows of `x` (`x.len() == n + TAPS − 1`).
fn interpolated_peak(phases: &[[f32; TAPS]], x: &[f32], n: usize) -> f32 {
    match phases {
        [] => 0.0,
        [a] => peak_of_phases::<1>(&[*a], x, n),
        [a, b, c] => peak_of_phases::<3>(&[*a, *b, *c], x, n),
        _ => phases
            .iter()
            .map(|h| peak_of_phases::<1>(&[*h], x, n))
            .fold(0.0, max_f32),
    }
}

/// The filter's inner loop: `LANES` consecutive outputs of all `P` phases at once, so every input
/// load feeds `P × LANES` multiply-adds and the accumulators stay in registers.
#[inline(always)]
fn peak_of_phases<const P: usize>(h: &[[f32; TAPS]; P], x: &[f32], n: usize) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let whole = n / LANES * LANES;
    for start in (0..whole).step_by(LANES) {
        let mut acc = [[0.0f32; LANES]; P];
        for k in 0..TAPS {
            let xs: &[f32; LANES] = x[start + k..start + k + LANES]
                .try_into()
                .expect("window holds TAPS - 1 + n samples");
            for p in 0..P {
                let hk = h[p][k];
                for j in 0..LANES {
                    acc[p][j] += hk * xs[j];
                }
            }
        }
        for phase in &acc {
            for j in 0..LANES {
                lanes[j] = max_f32(lanes[j], phase[j].abs());
            }
        }
    }
    let mut peak = lanes.into_iter().fold(0.0, max_f32);
    for start in whole..n {
        for phase in h {
            let y: f32 = phase
                .iter()
                .zip(&x[start..start + TAPS])
                .map(|(h, x)| h * x)
                .sum();
            peak = max_f32(peak, y.abs());
        }
    }
    peak
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversampling_follows_bs1770() {
        assert_eq!(oversampling(44_100), 4);
        assert_eq!(oversampling(48_000), 4);
        assert_eq!(oversampling(96_000), 2);
        assert_eq!(oversampling(192_000), 1);
    }

    #[test]
    fn bessel_i0_matches_known_values() {
        assert!((bessel_i0(0.0) - 1.0).abs() < 1e-15);
        assert!((bessel_i0(1.0) - 1.2660658777520082).abs() < 1e-12);
        assert!((bessel_i0(8.0) - 427.56411572180474).abs() < 1e-9);
    }

    /// The interpolator's half-way phase is symmetric and each phase has unity gain at DC.
    #[test]
    fn interpolator_phases_are_normalised_and_mirror() {
        let phases = interpolator(4, TAPS, KAISER_BETA);
        assert_eq!(phases.len(), 3);
        for phase in &phases {
            assert!((phase.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let half = &phases[1];
        for k in 0..TAPS {
            assert!((half[k] - half[TAPS - 1 - k]).abs() < 1e-12);
        }
        // Phase 1/4 is phase 3/4 reversed.
        for k in 0..TAPS {
            assert!((phases[0][k] - phases[2][TAPS - 1 - k]).abs() < 1e-12);
        }
    }

    /// The shortcut is exact: the same signal fed in a loud-first order (which lets most chunks
    /// be skipped) and computed in full agree to the last bit.
    #[test]
    fn skipping_chunks_changes_nothing() {
        let rate = 48_000;
        let loud: Vec<f32> = (0..4800)
            .map(|i| 0.9 * (i as f32 * 0.7).sin() * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let quiet: Vec<f32> = (0..48_000).map(|i| 0.3 * (i as f32 * 0.31).sin()).collect();
        let mut skipping = Peaks::new(rate, 1);
        skipping.process(&loud);
        skipping.process(&quiet);
        let phases = skipping.phases.clone();
        let mut x = vec![0.0f32; TAPS - 1];
        x.extend(&loud);
        x.extend(&quiet);
        let n = x.len() - (TAPS - 1);
        let full = interpolated_peak(&phases, &x, n).max(skipping.max_sample_peak());
        assert_eq!(skipping.true_peak(0), full);
    }
}
