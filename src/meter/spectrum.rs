//! FFT spectrum and 1/3-octave band levels on the IEC 61260-1 (base-10) centre frequencies.
//!
//! `process` only copies samples into a per-channel history (cheap, allocation-free); `analyse`
//! windows the latest `fft_size` samples with a Hann window, runs a real FFT planned once in `new`
//! (`realfft` over `rustfft`, with preallocated scratch) and sums bin powers into bands. A bin
//! straddling a band edge is shared in proportion to its overlap, so narrow low bands still read
//! the power they hold. Band levels are RMS in dBFS: a full-scale sine in a band reads −3.01 dB.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use super::units::power_to_db;

/// Lowest and highest 1/3-octave band numbers: x in f = 1000 · 10^(x/10) Hz, 20 Hz to 20 kHz.
const FIRST_BAND: i32 = -17;
const LAST_BAND: i32 = 13;

/// Exact IEC 61260-1 mid-band frequency of band `x` (base 10), in Hz.
pub fn band_centre_hz(x: i32) -> f64 {
    1000.0 * 10f64.powf(x as f64 / 10.0)
}

/// One 1/3-octave band: its centre and the FFT bins (with their overlap weights) it sums.
#[derive(Clone, Debug)]
struct Band {
    centre_hz: f64,
    /// Index range into `Spectrum::taps`.
    taps: std::ops::Range<usize>,
}

/// Spectrum analyser for interleaved frames. `new` allocates; `process` and `analyse` never do.
pub struct Spectrum {
    channels: usize,
    fft_size: usize,
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    /// Per channel, the last `fft_size` samples, ring.
    history: Vec<f32>,
    write: usize,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Power of each bin of the last analysis, as mean square.
    power: Vec<f64>,
    /// Scale from |X|² to a bin's share of the mean square.
    power_scale: f64,
    bands: Vec<Band>,
    /// (bin, weight) pairs the bands sum.
    taps: Vec<(usize, f64)>,
}

impl Spectrum {
    /// An analyser of `fft_size` points (a power of two is fastest) for `channels` channels.
    pub fn new(sample_rate_hz: u32, channels: usize, fft_size: usize) -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(fft_size);
        let window: Vec<f32> = (0..fft_size)
            .map(|i| {
                let phase = 2.0 * std::f64::consts::PI * i as f64 / fft_size as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        let window_power: f64 = window.iter().map(|&w| (w as f64) * (w as f64)).sum();
        let bin_hz = sample_rate_hz as f64 / fft_size as f64;
        let nyquist_hz = sample_rate_hz as f64 / 2.0;
        let bins = fft_size / 2 + 1;
        let mut bands = Vec::new();
        let mut taps = Vec::new();
        for x in FIRST_BAND..=LAST_BAND {
            let centre_hz = band_centre_hz(x);
            let (low, high) = (centre_hz * 10f64.powf(-0.05), centre_hz * 10f64.powf(0.05));
            if high > nyquist_hz {
                break;
            }
            let start = taps.len();
            for bin in 0..bins {
                let (b_low, b_high) = ((bin as f64 - 0.5) * bin_hz, (bin as f64 + 0.5) * bin_hz);
                let overlap = (b_high.min(high) - b_low.max(low)).max(0.0) / bin_hz;
                if overlap > 0.0 {
                    taps.push((bin, overlap));
                }
            }
            bands.push(Band {
                centre_hz,
                taps: start..taps.len(),
            });
        }
        Spectrum {
            channels,
            fft_size,
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            window,
            history: vec![0.0; channels * fft_size],
            write: 0,
            power: vec![0.0; bins],
            power_scale: 1.0 / (fft_size as f64 * window_power),
            bands,
            taps,
        }
    }

    /// Forget the history.
    pub fn reset(&mut self) {
        self.history.fill(0.0);
        self.write = 0;
        self.power.fill(0.0);
    }

    /// Keep the latest samples of interleaved frames. Never allocates.
    pub fn process(&mut self, frames: &[f32]) {
        let n = self.fft_size;
        for frame in frames.chunks_exact(self.channels) {
            for (c, &x) in frame.iter().enumerate() {
                self.history[c * n + self.write] = x;
            }
            self.write = (self.write + 1) % n;
        }
    }

    /// Centre frequencies of the bands below Nyquist, in Hz.
    pub fn band_centres_hz(&self) -> impl Iterator<Item = f64> + '_ {
        self.bands.iter().map(|b| b.centre_hz)
    }

