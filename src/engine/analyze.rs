//! Offline analysis: files through the same meters that run live, as fast as the machine allows.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::meter::units::gain_to_db;
use crate::meter::{
    Correlation, Layout, LayoutChoice, LayoutError, Levels, LoudnessMeter, Peaks, ProgrammeReading,
};

use super::decode::{AudioReader, stream_blocks};
use super::wav::WavError;

/// Frames read and metered at a time.
const BLOCK_FRAMES: usize = 16_384;

/// Why a file could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Wav(#[from] WavError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
}

/// Window of the level and correlation meters, in ms (only their whole-file values are reported).
const WINDOW_MS: usize = 400;

/// What `analyze` measured of one channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelAnalysis {
    pub sample_peak_dbfs: f64,
    pub true_peak_dbtp: f64,
    /// Unweighted RMS over the whole file, in dBFS (full-scale sine = −3.01).
    pub rms_dbfs: f64,
    /// Mean sample value over the whole file (linear, full scale = 1.0).
    pub dc_offset: f64,
}

/// What `analyze` measured of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileAnalysis {
    pub file: PathBuf,
    pub sample_rate_hz: u32,
    pub channels: usize,
    pub layout: Layout,
    pub duration_s: f64,
    /// The whole programme (for [`Layout::Tracks`], all tracks weighted 1.0).
    pub programme: ProgrammeReading,
    /// One reading per track for [`Layout::Tracks`], else empty.
    pub tracks: Vec<ProgrammeReading>,
    /// Peaks, RMS and DC offset of every channel.
    pub channels_detail: Vec<ChannelAnalysis>,
    /// Correlation of the front left and right channels over the whole file (−1…+1), for
    /// layouts that have them.
    pub correlation: Option<f64>,
}

/// A file's loudness over time, one point every [`Timeline::STEP_S`], for a plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// Momentary loudness at the end of each step, in LUFS.
    pub momentary_lufs: Vec<f32>,
    /// Short-term loudness at the end of each step, in LUFS.
    pub short_term_lufs: Vec<f32>,
    /// Integrated loudness of the file up to the end of each step, in LUFS.
    pub integrated_lufs: Vec<f32>,
    /// Largest true peak over the channels within each step, in dBTP.
    pub true_peak_dbtp: Vec<f32>,
}

impl Timeline {
    /// Time between two points, in seconds.
    pub const STEP_S: f64 = 0.1;
}

