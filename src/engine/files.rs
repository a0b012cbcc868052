//! Files read as one stream of blocks at the session's rate: every channel of every file, side by
//! side, converted with `rubato` as it goes where a file's rate differs. Memory is a few blocks
//! per channel whatever the files' lengths; a file that ends first gives shorter (then empty)
//! blocks for its channels.

use std::path::{Path, PathBuf};

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use super::decode::AudioReader;
use super::source::{SourceError, stem};

/// Frames read from a file at a time.
const READ_FRAMES: usize = 8192;
/// Frames the resampler takes per call.
const CONVERT_FRAMES: usize = 4096;

/// Several files read side by side.
pub struct FileStream {
    files: Vec<OpenFile>,
    names: Vec<String>,
    source_rates: Vec<u32>,
    rate_hz: u32,
}

struct OpenFile {
    path: PathBuf,
    reader: AudioReader,
    channels: usize,
    /// Frames left to read, by the header (capped by what the file holds).
    unread: u64,
    read: Vec<f32>,
    converter: Option<Converter>,
    /// Converted frames waiting to be handed out (interleaved), from `taken`.
    ready: Vec<f32>,
    taken: usize,
    ended: bool,
}

/// A file's rate converted as it streams, the resampler's delay trimmed and the length kept.
struct Converter {
    resampler: Fft<f32>,
    input: Vec<f32>,
    output: Vec<f32>,
    /// Output frames still to drop (the resampler's delay).
    delay: usize,
    /// Input frames pushed and output frames given so far.
    frames_in: u64,
    given: u64,
    from: u32,
}

impl FileStream {
    /// Open `paths` for reading at `rate_hz`.
    pub fn open(paths: &[PathBuf], rate_hz: u32) -> Result<Self, SourceError> {
        if paths.is_empty() {
            return Err(SourceError::Empty);
        }
        let mut files = Vec::new();
        let (mut names, mut source_rates) = (Vec::new(), Vec::new());
        for path in paths {
            let file = OpenFile::open(path, rate_hz)?;
            let stem = stem(path);
            let rate = file.reader.format().sample_rate_hz;
            for c in 0..file.channels {
                names.push(if file.channels == 1 {
                    stem.clone()
                } else {
                    format!("{stem} {}", c + 1)
                });
                source_rates.push(rate);
            }
            files.push(file);
        }
        Ok(FileStream {
            files,
            names,
            source_rates,
            rate_hz,
        })
    }

    /// One name per channel: the file's stem, with the channel number for multichannel files.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The rate of each channel's file, in Hz.
    pub fn source_rates(&self) -> &[u32] {
        &self.source_rates
    }

    /// The next `frames` frames of every channel (fewer for a file that ends in them, none for
    /// one that has ended); `None` once every file has ended.
    pub fn next_block(&mut self, frames: usize) -> Result<Option<Vec<Vec<f32>>>, SourceError> {
        let mut block = Vec::with_capacity(self.names.len());
        let mut any = false;
        for file in &mut self.files {
            let got = file.take(frames, self.rate_hz)?;
            any |= got.first().is_some_and(|c| !c.is_empty());
            block.extend(got);
        }
        Ok(any.then_some(block))
    }
}

impl OpenFile {
    fn open(path: &Path, rate_hz: u32) -> Result<Self, SourceError> {
        let wav = |source| SourceError::Wav {
            path: path.to_path_buf(),
            source,
        };
        let reader = AudioReader::open(path).map_err(wav)?;
        reader.check_rate().map_err(wav)?;
        let format = reader.format().clone();
        // Trust what the file can hold, not only what its header claims.
        let frames = reader.playable_frames(path).unwrap_or(u64::MAX);
        let converter = if format.sample_rate_hz == rate_hz {
            None
        } else {
            Some(Converter::new(
                path,
                format.sample_rate_hz,
                rate_hz,
                format.channels,
            )?)
        };
        Ok(OpenFile {
            path: path.to_path_buf(),
            channels: format.channels,
            unread: frames,
            read: vec![0.0; READ_FRAMES * format.channels],
            converter,
            ready: Vec::new(),
            taken: 0,
            ended: false,
            reader,
        })
    }

    fn available(&self) -> usize {
        (self.ready.len() - self.taken) / self.channels
    }

    /// Up to `frames` frames, one vector per channel.
    fn take(&mut self, frames: usize, rate_hz: u32) -> Result<Vec<Vec<f32>>, SourceError> {
        while self.available() < frames && !self.ended {
            self.fill(rate_hz)?;
        }
        let n = self.available().min(frames);
        let c = self.channels;
        let start = self.taken;
        let out = (0..c)
            .map(|ch| {
                self.ready[start..start + n * c]
                    .iter()
                    .skip(ch)
                    .step_by(c)
                    .copied()
                    .collect()
            })
            .collect();
        self.taken += n * c;
        if self.taken == self.ready.len() {
            self.ready.clear();
            self.taken = 0;
        }
        Ok(out)
    }

