//! `studiodesk meter`, `record`, `devices` and `repair`: the live engine without a window.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::engine::audio::list_devices;
use crate::engine::bwf::repair;
use crate::engine::bwf::{TakeTags, TimecodeRate};
use crate::engine::live::{DEFAULT_RATE_HZ, Input, Live, LiveOptions};
use crate::engine::monitor::MonitorClock;
use crate::engine::processor::TrackInput;
use crate::engine::recorder::{
    MAX_FILE_BYTES, RecordFormat, RecordedFile, TakeMeta, TakeSpec, TakeTrack, check_folder,
};
use crate::engine::snapshot::{CounterValues, MeterSnapshot};
use crate::engine::take::{Ending, Take};
use crate::engine::wav::Repair;
use crate::meter::hold::PeakHold;

use super::output::{OutputError, sanitize, write_json, write_out};
use super::{finite, level};

/// How often the front end prints, and how often it looks for news.
const PRINT_EVERY: Duration = Duration::from_millis(100);
const POLL_EVERY: Duration = Duration::from_millis(10);

/// Where the audio comes from.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input device (id or name, see `studiodesk devices`).
    #[arg(long, conflicts_with = "demo")]
    device: Option<String>,
    /// Play the built-in demo session (8 tracks) as the input.
    #[arg(long)]
    demo: bool,
    /// Input channels to open (device default 2; demo: the first N of its 8 tracks).
    #[arg(long)]
    channels: Option<usize>,
    /// Session sample rate, in Hz.
    #[arg(long, default_value_t = DEFAULT_RATE_HZ)]
    rate: u32,
    /// Device buffer size, in frames.
    #[arg(long)]
    buffer: Option<u32>,
    /// Output device for monitoring the master bus.
    #[arg(long, value_name = "DEVICE")]
    monitor: Option<String>,
    /// Rate of the monitor device, in Hz, when it must differ from the session's (converted).
    #[arg(long, value_name = "HZ", requires = "monitor")]
    monitor_rate: Option<u32>,
    /// The monitor's clock: `shared` when it is the input's (the same interface, or word clock:
    /// played sample for sample), `follow` when it is its own (the monitor follows the input's
    /// pace by trimming its conversion ratio, at most ±1000 ppm), `auto` to follow unless the
    /// two share a clock (the same device, one JACK server, or one ALSA card by two names).
    #[arg(
        long,
        value_name = "CLOCK",
        default_value = "auto",
        requires = "monitor"
    )]
    monitor_clock: MonitorClock,
}

impl InputArgs {
    /// Options for a session; without `--device` or `--demo`, the default input (a recording
    /// never falls back to the demo: it would record the wrong thing; a meter may).
    fn options(&self, record: bool) -> LiveOptions {
        LiveOptions {
            input: match (&self.device, self.demo) {
                (Some(name), _) => Input::Device(name.clone()),
                (None, true) => Input::Demo,
                (None, false) if record => Input::Default,
                (None, false) => Input::DefaultOrDemo,
            },
            channels: self.channels,
            rate_hz: self.rate,
            buffer_frames: self.buffer,
            monitor: self.monitor.clone(),
            monitor_rate_hz: self.monitor_rate,
            monitor_clock: self.monitor_clock,
            record,
            looping: true,
        }
    }
}

#[derive(Debug, Args)]
pub struct DeskArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    store: super::studio::StoreArgs,
    /// Folder for recorded takes (default: takes/ in the user's data folder).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Session name, the first part of every take's file names.
    #[arg(long, default_value = "session")]
    session: String,
    /// Timecode rate in takes' iXML: 23.976, 24, 25, 29.97, 29.97df or 30.
    #[arg(long, default_value = "25", value_name = "FPS")]
    timecode_rate: TimecodeRate,
}

