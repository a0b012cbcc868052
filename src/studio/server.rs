//! The studio on a PostgreSQL server, for a facility whose rooms share one calendar: connecting,
//! recognising the database as ours, and migrating its schema (the same versions as the SQLite
//! file's, recorded in `studiodesk_schema`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

use super::access::{self, Role};
use super::db::{DbError, Tx};
use super::{SCHEMA_VERSION, StudioError};

/// The schema, one migration per version as in the SQLite file: `MIGRATIONS[i]` takes a
/// database from version `i` to `i + 1`. Never edit a shipped migration; add one.
const MIGRATIONS: &[&str] = &[
    concat!(
        include_str!("schema_pg_v1.sql"),
        include_str!("seed_v1.sql")
    ),
    include_str!("schema_pg_v2.sql"),
    include_str!("schema_pg_v3.sql"),
    concat!(
        include_str!("schema_pg_v4.sql"),
        include_str!("seed_v4.sql")
    ),
    include_str!("schema_pg_v5.sql"),
];

const _: () = assert!(MIGRATIONS.len() as i64 == SCHEMA_VERSION);

/// The advisory lock that keeps two desks from migrating one database at once ("SDSK").
const MIGRATION_LOCK: i64 = 0x5344_534b;

/// The advisory lock every change holds while it runs ("SDSKW"): changes take turns, as on a
/// SQLite file, so holds are ranked on what the change before committed.
pub(super) const WRITE_LOCK: i64 = 0x0053_4453_4b57;

/// A `postgres://` or `postgresql://` URL.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The URL as it may be shown: without its password.
pub fn shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

/// Connect to the server at `url`.
pub(super) fn connect(url: &str) -> Result<Client, StudioError> {
    Client::connect(url, NoTls).map_err(|e| StudioError::Offline {
        place: shown(url),
        message: DbError::from(e).message,
    })
}

/// The schema version of the database, or `None` when studiodesk has never used it. A database
/// holding other tables but not ours is refused.
pub(super) fn version(client: &mut Client, url: &str) -> Result<Option<i64>, StudioError> {
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
            &[],
        )
        .map_err(DbError::from)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if tables.iter().any(|t| t == "studiodesk_schema") {
        let v: i64 = client
            .query_one("SELECT version FROM studiodesk_schema", &[])
            .map_err(DbError::from)?
            .get(0);
        return Ok(Some(v));
    }
    if tables.is_empty() {
        return Ok(None);
    }
    Err(StudioError::NotOurs {
        path: PathBuf::from(shown(url)),
        reason: super::other_tables(&tables),
    })
}

