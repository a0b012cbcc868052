//! An open studio database, on either store: where it is ([`Location`]), opening it for changes
//! or for reading, and running every command in one transaction that commits whole or changes
//! nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use jiff::tz::TimeZone;
use postgres::IsolationLevel;
use rusqlite::{Connection, TransactionBehavior};

use super::access::{self, Role};
use super::db::{DbErrorKind, Statements, Tx};
use super::file::{self, Found};
use super::import::{self, Imported};
use super::{SCHEMA_VERSION, StudioError, bookings, facility, server, units};

/// How many times a PostgreSQL transaction the server refused as a deadlock or a serialization
/// failure is run again before the command fails.
const RETRIES: u32 = 8;

/// Where the studio's data lives: a SQLite file (one room) or a PostgreSQL database (a
/// facility), as `--db` or `STUDIODESK_DB` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    /// A `postgres://user[:password]@host[:port]/database` URL.
    Server(String),
}

impl Location {
    /// Where the database lives unless `--db` or `STUDIODESK_DB` says otherwise.
    pub fn default_file() -> Location {
        Location::File(Store::default_path())
    }

    /// The location as it may be shown (a server's password left out).
    pub fn shown(&self) -> PathBuf {
        match self {
            Location::File(path) => path.clone(),
            Location::Server(url) => PathBuf::from(server::shown(url)),
        }
    }

    /// The file, when the store is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Server(_) => None,
        }
    }
}

impl FromStr for Location {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Location, Self::Err> {
        Ok(if server::is_url(text) {
            Location::Server(text.to_string())
        } else {
            Location::File(PathBuf::from(text))
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.shown().display())
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::File(path.to_path_buf())
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::File(path)
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::File(path.clone())
    }
}

impl From<&str> for Location {
    fn from(text: &str) -> Location {
        match text.parse() {
            Ok(location) => location,
            Err(never) => match never {},
        }
    }
}

impl From<&String> for Location {
    fn from(text: &String) -> Location {
        Location::from(text.as_str())
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Location {
        location.clone()
    }
}

enum Backend {
    File(Connection),
    /// A server connection, and the statements prepared on it.
    Server(Box<postgres::Client>, Statements),
}

/// An open studio database.
pub struct Store {
    backend: Backend,
    location: Location,
    /// The zone times are read and shown in: the studio's, unless [`Store::view_in`] chose another.
    tz: TimeZone,
    /// Opened for a read command: nothing is ever written (see [`Store::read`]).
    read_only: bool,
    /// A facility login's role (`None`: a file, or the database's owner).
    role: Option<Role>,
}

impl Store {
    /// Where the database lives unless `--db` or `STUDIODESK_DB` says otherwise.
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("studiodesk")
            .join("studio.db")
    }

    /// Open (creating if needed) and migrate the database at `location` for changes. A new
    /// studio takes `tz` as its time zone; times are read and shown in the studio's zone. Any
    /// other application's file or database is refused before a byte of it is written.
    pub fn open(location: impl Into<Location>, tz: TimeZone) -> Result<Store, StudioError> {
        let location = location.into();
        let backend = match &location {
            Location::File(path) => {
                // Whether the schema is current; the looking connection is closed before writing.
                let current = matches!(file::inspect(path)?, Found::Ours(SCHEMA_VERSION, _));
                let mut conn = file::open_for_changes(path)?;
                if !current || file::application_id(&conn)? != file::APPLICATION_ID {
                    file::migrate(&mut conn, path)?;
                }
                Backend::File(conn)
            }
            Location::Server(url) => {
                let mut client = server::connect(url)?;
                server::migrate(&mut client, url)?;
                Backend::Server(Box::new(client), Statements::new())
            }
        };
        let mut store = Store {
            backend,
            location,
            tz: tz.clone(),
            read_only: false,
            role: None,
        };
        store.role = store.login_role()?;
        store.adopt_zone(&tz)?;
        Ok(store)
    }