/// Open the desk window on the input (the demo session when no interface can be used).
#[cfg(feature = "desk")]
pub fn desk(args: DeskArgs) -> anyhow::Result<ExitCode> {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
    if !display {
        // No screen (a server, an SSH session): the meters in the terminal instead.
        eprintln!(
            "studiodesk: no display to open the window on (DISPLAY is not set); showing the meter bridge here instead"
        );
        return meter(MeterArgs {
            input: args.input,
            duration: None,
            json: false,
        });
    }
    let (db, tz) = args.store.desk_location()?;
    let takes_dir = args.out.clone().unwrap_or_else(|| {
        crate::studio::Store::default_path()
            .parent()
            .map_or_else(|| PathBuf::from("takes"), |d| d.join("takes"))
    });
    crate::ui::run(crate::ui::DeskOptions {
        live: args.input.options(false),
        db,
        tz,
        takes_dir,
        exports_dir: dirs::document_dir()
            .or_else(dirs::home_dir)
            .unwrap_or_else(|| PathBuf::from(".")),
        session: args.session.clone(),
        timecode: args.timecode_rate,
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Without the `desk` feature there is no window to open.
#[cfg(not(feature = "desk"))]
pub fn desk(args: DeskArgs) -> anyhow::Result<ExitCode> {
    let _ = (args.input, args.store, args.out, args.session);
    anyhow::bail!(
        "this build has no desk window: build with `cargo build --release --features desk`"
    )
}

#[derive(Debug, Args)]
pub struct MeterArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// One JSON object per line, ten times a second.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Sample format of the files.
    #[arg(long, value_enum, default_value = "f32")]
    format: RecordFormat,
    /// Length of the take, in seconds.
    #[arg(long, value_name = "SECONDS")]
    duration: f64,
    /// Folder for the files (made if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Session name, the start of every file name.
    #[arg(long, default_value = "session")]
    session: String,
    /// Take number (default: the first not yet used in DIR for this session).
    #[arg(long)]
    take: Option<u32>,
    /// Project, written into every file's iXML (PROJECT) and bext description.
    #[arg(long, default_value = "")]
    project: String,
    /// Song, written into every file's iXML (SCENE) and bext description.
    #[arg(long, default_value = "")]
    song: String,
    /// A note for the take's iXML (NOTE).
    #[arg(long, default_value = "")]
    note: String,
    /// Timecode rate in the files' iXML: 23.976, 24, 25, 29.97, 29.97df or 30.
    #[arg(long, default_value = "25", value_name = "FPS")]
    timecode_rate: TimecodeRate,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RepairArgs {
    /// WAV files cut short by a crash.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// The signals that stop a take cleanly: Ctrl-C, `timeout`/systemd's SIGTERM, and SIGHUP from a
/// dropped SSH session.
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Which stop signal arrived, if any.
struct Stop {
    signal: Arc<AtomicUsize>,
}

impl Stop {
    /// Catch the stop signals: the first one sets the flag (the take is finalised and reported);
    /// a second one ends the process at once, as the user then insists.
    fn catch() -> anyhow::Result<Stop> {
        let signal = Arc::new(AtomicUsize::new(0));
        let caught = Arc::new(AtomicBool::new(false));
        for sig in STOP_SIGNALS {
            // Order matters: the default action runs only if a signal was caught before.
            signal_hook::flag::register_conditional_default(sig, Arc::clone(&caught))
                .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&caught)))
                .and_then(|_| {
                    signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)
                })
                .context("cannot catch the stop signals")?;
        }
        Ok(Stop { signal })
    }

    /// The signal's number, once one arrived.
    fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::Acquire) {
            0 => None,
            sig => Some(sig as i32),
        }
    }

    /// The shell's exit code for a command stopped by `sig`: 128 + its number.
    fn exit_code(sig: i32) -> ExitCode {
        ExitCode::from(128u8.saturating_add(sig as u8))
    }

    fn name(sig: i32) -> &'static str {
        match sig {
            signal_hook::consts::SIGINT => "Ctrl-C (SIGINT)",
            signal_hook::consts::SIGTERM => "SIGTERM",
            signal_hook::consts::SIGHUP => "SIGHUP",
            _ => "a signal",
        }
    }
}

