//! Sampled instruments for tests: parts written here as MIDI, rendered by `fluidsynth` with the
//! General MIDI soundfont of Debian's `fluid-soundfont-gm` (both installed by the README's test
//! command), read back as float samples.

use std::path::Path;
use std::process::Command;

/// The General MIDI soundfont `fluid-soundfont-gm` installs.
pub const SOUNDFONT: &str = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
/// Ticks per quarter note of the parts.
const DIVISION: u32 = 480;

/// A note: start and length in beats (quarter notes at 120 bpm: 0.5 s), key and velocity.
#[derive(Clone, Copy, Debug)]
pub struct Note {
    pub beat: f64,
    pub beats: f64,
    pub key: u8,
    pub velocity: u8,
}

/// One instrument's part: a General MIDI program (or the drum kit) and its notes.
#[derive(Clone, Debug)]
pub struct Part {
    pub program: Option<u8>,
    pub notes: Vec<Note>,
}

impl Part {
    /// A part on `program` (`None`: the drum kit on MIDI channel 10).
    pub fn new(program: Option<u8>) -> Self {
        Part {
            program,
            notes: Vec::new(),
        }
    }

    /// Add `key` from `beat` for `beats`.
    pub fn note(mut self, beat: f64, beats: f64, key: u8, velocity: u8) -> Self {
        self.notes.push(Note {
            beat,
            beats,
            key,
            velocity,
        });
        self
    }

    /// Add `keys` together (a chord) from `beat` for `beats`.
    pub fn chord(mut self, beat: f64, beats: f64, keys: &[u8], velocity: u8) -> Self {
        for key in keys {
            self = self.note(beat, beats, *key, velocity);
        }
        self
    }

    /// The part as a Standard MIDI File (format 0, 120 bpm).
    pub fn smf(&self) -> Vec<u8> {
        let channel: u8 = if self.program.is_none() { 9 } else { 0 };
        let tick = |beat: f64| (beat * DIVISION as f64).round() as u32;
        let mut events: Vec<(u32, u8, Vec<u8>)> = Vec::new();
        // Tempo: 500 000 µs per quarter note.
        events.push((0, 0, vec![0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20]));
        if let Some(program) = self.program {
            events.push((0, 0, vec![0xC0 | channel, program]));
        }
        for n in &self.notes {
            // Offs sort before ons at the same tick.
            events.push((tick(n.beat), 2, vec![0x90 | channel, n.key, n.velocity]));
            events.push((tick(n.beat + n.beats), 1, vec![0x80 | channel, n.key, 0]));
        }
        events.sort_by_key(|e| (e.0, e.1));
        let mut track = Vec::new();
        let mut now = 0;
        for (at, _, bytes) in events {
            variable_length(&mut track, at - now);
            track.extend(bytes);
            now = at;
        }
        // One bar of rest, so tails ring out, then the end of the track.
        variable_length(&mut track, 4 * DIVISION);
        track.extend([0xFF, 0x2F, 0x00]);
        let mut smf = b"MThd".to_vec();
        smf.extend(6u32.to_be_bytes());
        smf.extend(0u16.to_be_bytes());
        smf.extend(1u16.to_be_bytes());
        smf.extend((DIVISION as u16).to_be_bytes());
        smf.extend(b"MTrk");
        smf.extend((track.len() as u32).to_be_bytes());
        smf.extend(track);
        smf
    }

    /// The part rendered at `rate_hz` with reverb and chorus off: (left, right).
    pub fn render(&self, dir: &Path, name: &str, rate_hz: u32) -> (Vec<f32>, Vec<f32>) {
        let midi = dir.join(format!("{name}.mid"));
        let wav = dir.join(format!("{name}.wav"));
        std::fs::write(&midi, self.smf()).unwrap();
        let out = Command::new("fluidsynth")
            .args(["-n", "-i", "-q", "-R", "0", "-C", "0", "-g", "0.6"])
            .args(["-r", &rate_hz.to_string(), "-O", "float", "-T", "wav", "-F"])
            .arg(&wav)
            .arg(SOUNDFONT)
            .arg(&midi)
            .output()
            .expect("fluidsynth runs (apt-get install fluidsynth fluid-soundfont-gm)");
        assert!(
            out.status.success(),
            "fluidsynth: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut reader = hound::WavReader::open(&wav).unwrap();
        let spec = reader.spec();
        assert_eq!(spec.sample_rate, rate_hz);
        let samples: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader.samples::<f32>().map(|s| s.unwrap()).collect(),
            hound::SampleFormat::Int => reader
                .samples::<i32>()
                .map(|s| s.unwrap() as f32 / (1u32 << (spec.bits_per_sample - 1)) as f32)
                .collect(),
        };
        let channels = spec.channels as usize;
        let side = |c: usize| -> Vec<f32> {
            samples
                .chunks_exact(channels)
                .map(|f| f[c.min(channels - 1)])
                .collect()
        };
        (side(0), side(1))
    }
}

fn variable_length(out: &mut Vec<u8>, mut value: u32) {
    let mut bytes = vec![(value & 0x7F) as u8];
    value >>= 7;
    while value > 0 {
        bytes.push((value & 0x7F) as u8 | 0x80);
        value >>= 7;
    }
    out.extend(bytes.iter().rev());
}
