//! The studio in one SQLite file: recognising it as ours before writing, opening it read-only
//! for reads (on read-only media too), and migrating its schema with `PRAGMA user_version`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::db::DbError;
use super::{BUSY_TIMEOUT, SCHEMA_VERSION, StudioError};

/// The schema, one migration per version: `MIGRATIONS[i]` takes a database from version `i` to
/// `i + 1`. Never edit a shipped migration; add one (and its PostgreSQL twin in `server.rs`).
pub(super) const MIGRATIONS: &[&str] = &[
    concat!(include_str!("schema_v1.sql"), include_str!("seed_v1.sql")),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    concat!(include_str!("schema_v4.sql"), include_str!("seed_v4.sql")),
    include_str!("schema_v5.sql"),
];

/// `PRAGMA application_id` of a studiodesk database: "SDSK". A file with another id, or another
/// application's tables, is refused before a byte of it is written.
pub const APPLICATION_ID: i32 = 0x5344_534b;

/// Tables every studiodesk schema has: how a database made before databases were marked with
/// [`APPLICATION_ID`] is recognised.
const OUR_TABLES: [&str; 4] = ["rooms", "people", "projects", "bookings"];

/// What a file at a database path turned out to be.
pub(super) enum Found {
    /// Nothing there, or an empty file: a new database may be made.
    Empty,
    /// A studiodesk database at this schema version, with the read-only connection that looked.
    Ours(i64, Connection),
}

/// One line of a SQLite error (its messages can carry the statement that failed).
pub(super) fn first_line(e: &rusqlite::Error) -> String {
    let text = e.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

/// Look at the file at `path` through a read-only connection and say whether it is ours, before
/// anything opens it for writing.
pub(super) fn inspect(path: &Path) -> Result<Found, StudioError> {
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
        return Err(refuse(if tables.is_empty() {
            format!("schema version {version}, no tables")
        } else {
            super::other_tables(&tables)
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
pub(super) fn open_read_only(path: &Path) -> Result<Connection, StudioError> {
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

/// Open (creating) the file at `path` for changes: WAL, foreign keys, the busy timeout.
pub(super) fn open_for_changes(path: &Path) -> Result<Connection, StudioError> {
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
    opened().map_err(|e| StudioError::Open {
        path: path.to_path_buf(),
        message: first_line(&e),
    })
}

pub(super) fn application_id(conn: &Connection) -> Result<i32, StudioError> {
    Ok(conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(DbError::from)?)
}

pub(super) fn schema_version(conn: &Connection) -> Result<i64, StudioError> {
    Ok(conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(DbError::from)?)
}

/// The whole database copied into memory, where a read command may apply what time has
/// changed (lapsed holds) or migrate an older schema without writing the file.
pub(super) fn copy_in_memory(conn: &Connection) -> Result<Connection, StudioError> {
    let copy = || -> rusqlite::Result<Connection> {
        let mut copy = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(conn, &mut copy)?.run_to_completion(
            1024,
            Duration::ZERO,
            None,
        )?;
        copy.pragma_update(None, "foreign_keys", true)?;
        Ok(copy)
    };
    Ok(copy().map_err(DbError::from)?)
}

/// Bring the file's schema to [`SCHEMA_VERSION`] in one immediate transaction.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StudioError> {
    let to_db = |e: rusqlite::Error| StudioError::Database(e.into());
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(to_db)?;
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(to_db)?;
    if found > SCHEMA_VERSION {
        return Err(StudioError::TooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let to = version as i64 + 1;
        tx.execute_batch(sql)
            .and_then(|_| tx.pragma_update(None, "user_version", to))
            .map_err(|e| StudioError::Migrate {
                path: path.to_path_buf(),
                version: to,
                message: first_line(&e),
            })?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(to_db)?;
    tx.commit().map_err(to_db)?;
    Ok(())
}

/// A SQLite error in words that name the database at `path`: a lock held past the busy timeout
/// is [`StudioError::Busy`].
pub(super) fn explain(path: &Path, e: rusqlite::Error) -> StudioError {
    match DbError::from(e) {
        e if e.kind == super::db::DbErrorKind::Busy => StudioError::Busy {
            path: path.to_path_buf(),
        },
        e => StudioError::Database(e),
    }
}