fn start(options: &LiveOptions) -> anyhow::Result<Live> {
    let live = Live::start(options)?;
    if let Some(reason) = &live.fallback_reason {
        eprintln!(
            "studiodesk: no usable audio input ({reason}); playing the built-in demo session"
        );
    }
    Ok(live)
}

#[derive(Serialize)]
struct TrackLine<'a> {
    name: &'a str,
    peak_dbfs: Option<f64>,
    rms_dbfs: Option<f64>,
    true_peak_dbtp: Option<f64>,
    momentary_lufs: Option<f64>,
    short_term_lufs: Option<f64>,
    clips: u64,
}

#[derive(Serialize)]
struct MasterLine {
    momentary_lufs: Option<f64>,
    short_term_lufs: Option<f64>,
    integrated_lufs: Option<f64>,
    loudness_range_lu: f64,
    true_peak_dbtp: Option<f64>,
    correlation: f64,
}

#[derive(Serialize)]
struct MeterLine<'a> {
    t: f64,
    tracks: Vec<TrackLine<'a>>,
    master: MasterLine,
    xruns: u64,
    dropped_frames: u64,
    dropped_snapshots: u64,
    monitor_underruns: u64,
    /// When the monitor follows the input's clock: its drift correction, in ppm.
    #[serde(skip_serializing_if = "Option::is_none")]
    monitor_correction_ppm: Option<f64>,
}

fn meter_line<'a>(names: &'a [String], s: &MeterSnapshot, c: &CounterValues) -> MeterLine<'a> {
    MeterLine {
        t: s.t_s,
        tracks: names
            .iter()
            .zip(&s.tracks)
            .map(|(name, t)| TrackLine {
                name,
                peak_dbfs: finite(t.peak_dbfs),
                rms_dbfs: finite(t.rms_dbfs),
                true_peak_dbtp: finite(t.true_peak_dbtp),
                momentary_lufs: finite(t.momentary_lufs),
                short_term_lufs: finite(t.short_term_lufs),
                clips: t.clips,
            })
            .collect(),
        master: MasterLine {
            momentary_lufs: finite(s.master.momentary_lufs),
            short_term_lufs: finite(s.master.short_term_lufs),
            integrated_lufs: finite(s.master.integrated_lufs),
            loudness_range_lu: s.master.loudness_range_lu,
            true_peak_dbtp: finite(s.master.true_peak_dbtp),
            correlation: s.master.correlation,
        },
        xruns: c.xruns,
        dropped_frames: c.dropped_frames,
        dropped_snapshots: c.dropped_snapshots,
        monitor_underruns: c.monitor_underruns,
        monitor_correction_ppm: c.monitor_correction_ppb.map(|ppb| ppb as f64 / 1e3),
    }
}

/// The bridge's scale, in dBFS.
const FLOOR_DB: f64 = -60.0;
const BAR_WIDTH: usize = 40;

