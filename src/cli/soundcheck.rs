//! `studiodesk soundcheck`: check every input (live, the demo, or files) against a profile, print
//! verdicts with advice, keep the result with the booking, export a report for the client.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::engine::files::FileStream;
use crate::engine::live::{DEFAULT_RATE_HZ, Input, Live, LiveOptions};
use crate::soundcheck::{Checker, Profile, Report, Verdict};
use crate::studio::soundchecks;
use crate::studio::units::{format_local, now};

use super::studio::StoreArgs;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SoundcheckArgs {
    #[command(subcommand)]
    command: Option<SoundcheckCommand>,
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Input device (id or name, see `studiodesk devices`).
    #[arg(long, conflicts_with_all = ["demo", "files"])]
    device: Option<String>,
    /// Check the built-in demo session.
    #[arg(long, conflicts_with = "files")]
    demo: bool,
    /// Check WAV files (every channel of every file).
    #[arg(long, num_args = 1..)]
    files: Vec<PathBuf>,
    /// Input channels to open (device default 2).
    #[arg(long)]
    channels: Option<usize>,
    /// Channel names, comma separated: "Kick In,Kick Out,Snare".
    #[arg(long)]
    names: Option<String>,
    /// Profile: tracking, broadcast, streaming, atsc (or one you changed).
    #[arg(long, default_value = "tracking")]
    profile: String,
    /// Seconds of live input to check.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Session sample rate, in Hz.
    #[arg(long, default_value_t = DEFAULT_RATE_HZ)]
    rate: u32,
    /// Keep the result with this booking.
    #[arg(long)]
    booking: Option<i64>,
    /// Do not keep the result.
    #[arg(long)]
    no_save: bool,
}

#[derive(Debug, Subcommand)]
enum SoundcheckCommand {
    /// Kept check runs, newest first.
    List {
        #[arg(long)]
        booking: Option<i64>,
    },
    /// One kept check run.
    Show { id: i64 },
    /// A kept check run as a report for the client: Markdown (default), HTML, or JSON (--json).
    Export {
        id: i64,
        #[arg(long, conflicts_with = "html")]
        md: bool,
        #[arg(long)]
        html: bool,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Profiles and their thresholds.
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// The profiles with their thresholds and sources.
    List,
    /// Change a threshold: peak_low_dbfs, peak_high_dbfs, loudness_lufs, tolerance_lu,
    /// max_true_peak_dbtp, max_noise_floor_dbfs, min_hum_margin_db, max_dc_offset.
    Set {
        name: String,
        field: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}

fn profiles(store: &mut crate::studio::Store) -> anyhow::Result<Vec<Profile>> {
    Ok(store.read(|tx, _| crate::soundcheck::profile::stored(tx))?)
}

fn profile(store: &mut crate::studio::Store, name: &str) -> anyhow::Result<Profile> {
    profiles(store)?
        .into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            anyhow::anyhow!("profile: no profile '{name}' (tracking, broadcast, streaming, atsc)")
        })
}

/// Frames handed to the checker at a time.
const BLOCK_FRAMES: usize = 8192;

/// `names` with the user's names (comma separated) in place of the first ones.
fn renamed(mut names: Vec<String>, given: Option<&str>) -> Vec<String> {
    if let Some(given) = given {
        for (slot, name) in names.iter_mut().zip(given.split(',')) {
            *slot = name.trim().to_string();
        }
    }
    names
}

/// Check the input the arguments name (files streamed block by block, or a live capture);
/// returns the report and where the input came from.
fn check_input(args: &RunArgs, profile: &Profile) -> anyhow::Result<(Report, String)> {
    if !args.files.is_empty() {
        let mut stream = FileStream::open(&args.files, args.rate)?;
        let names = renamed(stream.names().to_vec(), args.names.as_deref());
        let rates = stream.source_rates().iter().map(|r| Some(*r)).collect();
        let mut checker = Checker::new(names, rates, args.rate, profile);
        while let Some(block) = stream.next_block(BLOCK_FRAMES)? {
            let slices: Vec<&[f32]> = block.iter().map(Vec::as_slice).collect();
            checker.push(&slices);
        }
        let source = args
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Ok((checker.finish(), source));
    }
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        anyhow::bail!("--seconds must be between 0 and 600");
    }
    let options = LiveOptions {
        input: match (&args.device, args.demo) {
            (Some(name), _) => Input::Device(name.clone()),
            (None, true) => Input::Demo,
            (None, false) => Input::Default,
        },
        channels: args.channels,
        rate_hz: args.rate,
        record: true,
        looping: true,
        ..LiveOptions::default()
    };
    let mut live = Live::start(&options)?;
    let frames = (args.seconds * live.rate_hz as f64).round() as u64;
    eprintln!(
        "listening to {} ({} ch) for {} s",
        live.description, live.channels, args.seconds
    );
    let interleaved = live.capture(frames)?;
    let names = renamed(live.track_names.clone(), args.names.as_deref());
    let source = live.description.clone();
    let rate = live.rate_hz;
    let channels = live.channels;
    live.stop();
    let mut checker = Checker::new(names, vec![None; channels], rate, profile);
    checker.push_interleaved(&interleaved);
    Ok((checker.finish(), source))
}