    /// Read (and convert) the next frames into `ready`.
    fn fill(&mut self, rate_hz: u32) -> Result<(), SourceError> {
        // Drop what was handed out before adding more.
        self.ready.drain(..self.taken);
        self.taken = 0;
        let c = self.channels;
        let want = (READ_FRAMES as u64).min(self.unread) as usize;
        let mut got = 0;
        while got < want {
            let n = self
                .reader
                .read(&mut self.read[got * c..want * c])
                .map_err(|source| SourceError::Wav {
                    path: self.path.clone(),
                    source,
                })?;
            if n == 0 {
                break;
            }
            got += n;
        }
        self.unread = if got < want {
            0
        } else {
            self.unread - got as u64
        };
        let last = self.unread == 0;
        match &mut self.converter {
            None => self.ready.extend_from_slice(&self.read[..got * c]),
            Some(converter) => converter.push(
                &self.read[..got * c],
                c,
                last,
                &mut self.ready,
                &self.path,
                rate_hz,
            )?,
        }
        self.ended = last;
        Ok(())
    }
}

impl Converter {
    fn new(path: &Path, from: u32, to: u32, channels: usize) -> Result<Self, SourceError> {
        let resampler = Fft::<f32>::new(
            from as usize,
            to as usize,
            CONVERT_FRAMES,
            channels,
            FixedSync::Input,
        )
        .map_err(|e| SourceError::Resample {
            name: stem(path),
            from,
            to,
            reason: e.to_string(),
        })?;
        Ok(Converter {
            output: vec![0.0; resampler.output_frames_max() * channels],
            delay: resampler.output_delay(),
            frames_in: 0,
            given: 0,
            resampler,
            input: Vec::new(),
            from,
        })
    }

    /// Convert `frames` (interleaved, `channels` wide) into `out`; `last` flushes the tail.
    fn push(
        &mut self,
        frames: &[f32],
        channels: usize,
        last: bool,
        out: &mut Vec<f32>,
        path: &Path,
        to: u32,
    ) -> Result<(), SourceError> {
        self.input.extend_from_slice(frames);
        self.frames_in += (frames.len() / channels) as u64;
        let from_hz = self.from;
        let fail = |e: String| SourceError::Resample {
            name: stem(path),
            from: from_hz,
            to,
            reason: e,
        };
        loop {
            let needed = self.resampler.input_frames_next();
            let have = self.input.len() / channels;
            // The length kept: every input frame's worth of output, known once the input ends.
            let owed = if last {
                ((self.frames_in as f64 * to as f64 / from_hz as f64).ceil() as u64)
                    .saturating_sub(self.given)
            } else {
                u64::MAX
            };
            if owed == 0 || (have < needed && !last) {
                break;
            }
            // The tail: what is left, then silence until the delay has been flushed.
            let partial = (have < needed).then_some(have);
            if partial.is_some() {
                self.input.resize(needed * channels, 0.0);
            }
            let out_frames = self.output.len() / channels;
            let (from, mut into) = (
                InterleavedSlice::new(&self.input[..needed * channels], channels, needed)
                    .map_err(|e| fail(e.to_string()))?,
                InterleavedSlice::new_mut(&mut self.output, channels, out_frames)
                    .map_err(|e| fail(e.to_string()))?,
            );
            let indexing = partial.map(|n| Indexing {
                input_offset: 0,
                output_offset: 0,
                active_channels_mask: None,
                partial_len: Some(n),
            });
            let (_, made) = self
                .resampler
                .process_into_buffer(&from, &mut into, indexing.as_ref())
                .map_err(|e| fail(e.to_string()))?;
            self.input.drain(..needed * channels);
            let skip = self.delay.min(made);
            self.delay -= skip;
            let give = ((made - skip) as u64).min(owed) as usize;
            out.extend_from_slice(&self.output[skip * channels..(skip + give) * channels]);
            self.given += give as u64;
            if partial.is_some() {
                self.input.clear();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, rate: u32, channels: &[Vec<f32>]) {
        crate::signals::write_wav(path, rate, channels).unwrap();
    }

    fn sine(rate: u32, freq: f64, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| (0.5 * (std::f64::consts::TAU * freq * i as f64 / rate as f64).sin()) as f32)
            .collect()
    }

    /// A 44.1 kHz file read at 48 kHz in small blocks: its length scaled, its delay trimmed (the
    /// converted sine lines up with the sine at 48 kHz), beside a 48 kHz file that ends sooner.
    #[test]
    fn files_stream_converted_and_aligned() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.wav"), dir.path().join("b.wav"));
        let frames = 44_100 * 3 + 17;
        write(
            &a,
            44_100,
            &[sine(44_100, 440.0, frames), vec![0.25; frames]],
        );
        write(&b, 48_000, &[sine(48_000, 440.0, 48_000)]);
        let mut stream = FileStream::open(&[a, b], 48_000).unwrap();
        assert_eq!(stream.names(), ["a 1", "a 2", "b"]);
        assert_eq!(stream.source_rates(), [44_100, 44_100, 48_000]);
        let mut got: Vec<Vec<f32>> = vec![Vec::new(); 3];
        while let Some(block) = stream.next_block(1000).unwrap() {
            for (g, b) in got.iter_mut().zip(block) {
                g.extend(b);
            }
        }
        let expected = (frames as f64 * 48_000.0 / 44_100.0).ceil() as usize;
        assert_eq!(got[0].len(), expected);
        assert_eq!(got[1].len(), expected);
        assert_eq!(got[2].len(), 48_000);
        let reference = sine(48_000, 440.0, expected);
        let worst = got[0][4800..expected - 4800]
            .iter()
            .zip(&reference[4800..])
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 2e-3, "{worst}");
        assert!(
            got[1][4800..expected - 4800]
                .iter()
                .all(|v| (v - 0.25).abs() < 1e-3)
        );
    }
}
