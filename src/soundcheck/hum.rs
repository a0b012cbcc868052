//! Mains hum: steady lines at k × 50 or 60 Hz in Blackman-Harris power spectra, told apart from
//! music by their steadiness (the median over many windows) and their narrowness (a line stands
//! above the spectrum a few hertz either side).

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Mains frequencies, in Hz.
pub const MAINS_HZ: [f64; 2] = [50.0, 60.0];
/// Harmonics of the mains frequency measured (a buzz carries many; 8 × 60 Hz = 480 Hz).
pub const HARMONICS: usize = 8;
/// A line counts as hum when it stands this many times (6 dB) over the background beside it.
const STANDS_OUT: f64 = 4.0;
/// Half-width of a Blackman-Harris main lobe, in bins.
const LOBE_BINS: usize = 4;
/// Mains drifts by a few tenths of a hertz; a line may sit this far off its nominal frequency.
const DRIFT_HZ: f64 = 0.3;

/// Windowed power spectra of one size: the FFT plan and its buffers, made once.
pub struct PowerSpectrum {
    size: usize,
    rate_hz: f64,
    fft: Arc<dyn RealToComplex<f32>>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    power: Vec<f64>,
    /// The window last used, and its power (Σ w²).
    window: Vec<f32>,
    window_power: f64,
}

impl PowerSpectrum {
    /// Spectra of up to `size` samples (a power of two) at `rate_hz`.
    pub fn new(size: usize, rate_hz: u32) -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        PowerSpectrum {
            size,
            rate_hz: rate_hz as f64,
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            power: vec![0.0; size / 2 + 1],
            window: Vec::new(),
            window_power: 0.0,
            fft,
        }
    }

    /// Width of one bin, in Hz.
    pub fn bin_hz(&self) -> f64 {
        self.rate_hz / self.size as f64
    }

    /// The power of `x` (at most [`Self::size`] samples, Blackman-Harris windowed over its own
    /// length, zero-padded) per bin, scaled so that a sine of amplitude A sums to A²/2 over its
    /// lobe and the bins sum to the mean square.
    pub fn compute(&mut self, x: &[f32]) -> &[f64] {
        let n = x.len().min(self.size);
        if self.window.len() != n {
            self.window = (0..n).map(|i| blackman_harris(i, n) as f32).collect();
            self.window_power = self.window.iter().map(|w| (*w as f64).powi(2)).sum();
        }
        for ((d, v), w) in self.input.iter_mut().zip(&x[..n]).zip(&self.window) {
            *d = v * w;
        }
        let window_power = self.window_power;
        self.input[n..].fill(0.0);
        if n == 0
            || self
                .fft
                .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
                .is_err()
        {
            self.power.fill(0.0);
            return &self.power;
        }
        let scale = 2.0 / (self.size as f64 * window_power);
        for (p, c) in self.power.iter_mut().zip(&self.output) {
            *p = scale * (c.re as f64 * c.re as f64 + c.im as f64 * c.im as f64);
        }
        &self.power
    }
}

/// The 4-term Blackman-Harris window (sidelobes −92 dB), sample `i` of `n`.
fn blackman_harris(i: usize, n: usize) -> f64 {
    const A: [f64; 4] = [0.358_75, 0.488_29, 0.141_28, 0.011_68];
    let t = std::f64::consts::TAU * i as f64 / n.max(2) as f64;
    A[0] - A[1] * t.cos() + A[2] * (2.0 * t).cos() - A[3] * (3.0 * t).cos()
}

/// One mains harmonic in one spectrum: the line's power above the background, the
/// background's power over the line's width (both as shares of the mean square), and whether
/// it looks like mains rather than music.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Line {
    pub power: f64,
    pub background: f64,
    /// The line's centre is within [`CENTRE_HZ`] of the harmonic (a note near it is not).
    pub centred: bool,
    /// Its peak stands over every bin beside it (a comb of lines from a steady rhythm, every
    /// 2 Hz at 120 bpm, is not isolated).
    pub isolated: bool,
}

/// A mains line's centre lies this close to its nominal frequency, in Hz (partials of notes
/// near k × 50 or 60 Hz are further off: F2's 4th at 349.2 Hz, B♭1's 6th at 349.6 Hz, a plucked
/// string tuned to whole-sample periods at 349.7 Hz).
const CENTRE_HZ: f64 = 0.2;

impl Line {
    /// True when the line stands clearly over what is beside it.
    pub fn stands_out(&self) -> bool {
        self.power > 0.0 && self.power >= STANDS_OUT * self.background
    }

    /// True when it stands out, centred and isolated: what mains hum looks like.
    pub fn is_mains(&self) -> bool {
        self.stands_out() && self.centred && self.isolated
    }
}

