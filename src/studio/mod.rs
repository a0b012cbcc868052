//! The production domain on SQLite: rooms and their rate cards, people, projects, bookings with
//! holds, musician hires and their fees, budgets, and the session log.
//!
//! One file, WAL mode, foreign keys on, a busy timeout so that the desk and a CLI can share it;
//! the schema is versioned with `PRAGMA user_version` and migrated forward on open. Every command
//! runs in one `BEGIN IMMEDIATE` transaction: it validates, writes, and either commits whole or
//! changes nothing. Money is integer minor units with a currency code; instants are UTC seconds.

pub mod bookings;
pub mod budget;
pub mod crew;
pub mod entities;
pub mod escape;
pub mod facility;
pub mod fees;
pub mod fx;
pub mod hires;
pub mod ics;
pub mod invoice;
pub mod log;
pub mod paper;
pub mod payments;
pub mod pricing;
pub mod soundchecks;
pub mod union;
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
    /// SQLite's own message, on one line (its error chain repeats it).
    #[error("database: {}", first_line(.0))]
    Database(rusqlite::Error),
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

impl From<rusqlite::Error> for StudioError {
    fn from(e: rusqlite::Error) -> Self {
        StudioError::Database(e)
    }
}

/// A SQLite error in words that name the database at `path`: a lock held past the busy timeout
/// is [`StudioError::Busy`].
fn explain(path: &Path, e: rusqlite::Error) -> StudioError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StudioError::Busy {
                path: path.to_path_buf(),
            }
        }
        _ => StudioError::Database(e),
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

/// Shorthand for a `NotFound` error.
pub(crate) fn not_found(what: &'static str, key: impl ToString) -> StudioError {
    StudioError::NotFound {
        what,
        key: key.to_string(),
    }
}

/// The schema, one migration per version: `MIGRATIONS[i]` takes a database from version `i` to
/// `i + 1`. Never edit a shipped migration; add one.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of a studiodesk database: "SDSK". A file with another id, or another
/// application's tables, is refused before a byte of it is written.
pub const APPLICATION_ID: i32 = 0x5344_534b;

/// Tables every studiodesk schema has: how a database made before databases were marked with
/// [`APPLICATION_ID`] is recognised.
const OUR_TABLES: [&str; 4] = ["rooms", "people", "projects", "bookings"];

/// What a file at a database path turned out to be.
enum Found {
    /// Nothing there, or an empty file: a new database may be made.
    Empty,
    /// A studiodesk database at this schema version, with the read-only connection that looked.
    Ours(i64, Connection),
}

/// An open studio database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The zone times are read and shown in: the studio's, unless [`Store::view_in`] chose another.
    tz: TimeZone,
    /// Opened for a read command: nothing is ever written (see [`Store::read`]).
    read_only: bool,
}

/// One line of a SQLite error (its messages can carry the statement that failed).
fn first_line(e: &rusqlite::Error) -> String {
    let text = e.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

/// Look at the file at `path` through a read-only connection and say whether it is ours, before
/// anything opens it for writing.
fn inspect(path: &Path) -> Result<Found, StudioError> {
    let refuse = |reason: String| StudioError::NotOurs {
        path: path.to_path_buf(),
        reason,
    };
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == 0 => return Ok(Found::Empty),
        Ok(m) if !m.is_file() => return Err(refuse("not a file".into())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Empty),
        Err(e) => {
            return Err(StudioError::Open {
                path: path.to_path_buf(),
                message: e.to_string(),
            });
        }
    }
    let conn = open_read_only(path)?;
    let looked = || -> rusqlite::Result<(i32, i64, Vec<String>)> {
        let id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        let tables = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok((id, version, tables))
    };
    let (id, version, tables) = looked().map_err(|e| open_error(path, &e))?;
    let ours = id == APPLICATION_ID
        || (id == 0 && version >= 1 && OUR_TABLES.iter().all(|t| tables.iter().any(|n| n == t)));
    if !ours {
        if id != 0 {
            return Err(refuse(format!(
                "it belongs to another application: application_id 0x{id:08x}"
            )));
        }
        if tables.is_empty() && version == 0 {
            return Ok(Found::Empty);
        }
        let mut named = tables
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if tables.len() > 5 {
            named.push_str(", …");
        }
        return Err(refuse(if tables.is_empty() {
            format!("schema version {version}, no tables")
        } else {
            format!("it holds other tables: {named}")
        }));
    }
    if version < 1 {
        return Err(refuse(format!(
            "marked as studiodesk's but at schema version {version}"
        )));
    }
    if version > SCHEMA_VERSION {
        return Err(StudioError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(Found::Ours(version, conn))
}

/// A failure to open or read the file at `path`: "not an SQLite database", or SQLite's first line.
fn open_error(path: &Path, e: &rusqlite::Error) -> StudioError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StudioError::NotOurs {
            path: path.to_path_buf(),
            reason: "not an SQLite database".into(),
        },
        _ => StudioError::Open {
            path: path.to_path_buf(),
            message: first_line(e),
        },
    }
}

/// A connection that cannot write: `mode=ro`, and on read-only media (where SQLite cannot make
/// the WAL's shared-memory file) `immutable`, since nothing can change the file there.
fn open_read_only(path: &Path) -> Result<Connection, StudioError> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let open = |target: &Path, flags| -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(target, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Opening is lazy: read the schema now so that a failure shows here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        Ok(conn)
    };
    open(path, flags)
        .or_else(|first| {
            let escaped = path
                .display()
                .to_string()
                .replace('%', "%25")
                .replace('?', "%3f")
                .replace('#', "%23");
            let uri = PathBuf::from(format!("file:{escaped}?immutable=1"));
            open(&uri, flags | OpenFlags::SQLITE_OPEN_URI).map_err(|_| first)
        })
        .map_err(|e| open_error(path, &e))
}