/// Bring the database to [`SCHEMA_VERSION`], one migration at a time in one transaction, under
/// an advisory lock so that desks starting together migrate it once.
pub(super) fn migrate(client: &mut Client, url: &str) -> Result<(), StudioError> {
    let found = version(client, url)?;
    if found == Some(SCHEMA_VERSION) {
        return Ok(());
    }
    let place = || PathBuf::from(shown(url));
    let mut t = client.transaction().map_err(DbError::from)?;
    t.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(DbError::from)?;
    t.batch_execute(
        "CREATE TABLE IF NOT EXISTS studiodesk_schema (
             one     BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
             version BIGINT NOT NULL);
         INSERT INTO studiodesk_schema (version) VALUES (0) ON CONFLICT DO NOTHING;",
    )
    .map_err(DbError::from)?;
    // Statements planned before the schema changes are not kept.
    let mut statements = super::db::Statements::new();
    let tx = Tx::postgres(t, &mut statements);
    let found: i64 = tx.query_row("SELECT version FROM studiodesk_schema", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StudioError::TooNew {
            path: place(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let to = version as i64 + 1;
        tx.execute_batch(sql)
            .and_then(|_| tx.execute("UPDATE studiodesk_schema SET version = ?1", [to]))
            .map_err(|e| StudioError::Migrate {
                path: place(),
                version: to,
                message: e.message,
            })?;
    }
    tx.execute_batch(ROLES).map_err(|e| StudioError::Migrate {
        path: place(),
        version: SCHEMA_VERSION,
        message: format!("the facility's roles: {}", e.message),
    })?;
    tx.commit()?;
    Ok(())
}

/// The roles, their grants, the booking rules and the audit trail (idempotent).
const ROLES: &str = include_str!("facility_roles.sql");

/// The studiodesk role of the connected login; `None` for the owner (who may do anything).
pub(super) fn login_role(client: &mut Client) -> Result<Option<Role>, StudioError> {
    let row = client
        .query_one("SELECT studiodesk_role()", &[])
        .map_err(DbError::from)?;
    let role: Option<String> = row.get(0);
    role.map(|r| r.parse()).transpose()
}

/// Create the login `name` with `role` and `password` (the roles and grants made first), as the
/// owner connected to `url`; the URL the new login connects with.
pub(super) fn add_user(
    client: &mut Client,
    url: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<String, StudioError> {
    access::check_login_name(name)?;
    check_password(password)?;
    migrate(client, url)?;
    let mut t = client.transaction().map_err(DbError::from)?;
    t.batch_execute(ROLES).map_err(DbError::from)?;
    // Names and passwords cannot be parameters here: both were checked to be plain above.
    t.batch_execute(&format!(
        "CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {group}",
        group = role.group()
    ))
    .map_err(|e| match DbError::from(e) {
        e if e.message.contains("already exists") => StudioError::Invalid {
            field: "name",
            problem: format!("a login '{name}' exists already on this server"),
        },
        e => StudioError::Database(e),
    })?;
    t.commit().map_err(DbError::from)?;
    Ok(with_login(url, name, password))
}

/// A facility login and its role.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
}

/// The logins granted a studiodesk role on this server, by name.
pub(super) fn users(client: &mut Client) -> Result<Vec<User>, StudioError> {
    let rows = client
        .query(
            "SELECT r.rolname::text, g.rolname::text
               FROM pg_roles r
               JOIN pg_auth_members m ON m.member = r.oid
               JOIN pg_roles g ON g.oid = m.roleid
              WHERE r.rolcanlogin AND g.rolname = ANY($1)
              ORDER BY r.rolname",
            &[&Role::ALL.map(Role::group).to_vec()],
        )
        .map_err(DbError::from)?;
    rows.iter()
        .map(|row| {
            let group: String = row.get(1);
            Ok(User {
                name: row.get(0),
                role: group.trim_start_matches("studiodesk_").parse()?,
            })
        })
        .collect()
}

/// The studiodesk login `name`, or why it is not one (only those may be changed here: never
/// the owner, nor another application's).
fn facility_login(client: &mut Client, name: &str) -> Result<User, StudioError> {
    access::check_login_name(name)?;
    users(client)?
        .into_iter()
        .find(|u| u.name == name)
        .ok_or_else(|| StudioError::NotFound {
            what: "facility login",
            key: name.to_string(),
        })
}

/// Give the login `name` a new `password` (letters and digits); the URL it now connects with.
pub(super) fn set_password(
    client: &mut Client,
    url: &str,
    name: &str,
    password: &str,
) -> Result<String, StudioError> {
    facility_login(client, name)?;
    check_password(password)?;
    // Both were checked to be plain: neither can be a parameter of ALTER ROLE.
    client
        .batch_execute(&format!("ALTER ROLE {name} PASSWORD '{password}'"))
        .map_err(DbError::from)?;
    Ok(with_login(url, name, password))
}

/// Remove the login `name`: it can no longer connect. What it did stays in the audit trail
/// under its name.
pub(super) fn remove_user(client: &mut Client, name: &str) -> Result<User, StudioError> {
    let user = facility_login(client, name)?;
    client
        .batch_execute(&format!("DROP ROLE {name}"))
        .map_err(DbError::from)?;
    Ok(user)
}

fn check_password(password: &str) -> Result<(), StudioError> {
    if password.is_empty() || !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return super::invalid("password", "letters and digits only");
    }
    Ok(())
}

/// `url` with its user and password replaced.
pub(crate) fn with_login(url: &str, user: &str, password: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// How long a listener waits before connecting again to a server it lost.
const RECONNECT: Duration = Duration::from_secs(1);

/// Notices that a facility database changed (any desk's commit, this one's included), heard on
/// a connection of its own by a thread of its own: PostgreSQL's LISTEN/NOTIFY, which the audit
/// trigger raises once per table a transaction changed. Nothing polls the database.
pub struct Watch {
    /// Ticks once per burst of changes (a full channel folds the rest); also after the listener
    /// reconnects, since changes made meanwhile were not heard.
    pub changes: Receiver<()>,
    stop: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Start listening to the database at `url`; the listener stops soon after the [`Watch`] is
/// dropped.
pub(super) fn watch(url: &str) -> Watch {
    let (tx, changes) = crossbeam_channel::bounded(1);
    let stop = Arc::new(AtomicBool::new(false));
    let (url, stopped) = (url.to_string(), Arc::clone(&stop));
    // Without a thread the desk still works; it refreshes on its own actions only.
    let _ = std::thread::Builder::new()
        .name("studiodesk-listen".into())
        .spawn(move || listen(&url, &tx, &stopped));
    Watch { changes, stop }
}

fn listen(url: &str, changed: &Sender<()>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let connected = Client::connect(url, NoTls).and_then(|mut client| {
            client.batch_execute("LISTEN studiodesk")?;
            Ok(client)
        });
        let Ok(mut client) = connected else {
            std::thread::sleep(RECONNECT);
            continue;
        };
        // Whatever changed while nobody here was listening.
        let _ = changed.try_send(());
        while !stop.load(Ordering::Relaxed) && !client.is_closed() {
            let mut notices = client.notifications();
            match notices.timeout_iter(Duration::from_millis(250)).next() {
                Ok(None) => {}
                Ok(Some(_)) => {
                    let _ = changed.try_send(());
                }
                Err(_) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            shown("postgres://ana:s3cret@db.studio:5432/facility"),
            "postgres://ana@db.studio:5432/facility"
        );
        assert_eq!(shown("postgres://db/facility"), "postgres://db/facility");
        assert!(is_url("postgresql://x/y") && !is_url("/home/ana/studio.db"));
        assert_eq!(
            with_login("postgres://root:pw@db:5432/facility", "lee", "x1"),
            "postgres://lee:x1@db:5432/facility"
        );
        assert_eq!(
            with_login("postgres://db/f", "lee", "x1"),
            "postgres://lee:x1@db/f"
        );
    }
}
