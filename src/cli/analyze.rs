//! `studiodesk analyze`: loudness and peaks of WAV files.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::charts::{LoudnessChart, loudness_file_bytes};
use crate::engine::analyze::{
    ChannelAnalysis, FileAnalysis, Timeline, analyze_file_timeline, analyze_files,
};
use crate::meter::target::PRESETS;
use crate::meter::{LayoutChoice, ProgrammeReading, Target};

use super::{finite, level};

/// Show a progress bar only when there is this much sample data to read, in bytes.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Print one JSON array, one object per file.
    #[arg(long)]
    json: bool,
    /// Judge against a delivery target: ebu-r128, atsc-a85, streaming, apple.
    #[arg(long, value_name = "PRESET")]
    target: Option<Target>,
    /// Channel layout instead of the file's: mono, stereo, 5.0, 5.1, 7.1, tracks.
    #[arg(long)]
    layout: Option<LayoutChoice>,
    /// Files analysed at once (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Draw the file's loudness over time (momentary, short-term, integrated so far), the
    /// target (--target, else EBU R128) and true-peak overs, 1600×900, as OUT.png or OUT.svg.
    #[arg(long, value_name = "OUT")]
    plot: Option<PathBuf>,
    /// Replace the --plot file if it exists.
    #[arg(long, requires = "plot")]
    force: bool,
    /// Audio files: WAV (RIFF, RIFX, RF64/BW64, Wave64; integer 1–64-bit, float, A-law, µ-law),
    /// FLAC, AIFF/AIFC, MP3, Ogg Vorbis, AAC/ALAC in MP4/M4A, CAF, Matroska; 1–64 channels.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// One programme's numbers, as the JSON keys name them.
#[derive(Serialize)]
struct ReadingJson {
    integrated_lufs: Option<f64>,
    loudness_range_lu: f64,
    momentary_max_lufs: Option<f64>,
    short_term_max_lufs: Option<f64>,
    sample_peak_dbfs: Option<f64>,
    true_peak_dbtp: Option<f64>,
}

impl From<&ProgrammeReading> for ReadingJson {
    fn from(r: &ProgrammeReading) -> Self {
        ReadingJson {
            integrated_lufs: finite(r.integrated_lufs),
            loudness_range_lu: r.loudness_range_lu,
            momentary_max_lufs: finite(r.momentary_max_lufs),
            short_term_max_lufs: finite(r.short_term_max_lufs),
            sample_peak_dbfs: finite(r.sample_peak_dbfs),
            true_peak_dbtp: finite(r.true_peak_dbtp),
        }
    }
}

#[derive(Serialize)]
struct ChannelJson {
    sample_peak_dbfs: Option<f64>,
    true_peak_dbtp: Option<f64>,
    rms_dbfs: Option<f64>,
    dc_offset: f64,
}

impl From<&ChannelAnalysis> for ChannelJson {
    fn from(c: &ChannelAnalysis) -> Self {
        ChannelJson {
            sample_peak_dbfs: finite(c.sample_peak_dbfs),
            true_peak_dbtp: finite(c.true_peak_dbtp),
            rms_dbfs: finite(c.rms_dbfs),
            dc_offset: c.dc_offset,
        }
    }
}

#[derive(Serialize)]
struct TargetJson {
    name: &'static str,
    target_lufs: f64,
    tolerance_lu: f64,
    max_true_peak_dbtp: f64,
}

#[derive(Serialize)]
struct FileJson {
    file: String,
    sample_rate: u32,
    channels: usize,
    layout: String,
    duration_s: f64,
    #[serde(flatten)]
    programme: ReadingJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<TargetJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gain_to_target_db: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passes: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tracks: Vec<ReadingJson>,
    /// Left/right correlation, for layouts with a front pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation: Option<f64>,
    per_channel: Vec<ChannelJson>,
}

#[derive(Serialize)]
struct ErrorJson {
    file: String,
    error: String,
}

