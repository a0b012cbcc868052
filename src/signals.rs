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

/// A tracking session of `channels` mono inputs for benchmarks and sound-check tests: groups of
/// four inputs, three of them mics on one programme-like source (close, 0.5 ms and darker, 3 ms
/// with bleed from the next source) and one on a source of its own; every eighth input's second
/// mic is wired inverted. Every input starts with 2 s of room tone and has a −80 dBFS floor.
pub fn tracking_session(rate_hz: u32, channels: usize, seconds: f64, seed: u64) -> Vec<Vec<f32>> {
    let frames = (seconds * rate_hz as f64) as usize;
    let room = (2 * rate_hz as usize).min(frames);
    let groups = channels.div_ceil(4).max(1);
    let sources: Vec<Vec<f32>> = (0..groups + 1)
        .map(|g| {
            let mut x = vec![0.0f32; room];
            x.extend(programme(
                rate_hz,
                1,
                (frames - room) as f64 / rate_hz as f64,
                seed + g as u64,
            ));
            x.resize(frames, 0.0);
            x
        })
        .collect();
    let delay = |x: &[f32], ms: f64| -> Vec<f32> {
        let d = ((ms / 1000.0 * rate_hz as f64) as usize).min(x.len());
        let mut out = vec![0.0f32; d];
        out.extend_from_slice(&x[..x.len() - d]);
        out
    };
    let mut rng = Rng::new(seed ^ 0x5eed);
    (0..channels)
        .map(|c| {
            let (g, role) = (c / 4, c % 4);
            let source = &sources[g];
            let mut x: Vec<f32> = match role {
                0 => source.clone(),
                1 => {
                    let mut y = 0.0f32;
                    let sign = if c % 8 == 1 { -0.7 } else { 0.7 };
                    delay(source, 0.5)
                        .iter()
                        .map(|v| {
                            y = 0.6 * v + 0.4 * y;
                            sign * y
                        })
                        .collect()
                }
                2 => delay(source, 3.0)
                    .iter()
                    .zip(&sources[g + 1])
                    .map(|(a, b)| 0.5 * a + 0.3 * b)
                    .collect(),
                _ => {
                    let mut x = vec![0.0f32; room];
                    x.extend(
                        noise_and_tone(
                            rate_hz,
                            1,
                            (frames - room) as f64 / rate_hz as f64,
                            seed + 1000 + c as u64,
                        )
                        .iter()
                        .map(|v| 0.5 * v),
                    );
                    x.resize(frames, 0.0);
                    x
                }
            };
            for v in x.iter_mut() {
                *v += (1e-4 * rng.gaussian()) as f32;
            }
            x
        })
        .collect()
}

/// Write `channels` (one vector each, equal lengths) as a 32-bit float WAV at `rate_hz`.
pub fn write_wav(
    path: &std::path::Path,
    rate_hz: u32,
    channels: &[Vec<f32>],
) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate_hz,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for i in 0..channels.first().map_or(0, Vec::len) {
        for c in channels {
            w.write_sample(c[i])?;
        }
    }
    w.finalize()
}

/// Sample rate of the demo session, in Hz (the session plays it resampled to its own rate).
pub const DEMO_RATE_HZ: u32 = 32_000;
/// Length of the demo session, in seconds: five bars of 4/4 at 120 BPM.
pub const DEMO_SECONDS: f64 = 10.0;