    /// Number of bands below Nyquist.
    pub fn band_count(&self) -> usize {
        self.bands.len()
    }

    /// Analyse the latest `fft_size` samples of channel `c`; writes one level per band, in dBFS
    /// (RMS), into `levels_db` (which must hold `band_count()` values). Never allocates.
    pub fn analyse(&mut self, c: usize, levels_db: &mut [f64]) {
        let n = self.fft_size;
        let history = &self.history[c * n..(c + 1) * n];
        // Oldest sample first.
        let (newer, older) = history.split_at(self.write);
        for ((dst, &x), &w) in self
            .input
            .iter_mut()
            .zip(older.iter().chain(newer))
            .zip(&self.window)
        {
            *dst = x * w;
        }
        // Lengths are fixed at construction, the only condition `process_with_scratch` checks.
        if self
            .fft
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
            .is_err()
        {
            levels_db.fill(f64::NEG_INFINITY);
            return;
        }
        let last = self.output.len() - 1;
        for (bin, (p, z)) in self.power.iter_mut().zip(&self.output).enumerate() {
            // One-sided spectrum: every bin but DC and Nyquist stands for two.
            let sides = if bin == 0 || bin == last { 1.0 } else { 2.0 };
            *p = sides * z.norm_sqr() as f64 * self.power_scale;
        }
        for (band, level) in self.bands.iter().zip(levels_db.iter_mut()) {
            let power: f64 = self.taps[band.taps.clone()]
                .iter()
                .map(|&(bin, weight)| self.power[bin] * weight)
                .sum();
            *level = power_to_db(power);
        }
    }

    /// Power of every FFT bin from the last `analyse`, as mean square (bin k at k·rate/size Hz).
    pub fn bin_power(&self) -> &[f64] {
        &self.power
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iec_61260_centres() {
        assert!((band_centre_hz(0) - 1000.0).abs() < 1e-9);
        assert!((band_centre_hz(-17) - 19.9526).abs() < 1e-3);
        assert!((band_centre_hz(13) - 19952.6).abs() < 0.1);
    }

    /// A 1 kHz sine at −20 dBFS peak reads −23.01 dB RMS in the 1 kHz band, the bands an octave
    /// away read at least 60 dB less.
    #[test]
    fn sine_lands_in_its_band() {
        let rate = 48_000;
        let mut spectrum = Spectrum::new(rate, 1, 8192);
        let frames: Vec<f32> = (0..16_384)
            .map(|i| {
                (0.1 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate as f64).sin()) as f32
            })
            .collect();
        spectrum.process(&frames);
        let mut levels = vec![0.0; spectrum.band_count()];
        spectrum.analyse(0, &mut levels);
        let centres: Vec<f64> = spectrum.band_centres_hz().collect();
        let k1 = centres
            .iter()
            .position(|&f| (f - 1000.0).abs() < 1.0)
            .unwrap();
        assert!((levels[k1] - (-23.0103)).abs() < 0.05, "{}", levels[k1]);
        assert!(levels[k1 - 3] < levels[k1] - 60.0);
        assert!(levels[k1 + 3] < levels[k1] - 60.0);
    }

    /// Parseval: for white noise the bands between them hold the signal's mean square (within the
    /// part of the spectrum they cover, 17.8 Hz to 22.4 kHz of 24 kHz).
    #[test]
    fn bands_add_up_to_the_signal_power() {
        let rate = 48_000;
        let mut spectrum = Spectrum::new(rate, 1, 4096);
        let mut seed = 1u32;
        let noise: Vec<f32> = (0..4096)
            .map(|_| {
                seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        spectrum.process(&noise);
        let mut levels = vec![0.0; spectrum.band_count()];
        spectrum.analyse(0, &mut levels);
        let bands: f64 = levels.iter().map(|db| 10f64.powf(db / 10.0)).sum();
        let all: f64 = spectrum.bin_power().iter().sum();
        let covered = (22_387.0 - 17.8) / 24_000.0;
        assert!((10.0 * (bands / (all * covered)).log10()).abs() < 0.3);
    }
}