/// The lines of `f0_hz` × 1..=[`HARMONICS`] in `power` (bins of `bin_hz`).
pub fn lines(power: &[f64], bin_hz: f64, f0_hz: f64) -> [Line; HARMONICS] {
    let half = LOBE_BINS + (DRIFT_HZ / bin_hz).ceil() as usize;
    let mut out = [Line::default(); HARMONICS];
    for (h, line) in out.iter_mut().enumerate() {
        let nominal = (h + 1) as f64 * f0_hz;
        let centre = (nominal / bin_hz).round() as usize;
        if centre < 3 * half || centre + 3 * half >= power.len() {
            continue;
        }
        let lobe = &power[centre - half..=centre + half];
        let beside: Vec<f64> = power[centre - 3 * half..centre - half - 1]
            .iter()
            .chain(&power[centre + half + 2..=centre + 3 * half])
            .copied()
            .collect();
        // The background: the median of the bins beside the lobe (a partial nearby is one
        // outlier, not the level).
        let mut sorted = beside.clone();
        sorted.sort_by(f64::total_cmp);
        let background = sorted[sorted.len() / 2] * lobe.len() as f64;
        let sum: f64 = lobe.iter().sum();
        let centroid = lobe
            .iter()
            .enumerate()
            .map(|(i, p)| (centre - half + i) as f64 * p)
            .sum::<f64>()
            / sum.max(f64::MIN_POSITIVE);
        let top = lobe.iter().copied().fold(0.0, f64::max);
        *line = Line {
            power: (sum - background).max(0.0),
            background,
            centred: (centroid * bin_hz - nominal).abs() <= CENTRE_HZ.max(bin_hz / 4.0),
            isolated: top >= 2.0 * sorted.last().copied().unwrap_or(0.0),
        };
    }
    out
}

/// The mains lines in one spectrum, per mains frequency of [`MAINS_HZ`] (in a quiet passage:
/// a held bass note at 49 Hz is not hum there either).
pub fn hum_in(power: &[f64], bin_hz: f64) -> [Hum; 2] {
    MAINS_HZ.map(|f0| {
        let found = lines(power, bin_hz, f0);
        let found = found.iter().filter(|l| l.is_mains());
        Hum {
            mains_hz: f0,
            power: found.clone().map(|l| l.power).sum(),
            harmonics: found.count(),
        }
    })
}

/// Counts of powers in 0.25 dB steps: quantiles of a long measurement in fixed memory.
#[derive(Clone, Debug)]
pub struct DbHistogram {
    counts: Vec<u32>,
    /// Powers of exactly zero (or below the lowest step).
    zeros: u64,
    total: u64,
}

const HIST_LOW_DB: f64 = -240.0;
const HIST_HIGH_DB: f64 = 40.0;
const HIST_STEP_DB: f64 = 0.25;

impl Default for DbHistogram {
    fn default() -> Self {
        DbHistogram {
            counts: vec![0; ((HIST_HIGH_DB - HIST_LOW_DB) / HIST_STEP_DB) as usize],
            zeros: 0,
            total: 0,
        }
    }
}

impl DbHistogram {
    /// Count one power (linear).
    pub fn add(&mut self, power: f64) {
        self.total += 1;
        let db = 10.0 * power.log10();
        // Zero (−∞ dB) and NaN count as zeros.
        if db.is_nan() || db < HIST_LOW_DB {
            self.zeros += 1;
            return;
        }
        let i = ((db - HIST_LOW_DB) / HIST_STEP_DB) as usize;
        let last = self.counts.len() - 1;
        self.counts[i.min(last)] += 1;
    }

    /// The power below which a share `q` (0…1) of the counted powers lie (linear; 0.0 when
    /// they are zeros), to a quarter of a decibel.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.total - 1) as f64).round() as u64;
        if rank < self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (i, count) in self.counts.iter().enumerate() {
            seen += *count as u64;
            if seen > rank {
                let db = HIST_LOW_DB + (i as f64 + 0.5) * HIST_STEP_DB;
                return 10f64.powf(db / 10.0);
            }
        }
        10f64.powf(HIST_HIGH_DB / 10.0)
    }
}

/// Mains hum over a long check: one spectrum per window; per harmonic, the power of its line in
/// every window where it looks like mains (else zero) is kept as a histogram, and the hum is
/// the median line of every harmonic: steady hum is there in most windows, music comes and goes.
/// Memory is fixed whatever the length.
#[derive(Clone, Debug)]
pub struct HumStats {
    /// [mains][harmonic].
    lines: Vec<DbHistogram>,
    windows: u64,
}

/// The hum a [`HumStats`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hum {
    pub mains_hz: f64,
    /// Power of the harmonics found, as a share of full scale's mean square.
    pub power: f64,
    /// How many harmonics were found.
    pub harmonics: usize,
}

