//! The command-line front end: parse, call a floor below, print text or `--json`.

#[macro_use]
pub mod output;
mod analyze;
mod booking;
mod facility;
mod kinds;
mod live;
mod log;
mod money;
mod soundcheck;
mod studio;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// studiodesk: loudness metering, recording and the production desk for studios.
#[derive(Debug, Parser)]
#[command(name = "studiodesk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the desk window: live meters, mixer and recorder, bookings, hires, sound check, budget
    /// and session log (the meter bridge in the terminal when there is no display).
    Desk(live::DeskArgs),
    /// Measure WAV files to EBU R128 / ITU-R BS.1770-4: loudness, range, peaks.
    Analyze(analyze::AnalyzeArgs),
    /// Live meter bridge of an input (or the demo session) in the terminal, or JSON lines.
    Meter(live::MeterArgs),
    /// Record every input channel to its own WAV file.
    Record(live::RecordArgs),
    /// List audio devices with their channels, rates and sample formats.
    Devices(live::DevicesArgs),
    /// Fix the header of WAV files cut short by a crash, so every whole frame reads again.
    Repair(live::RepairArgs),
    /// Check every input against a profile (tracking, broadcast, streaming, atsc): verdicts and
    /// advice per channel, kept with the booking; `list`, `show`, `export`, `profile`.
    Soundcheck(soundcheck::SoundcheckArgs),
    /// Rooms and their rate cards.
    Room {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: studio::RoomCommand,
    },
    /// Clients, artists, engineers, producers and musicians.
    Person {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: studio::PersonCommand,
    },
    /// Projects (an artist's record, with its producer).
    Project {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: studio::ProjectCommand,
    },
    /// Bookings: holds, firming, challenges, cancellations, iCalendar export.
    Booking {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: booking::BookingCommand,
    },
    /// Musicians hired onto bookings and their fees.
    Hire {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: studio::HireCommand,
    },
    /// The agreements' rate tables.
    Rates {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: money::RatesCommand,
    },
    /// Booking policies: cancellation charges, hold expiry, challenge deadline.
    Policy {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: money::PolicyCommand,
    },
    /// The facility: its settings (time zone, name, address), its logins and their roles, and
    /// importing a room's studio file into its database.
    Facility {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: facility::FacilityCommand,
    },
    /// Money received from clients: deposits and payments.
    Payment {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: money::PaymentCommand,
    },
    /// Issue a project's next invoice (or quote) as PDF and JSON.
    Invoice {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(flatten)]
        args: money::InvoiceArgs,
    },
    /// A session's union paperwork: the AFM B-4-style report and the MU/BPI session details.
    Union {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(flatten)]
        args: money::UnionArgs,
    },
    /// Production budget: plan, expenses, report.
    Budget {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: money::BudgetCommand,
    },
    /// The session log: takes, notes, markers, input list, take sheet.
    Log {
        #[command(flatten)]
        store: studio::StoreArgs,
        #[command(subcommand)]
        command: log::LogCommand,
    },
}

/// Run the command line; the exit code says whether everything asked for succeeded.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Desk(args) => live::desk(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Meter(args) => live::meter(args),
        Command::Record(args) => live::record(args),
        Command::Devices(args) => live::devices(args),
        Command::Repair(args) => live::repair_files(args),
        Command::Soundcheck(args) => soundcheck::run_command(args),
        Command::Room { store, command } => studio::room(&store, command),
        Command::Person { store, command } => studio::person(&store, command),
        Command::Project { store, command } => studio::project(&store, command),
        Command::Booking { store, command } => booking::booking(&store, command),
        Command::Hire { store, command } => studio::hire(&store, command),
        Command::Rates { store, command } => money::rates(&store, command),
        Command::Policy { store, command } => money::policy(&store, command),
        Command::Budget { store, command } => money::budget(&store, command),
        Command::Facility { store, command } => facility::facility(&store, command),
        Command::Payment { store, command } => money::payment(&store, command),
        Command::Invoice { store, args } => money::invoice(&store, args),
        Command::Union { store, args } => money::union_report(&store, args),
        Command::Log { store, command } => log::log(&store, command),
    }
}

/// `null` in JSON for −∞ (silence) and NaN.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A level for people: one decimal, or "-inf" for silence.
pub(crate) fn level(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "-inf".to_string()
    }
}