    /// The studio's zone: the one stored, or `tz` stored as it when the studio has none yet (the
    /// only time opening writes).
    fn adopt_zone(&mut self, tz: &TimeZone) -> Result<(), StudioError> {
        let stored = self.read(|tx, _| facility::stored_zone(tx))?;
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

    /// Where this store is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Open the database at `location` for a read command: nothing is created (a file that does
    /// not exist is an error, so a typo does not look like an empty studio), nothing is written
    /// (a file may be on read-only media), and any other application's data is refused. Times
    /// are shown in the studio's zone (`tz` when it has none stored).
    pub fn open_read(location: impl Into<Location>, tz: TimeZone) -> Result<Store, StudioError> {
        let location = location.into();
        let (version, backend) = match &location {
            Location::File(path) => match file::inspect(path)? {
                Found::Ours(version, conn) => (version, Backend::File(conn)),
                Found::Empty => {
                    return Err(StudioError::NoDatabase {
                        path: path.to_path_buf(),
                    });
                }
            },
            Location::Server(url) => {
                let mut client = server::connect(url)?;
                match server::version(&mut client, url)? {
                    Some(version) if version > 0 => (
                        version,
                        Backend::Server(Box::new(client), Statements::new()),
                    ),
                    _ => {
                        return Err(StudioError::NoDatabase {
                            path: location.shown(),
                        });
                    }
                }
            }
        };
        let mut store = Store {
            backend,
            location,
            tz,
            read_only: true,
            role: None,
        };
        store.role = store.login_role()?;
        if version < SCHEMA_VERSION {
            store.migrate_for_reading()?;
        }
        if let Some(zone) = store.read(|tx, _| facility::stored_zone(tx))? {
            store.tz = zone;
        }
        Ok(store)
    }

    /// An older schema opened for reading: a file is read through a migrated copy in memory (it
    /// stays as it is); a server's database is not changed by a read, so it must be opened for
    /// a change first.
    fn migrate_for_reading(&mut self) -> Result<(), StudioError> {
        match &mut self.backend {
            Backend::File(conn) => {
                let mut copy = file::copy_in_memory(conn)?;
                file::migrate(&mut copy, &self.location.shown())?;
                // A studio from before zones were stored reads as it will be once opened for a
                // change: in the zone it is opened in.
                let t = copy.transaction().map_err(super::db::DbError::from)?;
                facility::adopt_zone(&Tx::sqlite(&t), &self.tz)?;
                t.commit().map_err(super::db::DbError::from)?;
                self.backend = Backend::File(copy);
                Ok(())
            }
            Backend::Server(..) => Err(StudioError::Open {
                path: self.location.shown(),
                message: format!(
                    "its schema is older than this studiodesk's ({SCHEMA_VERSION}): run a change \
                     (any `studiodesk … add`) or open the desk once to bring it up to date"
                ),
            }),
        }
    }

    fn login_role(&mut self) -> Result<Option<Role>, StudioError> {
        match &mut self.backend {
            Backend::File(_) => Ok(None),
            Backend::Server(client, _) => server::login_role(client),
        }
    }

    /// A facility login's role: `None` on a file, or for the database's owner (who may do
    /// anything).
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// Create a facility login `name` with `role` (and `password`, else a new random one); the
    /// URL it connects with. Only a server has logins; only its owner makes them.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        password: Option<&str>,
    ) -> Result<String, StudioError> {
        let password = match password {
            Some(p) => p.to_string(),
            None => access::new_password()?,
        };
        let (client, url) = self.server()?;
        let made = server::add_user(client, url, name, role, &password);
        made.map_err(|e| self.explain_login("create logins", e))
    }

    /// The facility's logins and their roles. Only a server has logins.
    pub fn users(&mut self) -> Result<Vec<server::User>, StudioError> {
        let (client, _) = self.server()?;
        server::users(client).map_err(|e| explain(&self.location, self.role, e))
    }

    /// Give facility login `name` a new password (`password`, else a new random one); the URL it
    /// now connects with. The owner may change anyone's; a login its own.
    pub fn set_password(
        &mut self,
        name: &str,
        password: Option<&str>,
    ) -> Result<String, StudioError> {
        let password = match password {
            Some(p) => p.to_string(),
            None => access::new_password()?,
        };
        let (client, url) = self.server()?;
        let set = server::set_password(client, url, name, &password);
        set.map_err(|e| self.explain_login("change another login's password", e))
    }

