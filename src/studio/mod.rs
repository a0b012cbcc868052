//! The production domain: rooms and their rate cards, people, projects, bookings with holds,
//! musician hires and their fees, budgets, and the session log.
//!
//! Two stores behind one SQL surface ([`db`]): a SQLite file for one room (WAL mode, foreign keys
//! on, a busy timeout so that the desk and a CLI can share it) and a PostgreSQL database for a
//! facility whose desks share one calendar. The schema is versioned the same way on both and
//! migrated forward on open. Every command runs in one transaction: it validates, writes, and
//! either commits whole or changes nothing. Money is integer minor units with a currency code;
//! instants are UTC seconds.

pub mod access;
pub mod app;
pub mod audit;
pub mod bookings;
pub mod budget;
pub mod crew;
pub mod db;
pub mod entities;
pub mod escape;
pub mod facility;
pub mod fees;
mod file;
pub mod fx;
pub mod hires;
pub mod ics;
pub mod import;
pub mod invoice;
pub mod log;
pub mod names;
pub mod paper;
pub mod payments;
pub mod pricing;
mod server;
pub mod soundchecks;
mod store;
pub mod union;
pub mod units;

use std::path::PathBuf;
use std::time::Duration;

pub use db::{DbError, Tx};
pub use file::APPLICATION_ID;
pub use server::Watch;
pub use store::{Location, Store};
pub use units::{Minor, ParseError};

/// The schema version this build writes (the same on both stores).
pub const SCHEMA_VERSION: i64 = file::MIGRATIONS.len() as i64;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a studio command failed. Nothing was written when it did.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Overflow(#[from] units::Overflow),
    #[error("no {what} '{key}'")]
    NotFound { what: &'static str, key: String },
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(
        "the database {path} is from a newer studiodesk (schema {found}, this one knows {known})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// The engine's own message, on one line.
    #[error("database: {0}")]
    Database(DbError),
    #[error("the studio database at {place} cannot be reached ({message})")]
    Offline { place: String, message: String },
    /// The server refused the login this change: `who` ("an engineer") may not `action`.
    #[error("refused: {who} may not {action} (that needs {needed})")]
    Refused {
        who: String,
        action: String,
        needed: String,
    },
    #[error(
        "the database {path} is busy: another studiodesk kept it locked for {} s; try again",
        BUSY_TIMEOUT.as_secs()
    )]
    Busy { path: PathBuf },
    #[error("cannot create the folder for the database {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a studiodesk database ({reason}); nothing in it was changed")]
    NotOurs { path: PathBuf, reason: String },
    #[error(
        "no studio database at {path} (check --db or STUDIODESK_DB; a change such as `studiodesk room add` creates one)"
    )]
    NoDatabase { path: PathBuf },
    #[error("the database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("the database {path} could not be brought to schema {version}: {message}")]
    Migrate {
        path: PathBuf,
        version: i64,
        message: String,
    },
}

impl From<DbError> for StudioError {
    fn from(e: DbError) -> Self {
        StudioError::Database(e)
    }
}

/// Shorthand for an `Invalid` error.
pub(crate) fn invalid<T>(
    field: &'static str,
    problem: impl Into<String>,
) -> Result<T, StudioError> {
    Err(StudioError::Invalid {
        field,
        problem: problem.into(),
    })
}

/// A rate no higher than [`units::RATE_MAX`].
pub(crate) fn check_rate(field: &'static str, rate: Minor) -> Result<(), StudioError> {
    if rate > units::RATE_MAX {
        return invalid(
            field,
            format!(
                "{rate} is above the highest rate accepted ({})",
                units::RATE_MAX
            ),
        );
    }
    Ok(())
}

/// Why a database holding `tables` (none of them ours) is refused: the first five named.
pub(crate) fn other_tables(tables: &[String]) -> String {
    let mut named = tables
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if tables.len() > 5 {
        named.push_str(", …");
    }
    format!("it holds other tables: {named}")
}

/// Shorthand for a `NotFound` error.
pub(crate) fn not_found(what: &'static str, key: impl ToString) -> StudioError {
    StudioError::NotFound {
        what,
        key: key.to_string(),
    }
}