impl Default for HumStats {
    fn default() -> Self {
        HumStats {
            lines: vec![DbHistogram::default(); MAINS_HZ.len() * HARMONICS],
            windows: 0,
        }
    }
}

impl HumStats {
    /// Count the lines of one spectrum.
    pub fn add(&mut self, power: &[f64], bin_hz: f64) {
        for (m, f0) in MAINS_HZ.iter().enumerate() {
            for (h, line) in lines(power, bin_hz, *f0).iter().enumerate() {
                let found = if line.is_mains() { line.power } else { 0.0 };
                self.lines[m * HARMONICS + h].add(found);
            }
        }
        self.windows += 1;
    }

    /// Spectra counted.
    pub fn windows(&self) -> u64 {
        self.windows
    }

    /// The steady hum at each mains frequency of [`MAINS_HZ`] (zero power when none).
    pub fn hum(&self) -> Vec<Hum> {
        (0..MAINS_HZ.len())
            .map(|m| {
                let mut hum = Hum {
                    mains_hz: MAINS_HZ[m],
                    power: 0.0,
                    harmonics: 0,
                };
                for line in self.lines.iter().skip(m * HARMONICS).take(HARMONICS) {
                    let power = line.quantile(0.5);
                    if power > 0.0 {
                        hum.power += power;
                        hum.harmonics += 1;
                    }
                }
                hum
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, amplitude: f64, rate: u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| {
                (amplitude * (std::f64::consts::TAU * freq * i as f64 / rate as f64).sin()) as f32
            })
            .collect()
    }

    #[test]
    fn a_sine_line_sums_to_its_power() {
        let rate = 48_000;
        let mut spectrum = PowerSpectrum::new(1 << 16, rate);
        let x = sine(50.0, 0.1, rate, 1 << 16);
        let bin_hz = spectrum.bin_hz();
        let p = spectrum.compute(&x);
        let [fifty, sixty] = hum_in(p, bin_hz);
        assert_eq!(sixty.power, 0.0);
        let power = fifty.power;
        // 0.1² / 2 = 0.005.
        assert!((power / 0.005 - 1.0).abs() < 0.01, "{power}");
        let total: f64 = p.iter().sum();
        assert!((total / 0.005 - 1.0).abs() < 0.01, "{total}");
    }

    #[test]
    fn histogram_quantiles_to_a_quarter_db() {
        let mut h = DbHistogram::default();
        for i in 1..=100 {
            h.add(i as f64 * 1e-3);
        }
        h.add(0.0);
        let median = h.quantile(0.5);
        assert!((10.0 * (median / 0.050).log10()).abs() < 0.26, "{median}");
        assert_eq!(h.quantile(0.0), 0.0);
    }
}

/// A channel's average spectrum in fixed log-spaced bands (for the report's picture): the power
/// of every band summed from each window's bins, averaged over the windows. Fixed memory.
#[derive(Clone, Debug)]
pub struct BandSpectrum {
    sums: Vec<f64>,
    windows: u64,
}

impl BandSpectrum {
    /// Bands per octave.
    pub const PER_OCTAVE: u32 = 12;
    /// The lowest band's lower edge, in Hz.
    pub const LOW_HZ: f64 = 20.0;
    /// Octaves covered (20 Hz to 20.48 kHz).
    pub const OCTAVES: u32 = 10;

    pub fn new() -> Self {
        BandSpectrum {
            sums: vec![0.0; (Self::PER_OCTAVE * Self::OCTAVES) as usize],
            windows: 0,
        }
    }

    /// The band of a frequency, if it is in range.
    fn band(hz: f64) -> Option<usize> {
        let b = ((hz / Self::LOW_HZ).log2() * Self::PER_OCTAVE as f64).floor();
        (b >= 0.0 && b < (Self::PER_OCTAVE * Self::OCTAVES) as f64).then_some(b as usize)
    }

    /// Add one power spectrum (bins `bin_hz` apart, as [`PowerSpectrum::compute`] gives).
    pub fn add(&mut self, power: &[f64], bin_hz: f64) {
        for (k, p) in power.iter().enumerate().skip(1) {
            if let Some(b) = Self::band(k as f64 * bin_hz) {
                self.sums[b] += p;
            }
        }
        self.windows += 1;
    }

    /// Each band's level (its share of full scale's mean square), in dBFS; empty when nothing was
    /// added.
    pub fn dbfs(&self) -> Vec<f32> {
        if self.windows == 0 {
            return Vec::new();
        }
        self.sums
            .iter()
            .map(|s| (10.0 * (s / self.windows as f64).max(1e-15).log10()) as f32)
            .collect()
    }
}

impl Default for BandSpectrum {
    fn default() -> Self {
        Self::new()
    }
}