fn bar(peak_db: f64, rms_db: f64, hold_db: f64) -> String {
    let cell = |db: f64| {
        (((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0) * BAR_WIDTH as f64).round() as usize
    };
    let (peak, rms, hold) = (
        cell(peak_db),
        cell(rms_db),
        cell(hold_db).min(BAR_WIDTH.saturating_sub(1)),
    );
    (0..BAR_WIDTH)
        .map(|i| {
            if i < rms {
                '█'
            } else if i < peak {
                '▓'
            } else if i == hold && hold_db > FLOOR_DB {
                '│'
            } else {
                '·'
            }
        })
        .collect()
}

fn draw_bridge(
    out: &mut impl Write,
    names: &[String],
    s: &MeterSnapshot,
    c: &CounterValues,
    holds: &mut [PeakHold],
    redraw: bool,
) -> std::io::Result<()> {
    let now = Instant::now();
    if redraw {
        // Back to the top of the previous drawing.
        write!(out, "\x1b[{}F", names.len() + 3)?;
    }
    writeln!(
        out,
        "\x1b[2K{:<12} {:<w$}  {:>6} {:>6} {:>6} {:>6}",
        "track",
        "-60 dBFS … 0",
        "peak",
        "RMS",
        "M",
        "clips",
        w = BAR_WIDTH
    )?;
    for ((name, t), hold) in names.iter().zip(&s.tracks).zip(holds.iter_mut()) {
        let held = hold.update(t.peak_dbfs, now);
        writeln!(
            out,
            "\x1b[2K{:<12} {}  {:>6} {:>6} {:>6} {:>6}",
            name.chars().take(12).collect::<String>(),
            bar(t.peak_dbfs, t.rms_dbfs, held),
            level(t.peak_dbfs),
            level(t.rms_dbfs),
            level(t.momentary_lufs),
            t.clips
        )?;
    }
    let m = &s.master;
    writeln!(
        out,
        "\x1b[2Kmaster  M {:>6}  S {:>6}  I {:>6} LUFS  LRA {:>4.1} LU  TP {:>6} dBTP  corr {:+.2}",
        level(m.momentary_lufs),
        level(m.short_term_lufs),
        level(m.integrated_lufs),
        m.loudness_range_lu,
        level(m.true_peak_dbtp),
        m.correlation
    )?;
    writeln!(
        out,
        "\x1b[2K{:>7.1} s   xruns {}   dropped frames {}   dropped snapshots {}",
        s.t_s, c.xruns, c.dropped_frames, c.dropped_snapshots
    )?;
    out.flush()
}

pub fn meter(args: MeterArgs) -> anyhow::Result<ExitCode> {
    let stop = Stop::catch()?;
    let mut live = start(&args.input.options(false))?;
    let names = live.track_names.clone();
    let terminal = std::io::stdout().is_terminal() && !args.json;
    if !args.json {
        eprintln!(
            "metering {} ({} ch, {} Hz); Ctrl-C stops",
            live.description, live.channels, live.rate_hz
        );
    }
    let mut out = std::io::stdout().lock();
    let mut holds: Vec<PeakHold> = names
        .iter()
        .map(|_| PeakHold::new(Instant::now()))
        .collect();
    let started = Instant::now();
    let mut next_print = started + PRINT_EVERY;
    let mut drawn = false;
    loop {
        let done = stop.signal().is_some()
            || live.has_ended()
            || args
                .duration
                .is_some_and(|d| started.elapsed().as_secs_f64() >= d);
        let snapshot = live.handle.latest().clone();
        if Instant::now() >= next_print || done {
            next_print += PRINT_EVERY;
            let counters = live.handle.counters();
            if args.json {
                write_json(&meter_line(&names, &snapshot, &counters), false)?;
            } else if terminal || done {
                draw_bridge(
                    &mut out,
                    &names,
                    &snapshot,
                    &counters,
                    &mut holds,
                    drawn && terminal,
                )
                .map_err(OutputError)?;
                drawn = true;
            }
        }
        if done {
            break;
        }
        std::thread::sleep(POLL_EVERY);
    }
    let lost = live.device_lost();
    live.stop();
    if lost {
        anyhow::bail!("the input device went away; metering stopped");
    }
    // Without --duration a signal is how metering ends; with one, it ended early.
    Ok(match stop.signal() {
        Some(sig) if args.duration.is_some() => {
            eprintln!(
                "studiodesk: stopped early by {} after {:.1} s",
                Stop::name(sig),
                started.elapsed().as_secs_f64()
            );
            Stop::exit_code(sig)
        }
        _ => ExitCode::SUCCESS,
    })
}

#[derive(Serialize)]
struct RecordReport<'a> {
    files: &'a [RecordedFile],
    /// Frames every track holds.
    frames: u64,
    dropped_frames: u64,
    xruns: u64,
    /// Why the take ended before its duration (`null` when it did not).
    stopped_early: Option<&'a str>,
}

