//! `studiodesk facility`: the facility's settings, its logins and roles, and moving a room's
//! studio file into the facility's database.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::studio::{StoreArgs, print_json};
use crate::studio::access::Role;
use crate::studio::{Store, facility};

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// The facility's settings: time zone, name, address.
    List,
    /// Change one: `facility set timezone Europe/London`, `facility set name "Studio Nord"`.
    Set { name: String, value: String },
    /// Logins of a facility database (PostgreSQL), each with a role the server enforces.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Move a room's studio file into the facility database named by --db: every record with
    /// its id, each one read back and compared before anything is committed.
    Import {
        /// The room's studio file (SQLite).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Delete what the facility database holds first (otherwise a database holding a studio
        /// is refused).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a login with a role (manager, producer or engineer); prints its connection URL.
    /// Run it as the database's owner.
    Add {
        /// Login name: lower-case letters, digits and _ (e.g. ana, lee_hart).
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Its password (letters and digits); a random one of 20 characters when not given.
        #[arg(long)]
        password: Option<String>,
    },
    /// The facility's logins and their roles.
    List,
    /// Give a login a new password; prints its new connection URL. The owner may change
    /// anyone's, a login its own.
    Password {
        name: String,
        /// The new password (letters and digits); a random one of 20 characters when not given.
        #[arg(long)]
        password: Option<String>,
    },
    /// Remove a login (someone who left): it can no longer connect. What it did stays in the
    /// audit trail under its name. Run it as the database's owner.
    Remove { name: String },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|e: crate::studio::StudioError| e.to_string())
}

pub fn facility(store: &StoreArgs, command: FacilityCommand) -> anyhow::Result<ExitCode> {
    match command {
        FacilityCommand::List => {
            let mut db = store.open_for(true)?;
            let list = db.read(|tx, _| facility::list(tx))?;
            if store.json {
                print_json(&list)?;
            } else {
                for s in list {
                    let value = s
                        .value
                        .as_deref()
                        .unwrap_or("(not set)")
                        .replace('\n', ", ");
                    outln!("{:<10} {value}  — {}", s.name, s.meaning);
                }
            }
        }
        FacilityCommand::Set { name, value } => {
            let mut db = store.open_for(false)?;
            let s = db.write(|tx, _| facility::set(tx, &name, &value))?;
            outln!("{} = {}", s.name, s.value.unwrap_or_default());
        }
        FacilityCommand::User { command } => user(store, command)?,
        FacilityCommand::Import { from, replace } => {
            let (_, tz) = store.location()?;
            let mut source = Store::open_read(from.as_path(), tz)?;
            let mut db = store.open_for(false)?;
            let imported = db.import_from(&mut source, replace)?;
            if store.json {
                print_json(&imported)?;
            } else {
                for (table, n) in &imported.tables {
                    if *n > 0 {
                        outln!("{table:<20} {n:>7}");
                    }
                }
                outln!(
                    "imported {} records from {} into {}, each read back equal",
                    imported.records(),
                    from.display(),
                    db.location()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `facility user …`: a facility's logins.
fn user(store: &StoreArgs, command: UserCommand) -> anyhow::Result<()> {
    let mut db = store.open_for(matches!(command, UserCommand::List))?;
    match command {
        UserCommand::Add {
            name,
            role,
            password,
        } => {
            let url = db.add_user(&name, role, password.as_deref())?;
            login_url(store.json, &name, Some(role), &url)?;
        }
        UserCommand::List => {
            let users = db.users()?;
            if store.json {
                print_json(&users)?;
            } else if users.is_empty() {
                outln!("no logins yet: `facility user add NAME --role ROLE` makes one");
            } else {
                for u in users {
                    outln!("{:<20} {}", u.name, u.role);
                }
            }
        }
        UserCommand::Password { name, password } => {
            let url = db.set_password(&name, password.as_deref())?;
            login_url(store.json, &name, None, &url)?;
        }
        UserCommand::Remove { name } => {
            let gone = db.remove_user(&name)?;
            if store.json {
                print_json(&gone)?;
            } else {
                outln!(
                    "{} ({}) removed: it can no longer connect",
                    gone.name,
                    gone.role
                );
            }
        }
    }
    Ok(())
}

/// A login's connection URL, which holds its password: printed once, for the person it is for.
fn login_url(json: bool, name: &str, role: Option<Role>, url: &str) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::json!({ "name": name, "role": role, "url": url }));
    }
    match role {
        Some(role) => outln!("{name} ({role}): {url}"),
        None => outln!("{name}: {url}"),
    }
    Ok(())
}
