//! Reference and test signal synthesis: the EBU Tech 3341 / 3342 test signals, seeded noise and
//! tone, programme-like material and the `test-audio/` fixtures. Deterministic: the same arguments
//! give the same samples on every machine.
//!
//! All functions return interleaved `f32` frames, full scale = 1.0.

use std::f64::consts::PI;

/// Peak amplitude of a sine at `dbfs` (0 dBFS = full-scale peak).
pub fn amplitude(dbfs: f64) -> f64 {
    10f64.powf(dbfs / 20.0)
}

/// A sine of `freq_hz` at `dbfs` peak, starting at `phase_deg`, `seconds` long, on `channels`
/// identical (in-phase) channels.
pub fn sine(
    rate_hz: u32,
    channels: usize,
    freq_hz: f64,
    dbfs: f64,
    seconds: f64,
    phase_deg: f64,
) -> Vec<f32> {
    let frames = (seconds * rate_hz as f64).round() as usize;
    let (a, w, phi) = (
        amplitude(dbfs),
        2.0 * PI * freq_hz / rate_hz as f64,
        phase_deg.to_radians(),
    );
    (0..frames)
        .flat_map(|i| std::iter::repeat_n((a * (w * i as f64 + phi).sin()) as f32, channels))
        .collect()
}

/// Stereo in-phase 1 kHz sine sections of `(dbfs, seconds)`, one after another: the form of most
/// EBU Tech 3341 / 3342 test signals.
pub fn stepped_sine(rate_hz: u32, sections: &[(f64, f64)]) -> Vec<f32> {
    sections
        .iter()
        .flat_map(|&(dbfs, seconds)| sine(rate_hz, 2, 1000.0, dbfs, seconds, 0.0))
        .collect()
}

/// Apply linear fades of `fade_s` at both ends of interleaved frames.
pub fn fade(frames: &mut [f32], channels: usize, rate_hz: u32, fade_s: f64) {
    let n = frames.len() / channels;
    let fade_frames = ((fade_s * rate_hz as f64) as usize).min(n / 2).max(1);
    for i in 0..fade_frames {
        let g = i as f32 / fade_frames as f32;
        for c in 0..channels {
            frames[i * channels + c] *= g;
            frames[(n - 1 - i) * channels + c] *= g;
        }
    }
}

/// EBU Tech 3341 true-peak case: a stereo sine of `rate/divisor` at `phase_deg`, peak
/// `amplitude`, 1 s with 10 ms fades (cases 15–19).
pub fn true_peak_case(rate_hz: u32, divisor: f64, phase_deg: f64, peak: f64) -> Vec<f32> {
    let mut frames = sine(
        rate_hz,
        2,
        rate_hz as f64 / divisor,
        20.0 * peak.log10(),
        1.0,
        phase_deg,
    );
    fade(&mut frames, 2, rate_hz, 0.010);
    frames
}

/// Small deterministic generator (xorshift64*), so signals need no external crate or seed file.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value).
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15 | 1)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn gaussian(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
    }
}

/// Seeded white noise (RMS −20 dBFS) plus a different tone per channel (−12 dBFS peak, 200 Hz
/// upwards): every sample different, peaks everywhere, the worst case for any metering shortcut.
pub fn noise_and_tone(rate_hz: u32, channels: usize, seconds: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let frames = (seconds * rate_hz as f64) as usize;
    let (noise, tone) = (0.1, amplitude(-12.0));
    let mut out = Vec::with_capacity(frames * channels);
    for i in 0..frames {
        for c in 0..channels {
            let f = 200.0 * (c + 1) as f64 + 17.0;
            let t = (2.0 * PI * f * i as f64 / rate_hz as f64).sin();
            out.push((noise * rng.gaussian() + tone * t) as f32);
        }
    }
    out
}

/// Programme-like material: notes every 125–500 ms with a sharp attack and exponential decay
/// (drums, plucks), over a sustained pad, in sections whose level moves between −32 and −14 dB
/// every few seconds, as a song's verses and choruses do. Channels share the notes with a little
/// decorrelation.
pub fn programme(rate_hz: u32, channels: usize, seconds: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let rate = rate_hz as f64;
    let frames = (seconds * rate) as usize;
    let mut out = Vec::with_capacity(frames * channels);
    let (mut section_gain, mut section_left) = (amplitude(-20.0), 0usize);
    let (mut note_left, mut note_age, mut note_freq) = (0usize, 0usize, 110.0);
    let decay = (-1.0 / (0.08 * rate)).exp();
    for i in 0..frames {
        if section_left == 0 {
            section_gain = amplitude(-32.0 + 18.0 * rng.uniform());
            section_left = ((2.0 + 6.0 * rng.uniform()) * rate) as usize;
        }
        if note_left == 0 {
            note_left = ((0.125 * (1 + (rng.uniform() * 4.0) as usize) as f64) * rate) as usize;
            note_age = 0;
            note_freq = 55.0 * 2f64.powf((rng.uniform() * 36.0).floor() / 12.0);
        }
        section_left -= 1;
        note_left -= 1;
        note_age += 1;
        let t = i as f64 / rate;
        let envelope = decay.powi(note_age as i32);
        let note = envelope * ((2.0 * PI * note_freq * t).sin() + 0.3 * rng.gaussian());
        let pad = 0.2 * (2.0 * PI * 220.0 * t).sin() * (0.5 + 0.5 * (2.0 * PI * 0.25 * t).sin());
        for c in 0..channels {
            let spread = 0.9 + 0.1 * c as f64 / channels.max(1) as f64;
            out.push((section_gain * 3.0 * (spread * note + pad) + 0.002 * rng.gaussian()) as f32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_has_the_asked_peak_and_length() {
        let s = sine(48_000, 2, 1000.0, -6.0, 0.5, 90.0);
        assert_eq!(s.len(), 48_000);
        assert!((s[0] as f64 - amplitude(-6.0)).abs() < 1e-6);
        assert_eq!(s[0], s[1]);
    }

    #[test]
    fn generators_are_deterministic_and_in_range() {
        assert_eq!(
            noise_and_tone(8000, 2, 0.1, 7),
            noise_and_tone(8000, 2, 0.1, 7)
        );
        assert_ne!(
            noise_and_tone(8000, 2, 0.1, 7),
            noise_and_tone(8000, 2, 0.1, 8)
        );
        let p = programme(8000, 2, 10.0, 3);
        assert!(p.iter().all(|x| x.abs() < 1.0));
    }
}