/// How long the monitor goes on after a take, so that it plays the take's last blocks.
const MONITOR_TAIL: Duration = Duration::from_millis(50);

/// Longest take `record` accepts, in seconds (a day).
const MAX_TAKE_S: f64 = 86_400.0;

/// Exit code of a take whose writer failed (a full disk): the files hold what reached the disk.
pub const EXIT_WRITE_FAILED: u8 = 3;
/// Exit code of a take whose input went away: the files hold what was recorded until then.
pub const EXIT_INPUT_LOST: u8 = 4;
/// Exit code of a complete take that dropped frames (the ring overflowed).
pub const EXIT_DROPPED: u8 = 2;

pub fn record(args: RecordArgs) -> anyhow::Result<ExitCode> {
    // Within a day: a longer take is a mistake, and a day's frames count safely in u64.
    if !(args.duration > 0.0 && args.duration <= MAX_TAKE_S) {
        anyhow::bail!("--duration must be a number of seconds from 0 to {MAX_TAKE_S} (a day)");
    }
    check_folder(&args.out)?;
    let stop = Stop::catch()?;
    let options = args.input.options(true);
    let take = args
        .take
        .unwrap_or_else(|| crate::engine::recorder::next_free_take(&args.out, &args.session));
    let mut live = start(&options)?;
    let frames = (args.duration * live.rate_hz as f64).round() as u64;
    if frames == 0 {
        anyhow::bail!("--duration {} s is shorter than one frame", args.duration);
    }
    let spec = TakeSpec {
        dir: args.out.clone(),
        session: args.session.clone(),
        take,
        tracks: live
            .track_names
            .iter()
            .enumerate()
            .map(|(c, name)| TakeTrack {
                name: name.clone(),
                input: TrackInput::Mono(c),
            })
            .collect(),
        sample_rate_hz: live.rate_hz,
        input_channels: live.channels,
        format: args.format,
        max_file_bytes: MAX_FILE_BYTES,
        meta: TakeMeta {
            tags: TakeTags {
                project: args.project.clone(),
                song: args.song.clone(),
                note: args.note.clone(),
                ..TakeTags::default()
            },
            timecode: args.timecode_rate,
            started: None,
        },
    };
    let mut recording = Take::start(&mut live, spec, Some(frames))?;
    if !args.json {
        eprintln!(
            "recording {} ({} ch, {} Hz) for {} s into {}",
            live.description,
            live.channels,
            live.rate_hz,
            args.duration,
            args.out.display()
        );
    }
    // Until the take has ended by itself (its length, a lost input, a full disk) or a signal
    // stops it.
    let mut warned_monitor = false;
    while !recording.poll(Some(&live)) {
        if let Some(sig) = stop.signal() {
            recording.stop(Some(&live), Stop::name(sig));
            break;
        }
        if live.monitor_lost() && !warned_monitor {
            warned_monitor = true;
            eprintln!("studiodesk: the monitor output failed; recording goes on without it");
        }
        std::thread::sleep(POLL_EVERY);
    }
    let finished = recording.finish(Some(&mut live), "the end of the command")?;
    // The monitor plays the take's last blocks before the streams stop.
    std::thread::sleep(MONITOR_TAIL);
    let values = live.handle.counters();
    let rate = live.rate_hz as f64;
    live.stop();
    let report = &finished.report;
    let early = finished.ending.early_reason();
    let code = match (&finished.ending, stop.signal()) {
        (Ending::WriteFailed(_), _) => ExitCode::from(EXIT_WRITE_FAILED),
        (Ending::InputLost(_), _) => ExitCode::from(EXIT_INPUT_LOST),
        (Ending::Stopped(_), Some(sig)) => Stop::exit_code(sig),
        _ if values.dropped_frames > 0 => ExitCode::from(EXIT_DROPPED),
        _ => ExitCode::SUCCESS,
    };
    let summary = format!(
        "{} frames per track ({:.3} s of {} s), {} dropped, {} xruns",
        report.frames,
        report.frames as f64 / rate,
        args.duration,
        values.dropped_frames,
        values.xruns
    );
    // The summary reaches the terminal even when the report goes to a closed pipe.
    if let Some(reason) = &early {
        eprintln!(
            "studiodesk: take {take} stopped early: {reason}; {summary}; every file is closed on what reached the disk"
        );
    }
    if args.json {
        write_json(
            &RecordReport {
                files: &report.files,
                frames: report.frames,
                dropped_frames: values.dropped_frames,
                xruns: values.xruns,
                stopped_early: early.as_deref(),
            },
            true,
        )?;
    } else {
        for file in &report.files {
            outln!("{}  {} frames", file.path.display(), file.frames);
        }
        outln!("{summary}");
    }
    Ok(code)
}