/// Measure one file. `layout` overrides the layout the file implies. `progress` is told the
/// number of bytes of sample data consumed after each block.
pub fn analyze_file(
    path: &Path,
    layout: Option<LayoutChoice>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FileAnalysis, AnalyzeError> {
    measure(path, layout, progress, None)
}

/// [`analyze_file`], and the loudness of the programme over time (the whole file, or for
/// [`Layout::Tracks`] all tracks together). Costs a second true-peak meter and memory for
/// 16 bytes per 100 ms of audio.
pub fn analyze_file_timeline(
    path: &Path,
    layout: Option<LayoutChoice>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(FileAnalysis, Timeline), AnalyzeError> {
    let mut timeline = Timeline::default();
    let analysis = measure(path, layout, progress, Some(&mut timeline))?;
    Ok((analysis, timeline))
}

fn measure(
    path: &Path,
    layout: Option<LayoutChoice>,
    progress: &(dyn Fn(u64) + Sync),
    mut timeline: Option<&mut Timeline>,
) -> Result<FileAnalysis, AnalyzeError> {
    let reader = AudioReader::open(path)?;
    let format = reader.format().clone();
    reader.check_rate()?;
    let layout = match layout {
        Some(choice) => choice.resolve(format.channels)?,
        None => Layout::for_stream(format.channels, format.channel_mask),
    };
    let rate = format.sample_rate_hz;
    let mut meter = LoudnessMeter::new(rate, &layout);
    let mut levels = Levels::new(rate, format.channels, WINDOW_MS);
    let front_pair = matches!(
        layout,
        Layout::Stereo | Layout::Surround50 | Layout::Surround51 | Layout::Surround71
    );
    let pairs: &[(usize, usize)] = if front_pair { &[(0, 1)] } else { &[] };
    let mut correlation = Correlation::new(rate, format.channels, pairs, WINDOW_MS);
    // Progress in bytes of the file, spread over the frames it says it holds.
    let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    let bytes_per_frame = format
        .frames
        .filter(|&f| f > 0)
        .map_or(0.0, |f| file_bytes as f64 / f as f64);
    let mut frames_read = 0u64;
    let step_frames = (rate as f64 * Timeline::STEP_S).round() as usize;
    let mut stepper = Stepper::new(step_frames);
    let mut step_peaks = Peaks::new(
        rate,
        if timeline.is_some() {
            format.channels
        } else {
            0
        },
    );
    stream_blocks(path, reader, BLOCK_FRAMES, |block| {
        let frames = block.len() / format.channels;
        match timeline.as_deref_mut() {
            None => meter.process(block),
            Some(timeline) => {
                for part in stepper.split(block, format.channels) {
                    meter.process(part.frames);
                    step_peaks.process(part.frames);
                    if part.ends_step {
                        let r = meter.reading(meter.programmes() - 1);
                        timeline.momentary_lufs.push(r.momentary_lufs as f32);
                        timeline.short_term_lufs.push(r.short_term_lufs as f32);
                        timeline.integrated_lufs.push(r.integrated_lufs as f32);
                        let tp = step_peaks.max_true_peak();
                        timeline.true_peak_dbtp.push(gain_to_db(tp as f64) as f32);
                        (0..format.channels).for_each(|c| step_peaks.reset_holds(c));
                    }
                }
            }
        }
        levels.process(block);
        correlation.process(block);
        let before = (frames_read as f64 * bytes_per_frame) as u64;
        frames_read += frames as u64;
        progress((frames_read as f64 * bytes_per_frame) as u64 - before);
    })?;
    let programmes = meter.programmes();
    let (programme, tracks) = if layout.is_tracks() {
        (
            meter.reading(programmes - 1),
            (0..programmes - 1).map(|p| meter.reading(p)).collect(),
        )
    } else {
        (meter.reading(0), Vec::new())
    };
    Ok(FileAnalysis {
        file: path.to_path_buf(),
        sample_rate_hz: format.sample_rate_hz,
        channels: format.channels,
        layout,
        duration_s: frames_read as f64 / format.sample_rate_hz as f64,
        programme,
        tracks,
        channels_detail: (0..format.channels)
            .map(|c| ChannelAnalysis {
                sample_peak_dbfs: gain_to_db(meter.peaks().sample_peak(c) as f64),
                true_peak_dbtp: gain_to_db(meter.peaks().true_peak(c) as f64),
                rms_dbfs: levels.total_rms_dbfs(c),
                dc_offset: levels.total_dc_offset(c),
            })
            .collect(),
        correlation: front_pair.then(|| correlation.total_correlation(0)),
    })
}

/// Splits blocks at every `step` frames.
struct Stepper {
    step: usize,
    /// Frames into the current step.
    into: usize,
}

/// A piece of a block, and whether a step ends with it.
struct Piece<'a> {
    frames: &'a [f32],
    ends_step: bool,
}

impl Stepper {
    fn new(step: usize) -> Stepper {
        Stepper {
            step: step.max(1),
            into: 0,
        }
    }

    fn split<'a>(&mut self, block: &'a [f32], channels: usize) -> Vec<Piece<'a>> {
        let mut pieces = Vec::new();
        let mut rest = block;
        while !rest.is_empty() {
            let n = (self.step - self.into).min(rest.len() / channels);
            let (piece, tail) = rest.split_at(n * channels);
            self.into += n;
            let ends_step = self.into == self.step;
            if ends_step {
                self.into = 0;
            }
            pieces.push(Piece {
                frames: piece,
                ends_step,
            });
            rest = tail;
        }
        pieces
    }
}

/// Measure several files on up to `threads` threads; results in the order of `paths`.
pub fn analyze_files(
    paths: &[PathBuf],
    layout: Option<LayoutChoice>,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Result<FileAnalysis, AnalyzeError>> {
    let results: Vec<Mutex<Option<Result<FileAnalysis, AnalyzeError>>>> =
        paths.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, paths.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let result = analyze_file(path, layout, progress);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every file was analysed")
        })
        .collect()
}