    /// Remove facility login `name`; who it was. Only the owner removes logins.
    pub fn remove_user(&mut self, name: &str) -> Result<server::User, StudioError> {
        let (client, _) = self.server()?;
        let removed = server::remove_user(client, name);
        removed.map_err(|e| self.explain_login("remove logins", e))
    }

    /// A failure managing logins, in words: the server refuses `action` to all but the owner.
    fn explain_login(&self, action: &str, e: StudioError) -> StudioError {
        match e {
            StudioError::Database(db) if db.kind == DbErrorKind::Permission => {
                access::owners_only(self.role, action)
            }
            other => explain(&self.location, self.role, other),
        }
    }

    /// The server's connection and URL, or why a file has no logins.
    fn server(&mut self) -> Result<(&mut postgres::Client, &str), StudioError> {
        match (&mut self.backend, &self.location) {
            (Backend::Server(client, _), Location::Server(url)) => Ok((client, url)),
            _ => super::invalid(
                "db",
                "logins and roles are a facility database's: use --db postgres://…",
            ),
        }
    }

    /// Copy every record of the studio `source` (a room's file) into this one, ids and all, and
    /// check each record read back; a store holding data is refused unless `replace`. All or
    /// nothing: one transaction on each side.
    pub fn import_from(
        &mut self,
        source: &mut Store,
        replace: bool,
    ) -> Result<Imported, StudioError> {
        source.read(|from, _| self.write(|to, _| import::copy(from, to, replace)))
    }

    /// Notices of changes to this database by anyone, for a desk to refresh on: a facility
    /// database's (LISTEN/NOTIFY); `None` for a file, which only this machine changes.
    pub fn watch(&self) -> Option<server::Watch> {
        match &self.location {
            Location::Server(url) => Some(server::watch(url)),
            Location::File(_) => None,
        }
    }

    /// The schema version of the open database.
    pub fn schema_version(&mut self) -> Result<i64, StudioError> {
        match &mut self.backend {
            Backend::File(conn) => file::schema_version(conn),
            Backend::Server(client, _) => {
                server::version(client, self.location.file_or_url()).map(|v| v.unwrap_or(0))
            }
        }
    }

    /// The time zone times are read and shown in (the studio's unless [`Store::view_in`] chose).
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Run `f` in one transaction, after releasing expired holds and unanswered challenges;
    /// commit if it succeeds, change nothing if it fails. Writers take turns: on a file the
    /// transaction is immediate; on a server it first takes the facility's write lock (an
    /// advisory lock held to the end of the transaction), and is run again (up to [`RETRIES`]
    /// times) if the server still finds it in a deadlock or a serialization failure, so `f` may
    /// be called more than once.
    pub fn write<T>(
        &mut self,
        mut f: impl FnMut(&Tx, &TimeZone) -> Result<T, StudioError>,
    ) -> Result<T, StudioError> {
        let tz = self.tz.clone();
        match &mut self.backend {
            Backend::File(conn) => {
                let path = self.location.shown();
                let t = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(|e| file::explain(&path, e))?;
                let tx = Tx::sqlite(&t);
                bookings::sweep(&tx, units::now())?;
                let value = f(&tx, &tz)?;
                drop(tx);
                t.commit().map_err(|e| file::explain(&path, e))?;
                Ok(value)
            }
            Backend::Server(client, statements) => {
                let mut attempt = 0;
                loop {
                    let tried = (|| {
                        let t = client
                            .build_transaction()
                            .isolation_level(IsolationLevel::ReadCommitted)
                            .start()
                            .map_err(super::db::DbError::from)?;
                        let tx = Tx::postgres(t, statements);
                        // Changes take turns, as on a file: the lock is taken before anything
                        // is read, so each change reads what the one before committed, and is
                        // released at commit or rollback (or when a desk's connection dies).
                        tx.execute("SELECT pg_advisory_xact_lock(?1)", [server::WRITE_LOCK])?;
                        bookings::sweep(&tx, units::now())?;
                        let value = f(&tx, &tz)?;
                        tx.commit()?;
                        Ok(value)
                    })();
                    match tried {
                        Err(StudioError::Database(e))
                            if e.kind == DbErrorKind::Retry && attempt < RETRIES =>
                        {
                            attempt += 1;
                            // Desks that collided start again at different moments.
                            let jitter = u64::from(std::process::id() % 7) + u64::from(attempt);
                            std::thread::sleep(Duration::from_millis(5 * jitter));
                        }
                        other => {
                            return other.map_err(|e| explain(&self.location, self.role, e));
                        }
                    }
                }
            }
        }
    }

