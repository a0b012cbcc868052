//! Rooms (with their rate cards), people and projects.

use crate::studio::db::{DbError, DbErrorKind, DbResult, OptionalExtension, Row, Tx, params};
use serde::Serialize;

use super::names::Named;
use super::pricing::RateCard;
use super::units::Minor;
use super::{StudioError, check_rate, invalid, not_found};

/// A room and its rate card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Room {
    pub id: i64,
    pub name: String,
    pub currency: String,
    /// Per hour; times [`Room::overtime_bp`], the overtime rate (30-minute increments).
    pub hourly: Minor,
    /// Half day, 5 hours.
    pub half_day: Minor,
    /// Day or lockout, 10 hours.
    pub day: Minor,
    /// Time the room is busy before and after a session, in minutes (not charged).
    pub setup_min: i64,
    pub teardown_min: i64,
    /// Overtime's hourly rate as a share of the hourly rate, in basis points (10 000 = 1.0×).
    pub overtime_bp: i64,
}

impl Room {
    /// The room's rate card.
    pub fn card(&self) -> RateCard {
        RateCard {
            hourly: self.hourly,
            half_day: self.half_day,
            day: self.day,
            overtime_bp: self.overtime_bp,
        }
    }
}

/// The overtime multiplier a rate card may carry, in basis points (1.0× to 3.0×).
pub const OVERTIME_BP: std::ops::RangeInclusive<i64> = 10_000..=30_000;

/// Who a person is to the studio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    Client,
    Artist,
    Engineer,
    Producer,
    Musician,
}

impl PersonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Client => "client",
            PersonKind::Artist => "artist",
            PersonKind::Engineer => "engineer",
            PersonKind::Producer => "producer",
            PersonKind::Musician => "musician",
        }
    }
}

/// A musicians' union.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Union {
    #[serde(rename = "AFM")]
    Afm,
    #[serde(rename = "MU")]
    Mu,
    #[serde(rename = "none")]
    None,
}

impl Union {
    pub fn as_str(self) -> &'static str {
        match self {
            Union::Afm => "AFM",
            Union::Mu => "MU",
            Union::None => "none",
        }
    }
}

/// A person: client, artist, engineer, producer or musician.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub kind: PersonKind,
    /// Instruments played, comma separated.
    pub instruments: String,
    pub union: Union,
    pub contact: String,
}

/// A production: an artist's record, with its producer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: i64,
    pub title: String,
    pub artist: Option<String>,
    pub producer: Option<String>,
    pub currency: String,
    /// Contingency added to the planned budget, in basis points (1000 = 10 %).
    pub contingency_bp: i64,
}

/// Turn a UNIQUE violation into a message naming the field.
fn unique(e: DbError, field: &'static str, value: &str) -> StudioError {
    match e.kind {
        DbErrorKind::Unique => StudioError::Invalid {
            field,
            problem: format!("'{value}' exists already"),
        },
        _ => e.into(),
    }
}

fn need_name(field: &'static str, name: &str) -> Result<(), StudioError> {
    if name.trim().is_empty() {
        return invalid(field, "must not be empty");
    }
    Ok(())
}

fn room_from(r: &Row) -> DbResult<Room> {
    Ok(Room {
        id: r.get(0)?,
        name: r.get(1)?,
        currency: r.get(2)?,
        hourly: Minor(r.get(3)?),
        half_day: Minor(r.get(4)?),
        day: Minor(r.get(5)?),
        setup_min: r.get(6)?,
        teardown_min: r.get(7)?,
        overtime_bp: r.get(8)?,
    })
}

const ROOM_COLUMNS: &str =
    "id, name, currency, hourly, half_day, day, setup_min, teardown_min, overtime_bp";

/// Add a room; returns its id.
pub fn add_room(tx: &Tx, room: &Room) -> Result<i64, StudioError> {
    need_name("name", &room.name)?;
    check_room_rates(room)?;
    let new_id = tx
        .insert(
            "INSERT INTO rooms (name, currency, hourly, half_day, day, setup_min, teardown_min,
         overtime_bp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                room.name.trim(),
                room.currency,
                room.hourly.0,
                room.half_day.0,
                room.day.0,
                room.setup_min,
                room.teardown_min,
                room.overtime_bp
            ],
        )
        .map_err(|e| unique(e, "room", &room.name))?;
    Ok(new_id)
}

/// Replace a room's rate card and times.
fn check_room_rates(room: &Room) -> Result<(), StudioError> {
    check_rate("hourly", room.hourly)?;
    check_rate("half_day", room.half_day)?;
    check_rate("day", room.day)?;
    if !OVERTIME_BP.contains(&room.overtime_bp) {
        return invalid(
            "overtime_multiplier",
            "must be between 1.0 and 3.0 (the overtime rate is 1 to 3 times the hourly rate)",
        );
    }
    Ok(())
}

/// "1.5" (times the hourly rate) as basis points; 1.0 to 3.0, at most two decimals.
pub fn parse_overtime_multiplier(text: &str) -> Result<i64, StudioError> {
    let bad = || {
        invalid::<i64>(
            "overtime_multiplier",
            format!("'{text}' is not a multiplier from 1.0 to 3.0 like 1.5"),
        )
    };
    let number = text.trim().trim_end_matches(['x', '×']).trim_end();
    let Ok(percent_bp) = super::units::parse_percent_bp(number) else {
        return bad();
    };
    // parse_percent_bp reads "1.5" as 1.5 % = 150 bp; a multiplier is a hundred times that.
    let bp = percent_bp * 100;
    if OVERTIME_BP.contains(&bp) {
        Ok(bp)
    } else {
        bad()
    }
}