fn print_report(report: &Report) -> anyhow::Result<()> {
    outln!(
        "profile {} — {} channel(s), {:.1} s: {}",
        report.profile,
        report.channels.len(),
        report.seconds,
        report.verdict.as_str().to_uppercase()
    );
    for c in &report.channels {
        outln!(
            "  ch {:>2} {:<16} {}",
            c.channel,
            c.name,
            c.verdict.as_str().to_uppercase()
        );
        for check in c
            .checks
            .iter()
            .filter(|k| k.verdict != Verdict::Pass || !k.advice.is_empty())
        {
            outln!(
                "         {:<12} {:<4} {}",
                check.check,
                check.verdict.as_str(),
                if check.advice.is_empty() {
                    &check.threshold
                } else {
                    &check.advice
                }
            );
        }
    }
    for check in &report.programme {
        outln!(
            "  programme {:<10} {:<4} {}",
            check.check,
            check.verdict.as_str(),
            if check.advice.is_empty() {
                format!(
                    "{:.1} ({})",
                    check.value.unwrap_or(f64::NAN),
                    check.threshold
                )
            } else {
                check.advice.clone()
            }
        );
    }
    Ok(())
}

pub fn run_command(args: SoundcheckArgs) -> anyhow::Result<ExitCode> {
    let read = matches!(
        args.command,
        Some(
            SoundcheckCommand::List { .. }
                | SoundcheckCommand::Show { .. }
                | SoundcheckCommand::Export { .. }
                | SoundcheckCommand::Profile {
                    command: ProfileCommand::List
                }
        )
    );
    let mut store = args.store.open_for(read)?;
    match args.command {
        None => {
            let profile = profile(&mut store, &args.run.profile)?;
            let (report, source) = check_input(&args.run, &profile)?;
            let json = serde_json::to_string(&report)?;
            let id = if args.run.no_save {
                None
            } else {
                let (booking, verdict) = (args.run.booking, report.verdict.as_str());
                Some(store.write(|tx, _| {
                    soundchecks::save(tx, booking, now(), &profile.name, &source, verdict, &json)
                })?)
            };
            if args.store.json {
                let mut value: Value = serde_json::from_str(&json)?;
                value["id"] = id.map_or(Value::Null, Value::from);
                print_json(&value)?;
            } else {
                print_report(&report)?;
                if let Some(id) = id {
                    outln!("kept as sound check #{id} (studiodesk soundcheck export {id} --md)");
                }
            }
            Ok(match report.verdict {
                Verdict::Fail => ExitCode::from(2),
                _ => ExitCode::SUCCESS,
            })
        }
        Some(SoundcheckCommand::List { booking }) => {
            let list = store.read(|tx, _| soundchecks::list(tx, booking))?;
            let tz = store.tz().clone();
            if args.store.json {
                let rows: Vec<Value> = list
                    .iter()
                    .map(|c| {
                        serde_json::json!({"id": c.id, "booking_id": c.booking_id, "created_utc": c.created_utc,
                            "profile": c.profile, "source": c.source, "verdict": c.verdict})
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                for c in list {
                    let booking = c
                        .booking_id
                        .map(|b| format!(" booking #{b}"))
                        .unwrap_or_default();
                    outln!(
                        "#{} {} {} {}{} — {}",
                        c.id,
                        format_local(c.created_utc, &tz),
                        c.profile,
                        c.verdict.to_uppercase(),
                        booking,
                        c.source
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(SoundcheckCommand::Show { id }) => {
            let stored = store.read(|tx, _| soundchecks::get(tx, id))?;
            let report: Value = serde_json::from_str(&stored.report)?;
            if args.store.json {
                print_json(&report)?;
            } else {
                out!(
                    "{}",
                    crate::soundcheck::report::markdown(&stored, &report, store.tz())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(SoundcheckCommand::Export {
            id,
            md: _,
            html,
            out,
            force,
        }) => {
            let stored = store.read(|tx, _| soundchecks::get(tx, id))?;
            let report: Value = serde_json::from_str(&stored.report)?;
            let text = if args.store.json {
                serde_json::to_string_pretty(&report)? + "\n"
            } else if html {
                crate::soundcheck::report::html(&stored, &report, store.tz())
            } else {
                crate::soundcheck::report::markdown(&stored, &report, store.tz())
            };
            match out {
                Some(path) => {
                    super::studio::export(&path, &text, force)?;
                    outln!("sound check #{id} written to {}", path.display());
                }
                None => out!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(SoundcheckCommand::Profile { command }) => {
            match command {
                ProfileCommand::List => {
                    let all = profiles(&mut store)?;
                    if args.store.json {
                        print_json(&all)?;
                    } else {
                        for p in all {
                            outln!("{:<10} {}", p.name, p.description);
                            if let Some((low, high)) = p.peak_window_dbfs {
                                outln!("           peaks {low} to {high} dBFS");
                            }
                            if let Some((target, tolerance)) = p.loudness_lufs {
                                outln!("           loudness {target} LUFS ±{tolerance} LU");
                            }
                            outln!(
                                "           true peak ≤ {} dBTP, noise floor < {} dBFS, hum ≥ {} dB under, |DC| < {}",
                                p.max_true_peak_dbtp,
                                p.max_noise_floor_dbfs,
                                p.min_hum_margin_db,
                                p.max_dc_offset
                            );
                        }
                    }
                }
                ProfileCommand::Set { name, field, value } => {
                    let mut p = profile(&mut store, &name)?;
                    let value = p.set_field(&field, &value)?;
                    store.write(|tx, _| crate::soundcheck::profile::store(tx, &p))?;
                    outln!("{name}: {field} = {value}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    Ok(super::output::write_json(value, true)?)
}