impl FileJson {
    fn new(a: &FileAnalysis, target: Option<&Target>) -> Self {
        let p = &a.programme;
        FileJson {
            file: a.file.display().to_string(),
            sample_rate: a.sample_rate_hz,
            channels: a.channels,
            layout: a.layout.to_string(),
            duration_s: a.duration_s,
            programme: p.into(),
            target: target.map(|t| TargetJson {
                name: t.name,
                target_lufs: t.target_lufs,
                tolerance_lu: t.tolerance_lu,
                max_true_peak_dbtp: t.max_true_peak_dbtp,
            }),
            gain_to_target_db: target.map(|t| t.gain_to_target_db(p.integrated_lufs)),
            passes: target.map(|t| t.passes(p.integrated_lufs, p.true_peak_dbtp)),
            tracks: a.tracks.iter().map(ReadingJson::from).collect(),
            correlation: a.correlation,
            per_channel: a.channels_detail.iter().map(ChannelJson::from).collect(),
        }
    }
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let total_bytes: u64 = args
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = if std::io::stderr().is_terminal() && total_bytes >= PROGRESS_MIN_BYTES {
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let results = match &args.plot {
        None => analyze_files(&args.files, args.layout, threads, &|bytes| bar.inc(bytes)),
        Some(out) => {
            let [file] = &args.files[..] else {
                anyhow::bail!("--plot draws one file: give one FILE");
            };
            let result = analyze_file_timeline(file, args.layout, &|bytes| bar.inc(bytes));
            if let Ok((analysis, timeline)) = &result {
                plot(out, analysis, timeline, args.target.as_ref(), args.force)?;
            }
            vec![result.map(|(analysis, _)| analysis)]
        }
    };
    bar.finish_and_clear();

    let mut failed = false;
    let mut json = Vec::new();
    for (file, result) in args.files.iter().zip(&results) {
        match result {
            Ok(analysis) => {
                if args.json {
                    json.push(serde_json::to_value(FileJson::new(
                        analysis,
                        args.target.as_ref(),
                    ))?);
                } else {
                    let mut text = Vec::new();
                    print_text(&mut text, analysis, args.target.as_ref())?;
                    out!("{}", String::from_utf8_lossy(&text));
                }
            }
            Err(e) => {
                failed = true;
                eprintln!(
                    "studiodesk: {}",
                    super::output::sanitize(&format!("{}: {e}", file.display()))
                );
                if args.json {
                    json.push(serde_json::to_value(ErrorJson {
                        file: file.display().to_string(),
                        error: e.to_string(),
                    })?);
                }
            }
        }
    }
    if args.json {
        super::output::write_json(&json, true)?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Draw `analysis`'s loudness over time into `out` (PNG or SVG by its extension).
fn plot(
    out: &Path,
    analysis: &FileAnalysis,
    timeline: &Timeline,
    target: Option<&Target>,
    force: bool,
) -> anyhow::Result<()> {
    let title = analysis.file.file_name().map_or_else(
        || analysis.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let chart = LoudnessChart {
        title: &title,
        summary: &analysis.programme,
        momentary_lufs: &timeline.momentary_lufs,
        short_term_lufs: &timeline.short_term_lufs,
        integrated_lufs: &timeline.integrated_lufs,
        true_peak_dbtp: &timeline.true_peak_dbtp,
        step_s: Timeline::STEP_S,
        target: target.unwrap_or(&PRESETS[0]),
    };
    let bytes = loudness_file_bytes(out, &chart)?;
    super::studio::export(out, bytes, force)
}

fn print_text(
    out: &mut impl Write,
    a: &FileAnalysis,
    target: Option<&Target>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}  {} Hz, {} ({} ch), {:.2} s",
        a.file.display(),
        a.sample_rate_hz,
        a.layout,
        a.channels,
        a.duration_s
    )?;
    let print_reading = |out: &mut dyn Write, indent: &str, r: &ProgrammeReading| {
        writeln!(
            out,
            "{indent}integrated {:>6} LUFS   range {:>4.1} LU   momentary max {:>6} LUFS   short-term max {:>6} LUFS",
            level(r.integrated_lufs),
            r.loudness_range_lu,
            level(r.momentary_max_lufs),
            level(r.short_term_max_lufs)
        )?;
        writeln!(
            out,
            "{indent}sample peak {:>6} dBFS   true peak {:>6} dBTP",
            level(r.sample_peak_dbfs),
            level(r.true_peak_dbtp)
        )
    };
    print_reading(out, "  ", &a.programme)?;
    if let Some(r) = a.correlation {
        writeln!(out, "  correlation L/R {r:+.2}")?;
    }
    for (i, c) in a.channels_detail.iter().enumerate() {
        writeln!(
            out,
            "  ch {:>2}: peak {:>6} dBFS   true peak {:>6} dBTP   RMS {:>6} dBFS   DC {:+.4}",
            i + 1,
            level(c.sample_peak_dbfs),
            level(c.true_peak_dbtp),
            level(c.rms_dbfs),
            c.dc_offset
        )?;
    }
    for (i, track) in a.tracks.iter().enumerate() {
        writeln!(out, "  track {}:", i + 1)?;
        print_reading(out, "    ", track)?;
    }
    if let Some(t) = target {
        let p = &a.programme;
        let gain = t
            .gain_to_target_db(p.integrated_lufs)
            .map_or("n/a".to_string(), |g| format!("{g:+.1} dB"));
        let verdict = if t.passes(p.integrated_lufs, p.true_peak_dbtp) {
            "PASS"
        } else {
            "FAIL"
        };
        writeln!(out, "  target {t}: gain to target {gain}, {verdict}")?;
    }
    Ok(())
}