pub fn devices(args: DevicesArgs) -> anyhow::Result<ExitCode> {
    let list = list_devices();
    if args.json {
        write_json(&list, true)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        outln!("no audio devices (studiodesk meter --demo plays the built-in demo session)");
    }
    for d in &list {
        outln!("{} [{}] {}", d.id, d.host, d.name);
        for (direction, ranges) in [("in ", &d.inputs), ("out", &d.outputs)] {
            if let Some(summary) = summarise(ranges) {
                outln!("    {direction} {summary}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line for a device direction: channel counts, rates and formats it offers (devices list a
/// configuration per channel count and format; people want the span).
fn summarise(ranges: &[crate::engine::audio::ConfigRange]) -> Option<String> {
    let min_ch = ranges.iter().map(|r| r.channels).min()?;
    let max_ch = ranges.iter().map(|r| r.channels).max()?;
    let min_rate = ranges.iter().map(|r| r.min_rate_hz).min()?;
    let max_rate = ranges.iter().map(|r| r.max_rate_hz).max()?;
    let mut formats: Vec<&str> = ranges.iter().map(|r| r.sample_format.as_str()).collect();
    formats.dedup();
    let channels = if min_ch == max_ch {
        format!("{min_ch} ch")
    } else {
        format!("{min_ch}–{max_ch} ch")
    };
    Some(format!(
        "{channels}, {min_rate}–{max_rate} Hz, {}",
        formats.join(" ")
    ))
}

/// Repair every file named, whatever happens to the report: a reader that goes away (`| head -1`)
/// does not stop the repairs.
pub fn repair_files(args: RepairArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut output: Result<(), OutputError> = Ok(());
    for file in &args.files {
        let line = match repair(file) {
            Ok((repaired, filled)) => {
                let filled = match filled {
                    Ok(true) => "; loudness written into its bext chunk".to_string(),
                    Ok(false) => String::new(),
                    Err(e) => format!("; its loudness was not measured ({e})"),
                };
                match repaired {
                    Repair::Healthy { frames } => format!(
                        "{}: nothing to repair ({frames} frames){filled}",
                        file.display()
                    ),
                    Repair::Repaired {
                        frames,
                        frames_before,
                        partial_bytes,
                    } => format!(
                        "{}: repaired: {frames} frames readable (header said {frames_before}){}{filled}",
                        file.display(),
                        if partial_bytes > 0 {
                            format!(", {partial_bytes} bytes of a cut frame left out")
                        } else {
                            String::new()
                        }
                    ),
                }
            }
            Err(e) => {
                failed = true;
                eprintln!(
                    "studiodesk: {}",
                    sanitize(&format!("{}: {e}", file.display()))
                );
                continue;
            }
        };
        if output.is_ok() {
            output = write_out(format_args!("{line}"), true);
        }
    }
    output?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
