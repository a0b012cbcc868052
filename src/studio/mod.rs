//! The production domain on SQLite: rooms and their rate cards, people, projects, bookings with
//! holds, musician hires and their fees, budgets, and the session log.
//!
//! One file, WAL mode, foreign keys on, a busy timeout so that the desk and a CLI can share it;
//! the schema is versioned with `PRAGMA user_version` and migrated forward on open. Every command
//! runs in one `BEGIN IMMEDIATE` transaction: it validates, writes, and either commits whole or
//! changes nothing. Money is integer minor units with a currency code; instants are UTC seconds.

pub mod bookings;
pub mod budget;
pub mod entities;
pub mod fees;
pub mod hires;
pub mod ics;
pub mod log;
pub mod soundchecks;
pub mod units;

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use units::{Minor, ParseError};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a studio command failed. Nothing was written when it did.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error(transparent)]
    Parse(#[from] ParseError),
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
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("cannot create the folder for the database {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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

/// Shorthand for a `NotFound` error.
pub(crate) fn not_found(what: &'static str, key: impl ToString) -> StudioError {
    StudioError::NotFound {
        what,
        key: key.to_string(),
    }
}

/// The schema, one migration per version: `MIGRATIONS[i]` takes a database from version `i` to
/// `i + 1`. Never edit a shipped migration; add one.
const MIGRATIONS: &[&str] = &[include_str!("schema_v1.sql"), include_str!("schema_v2.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// An open studio database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    tz: TimeZone,
}

impl Store {
    /// Where the database lives unless `--db` or `STUDIODESK_DB` says otherwise.
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("studiodesk")
            .join("studio.db")
    }

    /// Open (creating if needed) and migrate the database at `path`; times are read and shown in
    /// `tz`.
    pub fn open(path: &Path, tz: TimeZone) -> Result<Store, StudioError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StudioError::Folder {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            tz,
        };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StudioError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), StudioError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StudioError::TooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version as i64 + 1)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The time zone times are read and shown in.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Run `f` in one immediate transaction, after releasing expired holds and unanswered
    /// challenges; commit if it succeeds, change nothing if it fails.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction, &TimeZone) -> Result<T, StudioError>,
    ) -> Result<T, StudioError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        bookings::sweep(&tx, units::now())?;
        let value = f(&tx, &self.tz)?;
        tx.commit()?;
        Ok(value)
    }

    /// Run `f` reading a consistent snapshot (expired holds are released first, in their own
    /// committed transaction, so what is read is what is true now).
    pub fn read<T>(
        &mut self,
        f: impl FnOnce(&Transaction, &TimeZone) -> Result<T, StudioError>,
    ) -> Result<T, StudioError> {
        self.write(f)
    }
}