/// The built-in demo session: eight mono tracks of a short band take at 120 BPM (A minor, F, C,
/// G), as a multitrack recorder would capture them: kick, snare, bass, keys, guitar left and
/// right, a lead vocal-like line and a room microphone. Returns `(name, samples)` per track at
/// [`DEMO_RATE_HZ`].
pub fn demo_session() -> Vec<(&'static str, Vec<f32>)> {
    let rate = DEMO_RATE_HZ as f64;
    let n = (DEMO_SECONDS * rate) as usize;
    let beat = 0.5;
    let mut rng = Rng::new(120);
    let t = |i: usize| i as f64 / rate;
    // Chord roots per bar (Hz): A2, F2, C3, G2, A2.
    let roots = [110.0, 87.31, 130.81, 98.0, 110.0];
    let root_at = |time: f64| roots[((time / (4.0 * beat)) as usize).min(roots.len() - 1)];

    // Kick: pitch sweep 120 → 45 Hz, on beats 1 and 3.
    let kick: Vec<f64> = (0..n)
        .map(|i| {
            let since = t(i) % (2.0 * beat);
            let phase = 2.0 * PI * (45.0 * since + 75.0 * 0.03 * (1.0 - (-since / 0.03).exp()));
            0.5 * phase.sin() * (-since / 0.25).exp()
        })
        .collect();
    // Snare: noise and a 190 Hz body on beats 2 and 4.
    let snare: Vec<f64> = (0..n)
        .map(|i| {
            let since = (t(i) + beat) % (2.0 * beat);
            let body = (2.0 * PI * 190.0 * since).sin() * (-since / 0.06).exp();
            let noise = rng.gaussian() * (-since / 0.12).exp();
            0.18 * body + 0.12 * noise
        })
        .collect();
    // Bass: eighth notes on the root, four harmonics, each note plucked.
    let bass: Vec<f64> = (0..n)
        .map(|i| {
            let time = t(i);
            let since = time % (beat / 2.0);
            let f = root_at(time) / 2.0;
            let tone: f64 = (1..=4)
                .map(|h| (2.0 * PI * f * h as f64 * time).sin() / h as f64)
                .sum();
            0.16 * tone * (0.4 + 0.6 * (-since / 0.15).exp())
        })
        .collect();
    // Keys: a sustained triad per bar, slightly detuned pairs.
    let keys: Vec<f64> = (0..n)
        .map(|i| {
            let time = t(i);
            let since = time % (4.0 * beat);
            let r = root_at(time) * 2.0;
            let chord = [r, r * 1.189, r * 1.498];
            let tone: f64 = chord
                .iter()
                .map(|f| (2.0 * PI * f * time).sin() + (2.0 * PI * f * 1.003 * time).sin())
                .sum();
            0.035 * tone * (since / 0.02).min(1.0) * (-since / 3.0).exp()
        })
        .collect();
    // Guitars: Karplus–Strong plucks, left on eighths, right on the offbeat quarters.
    let pluck = |offset: f64, every: f64, octave: f64, seed: u64| -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut out = vec![0.0; n];
        let mut line: Vec<f64> = Vec::new();
        let mut pos = 0;
        let mut next_note = offset;
        for (i, sample) in out.iter_mut().enumerate() {
            let time = t(i);
            if time >= next_note {
                let period = (rate / (root_at(time) * octave)).round() as usize;
                line = (0..period).map(|_| rng.uniform() * 2.0 - 1.0).collect();
                pos = 0;
                next_note += every;
            }
            if !line.is_empty() {
                let next = (pos + 1) % line.len();
                let y = 0.996 * 0.5 * (line[pos] + line[next]);
                *sample = 0.3 * line[pos];
                line[pos] = y;
                pos = next;
            }
        }
        out
    };
    let guitar_l = pluck(0.0, beat / 2.0, 2.0, 7);
    let guitar_r = pluck(beat / 2.0, beat, 3.0, 8);
    // Vocal: a sung line with vibrato and a few harmonics, phrases of three beats.
    let melody = [
        440.0, 523.25, 493.88, 440.0, 392.0, 440.0, 523.25, 587.33, 523.25, 493.88,
    ];
    let mut phase = 0.0;
    let vocal: Vec<f64> = (0..n)
        .map(|i| {
            let time = t(i);
            let note = melody[((time / (2.0 * beat)) as usize).min(melody.len() - 1)];
            let f = note * (1.0 + 0.006 * (2.0 * PI * 5.5 * time).sin());
            phase += 2.0 * PI * f / rate;
            let voice = phase.sin() + 0.5 * (2.0 * phase).sin() + 0.25 * (3.0 * phase).sin();
            let in_phrase = time % (4.0 * beat) < 3.0 * beat;
            let since = time % (2.0 * beat);
            let env = if in_phrase {
                (since / 0.05).min(1.0)
            } else {
                0.0
            };
            0.2 * voice * env
        })
        .collect();
    // Room: the drums 8 ms late and dulled, plus air.
    let delay = (0.008 * rate) as usize;
    let mut dull = 0.0;
    let room: Vec<f64> = (0..n)
        .map(|i| {
            let src = if i >= delay {
                kick[i - delay] + snare[i - delay]
            } else {
                0.0
            };
            dull += 0.15 * (src - dull);
            0.5 * dull + 0.003 * rng.gaussian()
        })
        .collect();
    let to_f32 = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect();
    vec![
        ("kick", to_f32(kick)),
        ("snare", to_f32(snare)),
        ("bass", to_f32(bass)),
        ("keys", to_f32(keys)),
        ("guitar-l", to_f32(guitar_l)),
        ("guitar-r", to_f32(guitar_r)),
        ("vocal", to_f32(vocal)),
        ("room", to_f32(room)),
    ]
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
    fn demo_session_has_eight_tracks_in_range() {
        let demo = demo_session();
        assert_eq!(demo.len(), 8);
        for (name, track) in &demo {
            assert_eq!(track.len(), (DEMO_SECONDS * DEMO_RATE_HZ as f64) as usize);
            let peak = track.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(peak > 0.05 && peak < 1.0, "{name}: peak {peak}");
        }
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
