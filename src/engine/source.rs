//! The file source: WAVs played as a virtual multi-track input at real-time pace, the way an
//! interface would deliver them. The built-in demo session (eight tracks from `test-audio/demo`,
//! compiled into the binary) is the default input when no interface is present.
//!
//! Files are decoded and, where their rate differs from the session's, converted with `rubato`
//! (FFT resampler, whole clip at once) before the stream starts: nothing is resampled in the
//! real-time path. The playing thread is this driver's "audio callback": it sleeps until each block
//! is due, then hands the block to the processor.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::decode::AudioReader;
use super::processor::Processor;
use super::wav::WavError;

/// The demo session's tracks: (name, WAV bytes).
const DEMO: [(&str, &[u8]); 8] = [
    ("Kick", include_bytes!("../../test-audio/demo/01-kick.wav")),
    (
        "Snare",
        include_bytes!("../../test-audio/demo/02-snare.wav"),
    ),
    ("Bass", include_bytes!("../../test-audio/demo/03-bass.wav")),
    ("Keys", include_bytes!("../../test-audio/demo/04-keys.wav")),
    (
        "Guitar L",
        include_bytes!("../../test-audio/demo/05-guitar-l.wav"),
    ),
    (
        "Guitar R",
        include_bytes!("../../test-audio/demo/06-guitar-r.wav"),
    ),
    (
        "Vocal",
        include_bytes!("../../test-audio/demo/07-vocal.wav"),
    ),
    ("Room", include_bytes!("../../test-audio/demo/08-room.wav")),
];

/// Frames the resampler converts at a time.
const RESAMPLE_CHUNK: usize = 1024;

/// Why a file source cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Wav {
        path: PathBuf,
        #[source]
        source: WavError,
    },
    #[error("{name}: cannot convert {from} Hz to {to} Hz: {reason}")]
    Resample {
        name: String,
        from: u32,
        to: u32,
        reason: String,
    },
    #[error("no files to play")]
    Empty,
}

/// One channel of audio with its name, at some rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    pub name: String,
    pub sample_rate_hz: u32,
    pub samples: Vec<f32>,
}

/// The demo session's eight tracks.
pub fn demo_clips() -> Result<Vec<Clip>, SourceError> {
    DEMO.iter()
        .map(|(name, bytes)| {
            let wav_error = |e: hound::Error| SourceError::Wav {
                path: PathBuf::from(format!("(built-in demo) {name}")),
                source: e.into(),
            };
            let mut reader = hound::WavReader::new(Cursor::new(*bytes)).map_err(wav_error)?;
            let rate = reader.spec().sample_rate;
            let samples = reader
                .samples::<i16>()
                .map(|s| s.map(|v| v as f32 / 32_768.0))
                .collect::<Result<Vec<f32>, _>>()
                .map_err(wav_error)?;
            Ok(Clip {
                name: name.to_string(),
                sample_rate_hz: rate,
                samples,
            })
        })
        .collect()
}

/// Every channel of every file as a clip of its own, named after the file (and channel).
pub fn file_clips(paths: &[PathBuf]) -> Result<Vec<Clip>, SourceError> {
    let mut clips = Vec::new();
    for path in paths {
        let wav_error = |source| SourceError::Wav {
            path: path.clone(),
            source,
        };
        let mut reader = AudioReader::open(path).map_err(wav_error)?;
        reader.check_rate().map_err(wav_error)?;
        let format = reader.format().clone();
        // Read what the file holds, not what its header claims (a WAV cut short plays what it has).
        let limit = reader.playable_frames(path).unwrap_or(u64::MAX);
        let mut data = Vec::new();
        let mut block = vec![0.0f32; 8192 * format.channels];
        let mut read = 0u64;
        while read < limit {
            let want = ((limit - read).min(8192) as usize) * format.channels;
            let frames = reader.read(&mut block[..want]).map_err(wav_error)?;
            if frames == 0 {
                break;
            }
            data.extend_from_slice(&block[..frames * format.channels]);
            read += frames as u64;
        }
        let stem = stem(path);
        for c in 0..format.channels {
            clips.push(Clip {
                name: if format.channels == 1 {
                    stem.clone()
                } else {
                    format!("{stem} {}", c + 1)
                },
                sample_rate_hz: format.sample_rate_hz,
                samples: data
                    .iter()
                    .skip(c)
                    .step_by(format.channels)
                    .copied()
                    .collect(),
            });
        }
    }
    Ok(clips)
}

pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `clip` at `rate_hz`: unchanged when it already is, else converted with rubato's FFT resampler
/// (delay trimmed, so the result lines up with the original and keeps its duration).
pub fn resample(clip: &Clip, rate_hz: u32) -> Result<Vec<f32>, SourceError> {
    if clip.sample_rate_hz == rate_hz || clip.samples.is_empty() {
        return Ok(clip.samples.clone());
    }
    let fail = |reason: String| SourceError::Resample {
        name: clip.name.clone(),
        from: clip.sample_rate_hz,
        to: rate_hz,
        reason,
    };
    let mut resampler = Fft::<f32>::new(
        clip.sample_rate_hz as usize,
        rate_hz as usize,
        RESAMPLE_CHUNK,
        1,
        FixedSync::Both,
    )
    .map_err(|e| fail(e.to_string()))?;
    let frames = clip.samples.len();
    let input = InterleavedSlice::new(&clip.samples, 1, frames).map_err(|e| fail(e.to_string()))?;
    let output = resampler
        .process_all(&input, frames, None)
        .map_err(|e| fail(e.to_string()))?;
    Ok(output.take_data())
}

/// Clips converted to the session rate and interleaved into one multi-channel buffer, padded with
/// silence to the longest.
#[derive(Clone, Debug)]
pub struct Multitrack {
    pub names: Vec<String>,
    pub sample_rate_hz: u32,
    /// Interleaved frames, `names.len()` channels.
    pub frames: Vec<f32>,
}

impl Multitrack {
    /// Build from `clips` at `rate_hz`.
    pub fn new(clips: &[Clip], rate_hz: u32) -> Result<Self, SourceError> {
        if clips.is_empty() {
            return Err(SourceError::Empty);
        }
        let tracks = clips
            .iter()
            .map(|c| resample(c, rate_hz))
            .collect::<Result<Vec<_>, _>>()?;
        let length = tracks.iter().map(Vec::len).max().unwrap_or(0);
        let channels = tracks.len();
        let mut frames = vec![0.0f32; length * channels];
        for (c, track) in tracks.iter().enumerate() {
            for (i, &x) in track.iter().enumerate() {
                frames[i * channels + c] = x;
            }
        }
        Ok(Multitrack {
            names: clips.iter().map(|c| c.name.clone()).collect(),
            sample_rate_hz: rate_hz,
            frames,
        })
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.names.len()
    }

    /// Length in frames.
    pub fn len_frames(&self) -> usize {
        self.frames.len() / self.channels().max(1)
    }
}

/// How a file source plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Playback {
    /// Frames handed to the processor per block.
    pub block_frames: usize,
    /// Start again at the end (a demo loops; a sound check of files does not).
    pub looping: bool,
    /// Stop after this much audio, in frames (`None`: at the end, or never when looping).
    pub limit_frames: Option<u64>,
    /// Pace blocks in real time; `false` runs as fast as possible (offline).
    pub real_time: bool,
}

/// A running file source: a thread feeding a processor.
pub struct FileSource {
    thread: Option<JoinHandle<Processor>>,
    stop: Arc<AtomicBool>,
}

impl FileSource {
    /// Start playing `audio` into `processor` (which must expect `audio.channels()` channels).
    pub fn start(audio: Multitrack, mut processor: Processor, playback: Playback) -> FileSource {
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("studiodesk-file-source".into())
            .spawn(move || {
                play(&audio, &mut processor, playback, &thread_stop);
                processor
            })
            .ok();
        FileSource { thread, stop }
    }

    /// True once the source has played all it was asked to.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stop and hand the processor back (it may process a last block on the way).
    pub fn stop(mut self) -> Option<Processor> {
        self.stop.store(true, Ordering::Release);
        self.thread.take().and_then(|t| t.join().ok())
    }
}

impl Drop for FileSource {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn play(audio: &Multitrack, processor: &mut Processor, playback: Playback, stop: &AtomicBool) {
    let channels = audio.channels();
    let total = audio.len_frames();
    if total == 0 {
        return;
    }
    let rate = audio.sample_rate_hz as f64;
    let block = playback.block_frames.max(1);
    let start = Instant::now();
    let mut played: u64 = 0;
    let mut position = 0usize;
    while !stop.load(Ordering::Acquire) {
        let mut frames = block.min(total - position);
        if let Some(limit) = playback.limit_frames {
            if played >= limit {
                break;
            }
            frames = frames.min((limit - played) as usize);
        }
        if playback.real_time {
            // A device delivers a block once it has been captured: wait until its end is due.
            let due = start + Duration::from_secs_f64((played + frames as u64) as f64 / rate);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        processor.process(&audio.frames[position * channels..(position + frames) * channels]);
        played += frames as u64;
        position += frames;
        if position == total {
            if !playback.looping {
                break;
            }
            position = 0;
        }
    }
}