pub fn update_room(tx: &Tx, room: &Room) -> Result<(), StudioError> {
    check_room_rates(room)?;
    tx.execute(
        "UPDATE rooms SET currency = ?2, hourly = ?3, half_day = ?4, day = ?5, setup_min = ?6,
         teardown_min = ?7, overtime_bp = ?8 WHERE id = ?1",
        params![
            room.id,
            room.currency,
            room.hourly.0,
            room.half_day.0,
            room.day.0,
            room.setup_min,
            room.teardown_min,
            room.overtime_bp
        ],
    )?;
    Ok(())
}

/// A room by id or name.
pub fn room(tx: &Tx, key: &str) -> Result<Room, StudioError> {
    let sql = format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE id = ?1 OR name = ?2 ORDER BY id = ?1 DESC LIMIT 1"
    );
    tx.query_row(
        &sql,
        params![key.parse::<i64>().unwrap_or(-1), key.trim()],
        room_from,
    )
    .optional()?
    .ok_or_else(|| not_found("room", key))
}

/// A room by id.
pub fn room_by_id(tx: &Tx, id: i64) -> Result<Room, StudioError> {
    room(tx, &id.to_string())
}

/// Every room, by name.
pub fn rooms(tx: &Tx) -> Result<Vec<Room>, StudioError> {
    let sql = format!("SELECT {ROOM_COLUMNS} FROM rooms ORDER BY name");
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt.query_map([], room_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn person_from(r: &Row) -> DbResult<Person> {
    Ok(Person {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: Named::parse(&r.get::<_, String>(2)?).unwrap_or(PersonKind::Musician),
        instruments: r.get(3)?,
        union: Named::parse(&r.get::<_, String>(4)?).unwrap_or(Union::None),
        contact: r.get(5)?,
    })
}

/// Add a person; returns the id.
pub fn add_person(
    tx: &Tx,
    name: &str,
    kind: PersonKind,
    instruments: &str,
    union: Union,
    contact: &str,
) -> Result<i64, StudioError> {
    need_name("name", name)?;
    let new_id = tx.insert(
        "INSERT INTO people (name, kind, instruments, union_name, contact) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name.trim(), kind.as_str(), instruments.trim(), union.as_str(), contact.trim()],
    )
    .map_err(|e| unique(e, "person", name))?;
    Ok(new_id)
}

/// A person by id or name.
pub fn person(tx: &Tx, key: &str) -> Result<Person, StudioError> {
    tx.query_row(
        "SELECT id, name, kind, instruments, union_name, contact FROM people
         WHERE id = ?1 OR name = ?2 ORDER BY id = ?1 DESC LIMIT 1",
        params![key.parse::<i64>().unwrap_or(-1), key.trim()],
        person_from,
    )
    .optional()?
    .ok_or_else(|| not_found("person", key))
}

/// Everyone, by name.
pub fn people(tx: &Tx) -> Result<Vec<Person>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT id, name, kind, instruments, union_name, contact FROM people ORDER BY name",
    )?;
    let rows = stmt.query_map([], person_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn project_from(r: &Row) -> DbResult<Project> {
    Ok(Project {
        id: r.get(0)?,
        title: r.get(1)?,
        artist: r.get(2)?,
        producer: r.get(3)?,
        currency: r.get(4)?,
        contingency_bp: r.get(5)?,
    })
}

const PROJECT_SELECT: &str = "SELECT p.id, p.title, a.name, pr.name, p.currency, p.contingency_bp
     FROM projects p LEFT JOIN people a ON a.id = p.artist_id LEFT JOIN people pr ON pr.id = p.producer_id";

/// Add a project; artist and producer must exist. Returns the id.
pub fn add_project(
    tx: &Tx,
    title: &str,
    artist: Option<&str>,
    producer: Option<&str>,
    currency: &str,
    contingency_bp: i64,
) -> Result<i64, StudioError> {
    need_name("title", title)?;
    let artist = artist.map(|a| person(tx, a)).transpose()?;
    let producer = producer.map(|p| person(tx, p)).transpose()?;
    let new_id = tx.insert(
        "INSERT INTO projects (title, artist_id, producer_id, currency, contingency_bp) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            title.trim(),
            artist.map(|a| a.id),
            producer.map(|p| p.id),
            currency,
            contingency_bp
        ],
    )
    .map_err(|e| unique(e, "project", title))?;
    Ok(new_id)
}

/// A project by id or title.
pub fn project(tx: &Tx, key: &str) -> Result<Project, StudioError> {
    let sql =
        format!("{PROJECT_SELECT} WHERE p.id = ?1 OR p.title = ?2 ORDER BY p.id = ?1 DESC LIMIT 1");
    tx.query_row(
        &sql,
        params![key.parse::<i64>().unwrap_or(-1), key.trim()],
        project_from,
    )
    .optional()?
    .ok_or_else(|| not_found("project", key))
}

/// Name `client_key` as the one project `id` bills.
pub fn set_client(tx: &Tx, id: i64, client_key: &str) -> Result<(), StudioError> {
    let client = person(tx, client_key)?;
    tx.execute(
        "UPDATE projects SET client_id = ?2 WHERE id = ?1",
        params![id, client.id],
    )?;
    Ok(())
}

/// Every project, by title.
pub fn projects(tx: &Tx) -> Result<Vec<Project>, StudioError> {
    let sql = format!("{PROJECT_SELECT} ORDER BY p.title");
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt.query_map([], project_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