    /// Whether a hold has lapsed and is still stored as held (a sweep would release it).
    fn holds_due(&mut self, now: i64) -> Result<bool, StudioError> {
        match &mut self.backend {
            Backend::File(conn) => {
                let t = conn.transaction().map_err(super::db::DbError::from)?;
                bookings::due(&Tx::sqlite(&t), now)
            }
            Backend::Server(client, statements) => {
                let t = client.transaction().map_err(super::db::DbError::from);
                t.map_err(StudioError::from)
                    .and_then(|t| bookings::due(&Tx::postgres(t, statements), now))
                    .map_err(|e| explain(&self.location, self.role, e))
            }
        }
    }

    /// Run `f` reading a consistent snapshot in which expired holds are released, so what is
    /// read is what is true now. A read takes no lock and waits for no change, except on a store
    /// opened for changes when a hold has lapsed: then the release is committed first, as a
    /// change. On a store opened with [`Store::open_read`] nothing is ever written: when holds
    /// are due, `f` reads a copy (a file's, in memory; a server's transaction is rolled back)
    /// where they are released.
    pub fn read<T>(
        &mut self,
        mut f: impl FnMut(&Tx, &TimeZone) -> Result<T, StudioError>,
    ) -> Result<T, StudioError> {
        let now = units::now();
        // A server's snapshot releases lapsed holds itself (below); only a store that would
        // commit the release, or a file that would be copied for it, needs to know first.
        let due = match (&self.backend, self.read_only) {
            (Backend::Server(..), true) => false,
            _ => self.holds_due(now)?,
        };
        if due && !self.read_only {
            return self.write(f);
        }
        let tz = self.tz.clone();
        match &mut self.backend {
            Backend::File(conn) => {
                if due {
                    // Only a store opened to read gets here with holds due.
                    *conn = file::copy_in_memory(conn)?;
                }
                let t = conn.transaction().map_err(super::db::DbError::from)?;
                let tx = Tx::sqlite(&t);
                if due {
                    bookings::sweep(&tx, now)?;
                }
                // Rolled back when dropped: a read changes nothing.
                f(&tx, &tz)
            }
            Backend::Server(client, statements) => {
                let t = client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .start()
                    .map_err(super::db::DbError::from)?;
                let mut tx = Tx::postgres(t, statements);
                // A hold that lapsed since the look above is released in the snapshot too.
                bookings::sweep(&tx, now)?;
                // A snapshot: what the read asks twice it is told once.
                tx.remember_reads();
                // Rolled back when dropped: what the sweep released is not written by a read.
                f(&tx, &tz).map_err(|e| explain(&self.location, self.role, e))
            }
        }
    }
}

impl Location {
    fn file_or_url(&self) -> &str {
        match self {
            Location::File(path) => path.to_str().unwrap_or_default(),
            Location::Server(url) => url,
        }
    }
}

/// A server's error in words: a lost connection names the server; a refusal names the login's
/// role and the action.
fn explain(location: &Location, role: Option<Role>, e: StudioError) -> StudioError {
    match e {
        StudioError::Database(db) if db.kind == DbErrorKind::Connection => StudioError::Offline {
            place: location.to_string(),
            message: db.message,
        },
        StudioError::Database(db) if db.kind == DbErrorKind::Permission => {
            access::refusal(role, &db.message)
        }
        other => other,
    }
}