impl Store {
    /// Where the database lives unless `--db` or `STUDIODESK_DB` says otherwise.
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("studiodesk")
            .join("studio.db")
    }

    /// Open (creating if needed) and migrate the database at `path` for changes. A new studio
    /// takes `tz` as its time zone; times are read and shown in the studio's zone. Any other
    /// application's file is refused before a byte of it is written.
    pub fn open(path: &Path, tz: TimeZone) -> Result<Store, StudioError> {
        // Whether the schema is current; the looking connection is closed before writing.
        let current = matches!(inspect(path)?, Found::Ours(SCHEMA_VERSION, _));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StudioError::Folder {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let opened = || -> rusqlite::Result<Connection> {
            let conn = Connection::open(path)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_update(None, "foreign_keys", true)?;
            let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            Ok(conn)
        };
        let conn = opened().map_err(|e| StudioError::Open {
            path: path.to_path_buf(),
            message: first_line(&e),
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            tz: tz.clone(),
            read_only: false,
        };
        if !current || store.application_id()? != APPLICATION_ID {
            store.migrate()?;
        }
        store.adopt_zone(&tz)?;
        Ok(store)
    }

    /// The studio's zone: the one stored, or `tz` stored as it when the studio has none yet (the
    /// only time opening writes).
    fn adopt_zone(&mut self, tz: &TimeZone) -> Result<(), StudioError> {
        let stored = facility::stored_zone(&self.conn.transaction()?)?;
        self.tz = match stored {
            Some(zone) => zone,
            None => self.write(|tx, _| {
                facility::adopt_zone(tx, tz)?;
                facility::studio_tz(tx)
            })?,
        };
        Ok(())
    }

    /// Read and show times in `tz` rather than the studio's zone (the rules that speak of days
    /// keep to the studio's).
    pub fn view_in(mut self, tz: TimeZone) -> Store {
        self.tz = tz;
        self
    }

    /// Open the database at `path` for a read command: nothing is created (a path that does not
    /// exist is an error, so a typo does not look like an empty studio), nothing is written
    /// (the file may be on read-only media), and any other application's file is refused. Times
    /// are shown in the studio's zone (`tz` when it has none stored).
    pub fn open_read(path: &Path, tz: TimeZone) -> Result<Store, StudioError> {
        let (version, conn) = match inspect(path)? {
            Found::Ours(version, conn) => (version, conn),
            Found::Empty => {
                return Err(StudioError::NoDatabase {
                    path: path.to_path_buf(),
                });
            }
        };
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            tz,
            read_only: true,
        };
        if version < SCHEMA_VERSION {
            // An older schema is read through a migrated copy in memory; the file stays as it is.
            store.conn = store.copy_in_memory()?;
            store.migrate()?;
            // A studio from before zones were stored reads as it will be once opened for a
            // change: in the zone it is opened in.
            let tx = store.conn.transaction()?;
            facility::adopt_zone(&tx, &store.tz)?;
            tx.commit()?;
        }
        if let Some(zone) = facility::stored_zone(&store.conn.transaction()?)? {
            store.tz = zone;
        }
        Ok(store)
    }

    fn application_id(&self) -> Result<i32, StudioError> {
        Ok(self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?)
    }

    /// The whole database copied into memory, where a read command may apply what time has
    /// changed (lapsed holds) or migrate an older schema without writing the file.
    fn copy_in_memory(&self) -> Result<Connection, StudioError> {
        let mut copy = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(&self.conn, &mut copy)?.run_to_completion(
            1024,
            Duration::ZERO,
            None,
        )?;
        copy.pragma_update(None, "foreign_keys", true)?;
        Ok(copy)
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
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            let to = version as i64 + 1;
            tx.execute_batch(sql)
                .and_then(|_| tx.pragma_update(None, "user_version", to))
                .map_err(|e| StudioError::Migrate {
                    path: self.path.clone(),
                    version: to,
                    message: first_line(&e),
                })?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The time zone times are read and shown in (the studio's unless [`Store::view_in`] chose).
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
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| explain(&self.path, e))?;
        bookings::sweep(&tx, units::now())?;
        let value = f(&tx, &self.tz)?;
        tx.commit().map_err(|e| explain(&self.path, e))?;
        Ok(value)
    }

    /// Run `f` reading a consistent snapshot in which expired holds are released, so what is
    /// read is what is true now. On a store opened for changes the release is committed; on one
    /// opened with [`Store::open_read`] nothing is written: when holds are due, `f` reads a copy
    /// in memory where they are released.
    pub fn read<T>(
        &mut self,
        f: impl FnOnce(&Transaction, &TimeZone) -> Result<T, StudioError>,
    ) -> Result<T, StudioError> {
        if !self.read_only {
            return self.write(f);
        }
        let now = units::now();
        let due = {
            let tx = self.conn.transaction()?;
            bookings::due(&tx, now)?
        };
        if due {
            self.conn = self.copy_in_memory()?;
        }
        let tx = self.conn.transaction()?;
        if due {
            bookings::sweep(&tx, now)?;
        }
        let value = f(&tx, &self.tz)?;
        // Rolled back: a read changes nothing (on a copy in memory, nothing could reach the file).
        drop(tx);
        Ok(value)
    }
}
