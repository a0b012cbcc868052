//! Bookings the way studios book: ranked holds, firming, challenges, expiry, cancellation.
//!
//! - A **hold** pencils a room for a time. Holds on overlapping times in the same room are ranked
//!   by when they were placed: 1st hold, 2nd hold, … A hold's rank is 1 + the number of active holds
//!   that overlap it and were placed before it, so when a hold ahead is released, expires or is
//!   dropped, the ones behind move up.
//! - **Firming** (confirming) a hold needs it to be the 1st hold and no confirmed booking to overlap;
//!   it drops every overlapping hold and names their holders.
//! - A lower hold can **challenge** the holds ahead of it: each gets a deadline (default 17:00 local
//!   time the day before its start) to firm or release; unanswered, it is released.
//! - A hold **expires** a set time after it was placed (default 48 h) unless firmed.
//! - **Cancelling** a confirmed booking charges a share of its cost by how close to the start it is
//!   cancelled (defaults: under 48 h 50 %, under 24 h 100 %), recorded on the booking.
//!
//! Occupancy includes the room's setup and teardown times: two sessions conflict when their
//! occupied times overlap.

use crate::studio::db::{DbResult, OptionalExtension, Row, Tx, params};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::entities::{Room, person, project, room, room_by_id};
use super::facility::studio_tz;
use super::pricing::{self, sessions, sessions_cost};
use super::units::{Minor, format_local, percent_text};
use super::{StudioError, invalid, not_found};

/// Where a booking stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Hold,
    Confirmed,
    Released,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Hold => "hold",
            Status::Confirmed => "confirmed",
            Status::Released => "released",
            Status::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "hold" => Status::Hold,
            "confirmed" => Status::Confirmed,
            "released" => Status::Released,
            _ => Status::Cancelled,
        }
    }
}

/// A booking as stored, with the names it refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Booking {
    pub id: i64,
    pub project: String,
    pub project_id: i64,
    pub room: String,
    pub room_id: i64,
    pub engineer: Option<String>,
    pub assistant: Option<String>,
    /// The start; for a block, of its first day.
    pub start_utc: i64,
    /// The end; for a block, of its last day.
    pub end_utc: i64,
    /// Days of a block booking (the same local times each day); 1 for a single booking.
    pub days: i64,
    /// The end of the first day (of a block; the end for one booking).
    pub first_end_utc: i64,
    pub status: Status,
    /// 1 for the 1st hold; `None` unless on hold.
    pub rank: Option<i64>,
    pub created_utc: i64,
    pub expires_utc: Option<i64>,
    pub challenge_deadline_utc: Option<i64>,
    pub challenged_by: Option<i64>,
    pub closed_utc: Option<i64>,
    pub closed_reason: Option<String>,
    /// When the session really ended, if it ran over.
    pub actual_end_utc: Option<i64>,
    pub cancel_charge: Minor,
    pub currency: String,
}

impl Booking {
    /// "1st hold", "2nd hold", "confirmed", …
    pub fn state(&self) -> String {
        match (self.status, self.rank) {
            (Status::Hold, Some(rank)) => format!("{} hold", ordinal(rank)),
            (status, _) => status.as_str().to_string(),
        }
    }

    /// When, for people: "2026-12-01 10:00–20:00", "2027-03-01 20:00–2027-03-02 04:00" past
    /// midnight, a block "2027-03-01 to 2027-03-02, 2 days 10:00–20:00".
    pub fn when(&self, tz: &TimeZone) -> String {
        let (start, end, first_end) = (
            format_local(self.start_utc, tz),
            format_local(self.end_utc, tz),
            format_local(self.first_end_utc, tz),
        );
        let day = |t: &str| t.split(' ').next().unwrap_or_default().to_string();
        let time = |t: &str| t.split(' ').nth(1).unwrap_or_default().to_string();
        if self.days > 1 {
            let last = pricing::shift_days(self.start_utc, self.days - 1, tz)
                .map(|t| format_local(t, tz))
                .unwrap_or_else(|_| end.clone());
            return format!(
                "{} to {}, {} days {}–{}",
                day(&start),
                day(&last),
                self.days,
                time(&start),
                time(&first_end)
            );
        }
        // The end's day is shown when it is not the start's (a night session, a long booking).
        if day(&start) == day(&end) {
            format!("{start}–{}", time(&end))
        } else {
            format!("{start}–{end}")
        }
    }

    /// One line for people: "#3 Studio A 2026-12-01 10:00–20:00 (Album, 1st hold)".
    pub fn describe(&self, tz: &TimeZone) -> String {
        format!(
            "#{} {} {} ({}, {})",
            self.id,
            self.room,
            self.when(tz),
            self.project,
            self.state()
        )
    }
}

impl Booking {
    /// "lapses 2026-12-03 10:00 unless confirmed", for a hold with an expiry.
    pub fn lapse_text(&self, tz: &TimeZone) -> Option<String> {
        self.expires_utc
            .map(|e| format!("lapses {} unless confirmed", format_local(e, tz)))
    }

    /// "challenged #2 …: firm or release by 2026-11-30 17:00", for a challenged hold.
    pub fn challenge_text(&self, tz: &TimeZone) -> String {
        format!(
            "challenged {}: firm or release by {}",
            self.describe(tz),
            self.challenge_deadline_utc
                .map(|d| format_local(d, tz))
                .unwrap_or_default()
        )
    }
}

/// 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, 21st.
pub fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

const SELECT: &str =
    "SELECT b.id, p.title, b.project_id, r.name, b.room_id, e.name, b.start_utc, b.end_utc,
        b.status, b.rank, b.created_utc, b.expires_utc, b.challenge_deadline_utc, b.challenged_by,
        b.closed_utc, b.closed_reason, b.actual_end_utc, b.cancel_charge, r.currency, b.days,
        a.name, coalesce(b.first_end_utc, b.end_utc)
     FROM bookings b JOIN projects p ON p.id = b.project_id JOIN rooms r ON r.id = b.room_id
     LEFT JOIN people e ON e.id = b.engineer_id LEFT JOIN people a ON a.id = b.assistant_id";

fn from_row(r: &Row) -> DbResult<Booking> {
    Ok(Booking {
        id: r.get(0)?,
        project: r.get(1)?,
        project_id: r.get(2)?,
        room: r.get(3)?,
        room_id: r.get(4)?,
        engineer: r.get(5)?,
        start_utc: r.get(6)?,
        end_utc: r.get(7)?,
        status: Status::parse(&r.get::<_, String>(8)?),
        rank: r.get(9)?,
        created_utc: r.get(10)?,
        expires_utc: r.get(11)?,
        challenge_deadline_utc: r.get(12)?,
        challenged_by: r.get(13)?,
        closed_utc: r.get(14)?,
        closed_reason: r.get(15)?,
        actual_end_utc: r.get(16)?,
        cancel_charge: Minor(r.get(17)?),
        currency: r.get(18)?,
        days: r.get(19)?,
        assistant: r.get(20)?,
        first_end_utc: r.get(21)?,
    })
}

/// A booking by id.
pub fn get(tx: &Tx, id: i64) -> Result<Booking, StudioError> {
    tx.query_row(&format!("{SELECT} WHERE b.id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| not_found("booking", format!("#{id}")))
}

/// Bookings, optionally of one room or project, in start order.
pub fn list(
    tx: &Tx,
    room_id: Option<i64>,
    project_id: Option<i64>,
) -> Result<Vec<Booking>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "{SELECT} WHERE (b.room_id = ?1 OR ?1 IS NULL) AND (b.project_id = ?2 OR ?2 IS NULL)
         ORDER BY b.start_utc, b.id"
    ))?;
    let rows = stmt.query_map(params![room_id, project_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The longest a booking can last: a block of 31 days, its last day ending by the next one's
/// morning (the window query looks this far back for bookings still running).
const LONGEST_S: i64 = 33 * 86_400;

/// Bookings that overlap `[from_utc, to_utc)` (a calendar's week, a listing between two dates),
/// optionally of one room or project, in start order. Found through the index on start times,
/// however many years the studio holds.
pub fn between(
    tx: &Tx,
    from_utc: i64,
    to_utc: i64,
    room_id: Option<i64>,
    project_id: Option<i64>,
) -> Result<Vec<Booking>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "{SELECT} WHERE b.start_utc >= ?1 AND b.start_utc < ?2 AND b.end_utc > ?3
           AND (b.room_id = ?4 OR ?4 IS NULL) AND (b.project_id = ?5 OR ?5 IS NULL)
         ORDER BY b.start_utc, b.id"
    ))?;
    let rows = stmt.query_map(
        params![
            from_utc.saturating_sub(LONGEST_S),
            to_utc,
            from_utc,
            room_id,
            project_id
        ],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Holds and confirmed bookings running after `since_utc` (an overrun counts) that start before
/// `until_utc`, in start order: what a desk offers to log takes, hires and checks against. Found
/// through the index on start times.
pub fn current(tx: &Tx, since_utc: i64, until_utc: i64) -> Result<Vec<Booking>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "{SELECT} WHERE b.start_utc >= ?1 AND b.start_utc < ?2
           AND coalesce(b.actual_end_utc, b.end_utc) > ?3
           AND b.status IN ('hold', 'confirmed')
         ORDER BY b.start_utc, b.id"
    ))?;
    let rows = stmt.query_map(
        params![
            since_utc.saturating_sub(LONGEST_S + MAX_OVERRUN_S),
            until_utc,
            since_utc
        ],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A policy value from `settings`.
pub fn setting(tx: &Tx, name: &str) -> Result<i64, StudioError> {
    tx.query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| not_found("setting", name))
}

/// A booking policy value with its meaning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Setting {
    pub name: String,
    pub value: i64,
    pub source: String,
}

/// Every policy value.
pub fn settings(tx: &Tx) -> Result<Vec<Setting>, StudioError> {
    let mut stmt = tx.prepare("SELECT name, value, source FROM settings ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(Setting {
            name: r.get(0)?,
            value: r.get(1)?,
            source: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Change a policy value from text: percentages (names ending `_bp`) as 50 or 12.5, the rest as
/// whole numbers.
pub fn set_setting_text(tx: &Tx, name: &str, text: &str) -> Result<Setting, StudioError> {
    let value = if name.ends_with("_bp") {
        super::units::parse_percent_bp(text)?
    } else {
        text.trim()
            .parse::<i64>()
            .map_err(|_| StudioError::Invalid {
                field: "value",
                problem: format!("'{text}' is not a whole number"),
            })?
    };
    set_setting(tx, name, value)
}

/// Change a policy value (it must exist; hours and percentages must be sensible).
pub fn set_setting(tx: &Tx, name: &str, value: i64) -> Result<Setting, StudioError> {
    let valid = match name {
        "challenge_hour" => (0..=23).contains(&value),
        n if n.ends_with("_bp") => (0..=10_000).contains(&value),
        _ => (0..=24 * 365).contains(&value),
    };
    if !valid {
        return invalid("value", format!("{value} is out of range for {name}"));
    }
    let changed = tx.execute(
        "UPDATE settings SET value = ?2, source = source || ' (changed)' WHERE name = ?1",
        params![name, value],
    )?;
    if changed == 0 {
        return invalid(
            "policy",
            format!("no policy '{name}' (see studiodesk policy list)"),
        );
    }
    settings(tx)?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| not_found("setting", name))
}

/// Active bookings (holds and confirmed) in `room` whose occupied time overlaps `[start, end)`
/// occupied likewise, other than `except`.
fn overlapping(
    tx: &Tx,
    room: &Room,
    start: i64,
    end: i64,
    except: Option<i64>,
) -> Result<Vec<Booking>, StudioError> {
    let (setup, teardown) = (room.setup_min * 60, room.teardown_min * 60);
    let mut stmt = tx.prepare(&format!(
        "{SELECT} WHERE b.room_id = ?1 AND b.status IN ('hold', 'confirmed')
           AND b.start_utc - ?2 < CAST(?4 AS BIGINT) + ?3
           AND b.end_utc + ?3 > CAST(?5 AS BIGINT) - ?2 AND b.id IS DISTINCT FROM ?6
         ORDER BY b.id"
    ))?;
    let rows = stmt.query_map(
        params![room.id, setup, teardown, end, start, except],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The confirmed booking (other than `except`) that already has person `person_id` — as its
/// engineer, assistant or a hired musician — during one of `sessions`, in any room. A block's
/// people are busy on its days, not the nights between.
pub fn person_busy(
    tx: &Tx,
    person_id: i64,
    sessions: &[(i64, i64)],
    except: Option<i64>,
) -> Result<Option<Booking>, StudioError> {
    let (Some(&(start, _)), Some(&(_, end))) = (sessions.first(), sessions.last()) else {
        return Ok(None);
    };
    let mut stmt = tx.prepare(&format!(
        "{SELECT} WHERE b.status = 'confirmed' AND b.id IS DISTINCT FROM ?4
           AND b.start_utc < ?3 AND b.end_utc > ?2
           AND (b.engineer_id = ?1 OR b.assistant_id = ?1
                OR EXISTS (SELECT 1 FROM hires h WHERE h.booking_id = b.id AND h.person_id = ?1))
         ORDER BY b.start_utc, b.id"
    ))?;
    let candidates = stmt
        .query_map(params![person_id, start, end, except], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    for other in candidates {
        let theirs = sessions_of(tx, &other)?;
        let meet = sessions
            .iter()
            .any(|&(s, e)| theirs.iter().any(|&(ts, te)| ts < e && te > s));
        if meet {
            return Ok(Some(other));
        }
    }
    Ok(None)
}

/// Fail when a person of `people` (id, name) is on another confirmed booking during one of
/// `sessions`: a person cannot be in two sessions at once, whatever the rooms.
pub(crate) fn people_free(
    tx: &Tx,
    tz: &TimeZone,
    people: &[(i64, String)],
    sessions: &[(i64, i64)],
    except: Option<i64>,
) -> Result<(), StudioError> {
    for (id, name) in people {
        if let Some(taken) = person_busy(tx, *id, sessions, except)? {
            return Err(StudioError::Conflict(format!(
                "{name} is already booked then: {}",
                taken.describe(tz)
            )));
        }
    }
    Ok(())
}

/// The people on booking `id`: its engineer and the musicians hired for it (id, name).
fn people_on(tx: &Tx, id: i64) -> Result<Vec<(i64, String)>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT p.id, p.name FROM bookings b JOIN people p
           ON p.id = b.engineer_id OR p.id = b.assistant_id WHERE b.id = ?1
         UNION
         SELECT p.id, p.name FROM hires h JOIN people p ON p.id = h.person_id WHERE h.booking_id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Longest a session may run past its booked end, in seconds (a day: more is a mistyped date).
const MAX_OVERRUN_S: i64 = 24 * 3600;
/// Most days one block booking may have.
const MAX_BLOCK_DAYS: i64 = 31;
/// Longest a hold may be kept before it lapses, in hours (a year).
const MAX_HOLD_HOURS: i64 = 366 * 24;

/// The sessions booking `b` is priced as (see [`pricing::sessions`]), in the studio's zone.
pub fn sessions_of(tx: &Tx, b: &Booking) -> Result<Vec<(i64, i64)>, StudioError> {
    sessions(
        b.start_utc,
        b.end_utc,
        b.days,
        b.first_end_utc,
        &studio_tz(tx)?,
    )
}

/// The days booking `b` occupies: each day of a block, else the booking as one.
pub fn days_of(tx: &Tx, b: &Booking) -> Result<Vec<(i64, i64)>, StudioError> {
    if b.days > 1 {
        sessions_of(tx, b)
    } else {
        Ok(vec![(b.start_utc, b.end_utc)])
    }
}

/// The cost of a confirmed booking: each session at the rate card, plus overtime when the last
/// ran over.
pub fn cost(tx: &Tx, b: &Booking) -> Result<Minor, StudioError> {
    let [booked, overtime] = cost_parts(tx, b)?;
    Ok(booked.plus(overtime)?)
}

/// A booking's cost in its two parts: the booked sessions at the rate card, and the overtime.
pub fn cost_parts(tx: &Tx, b: &Booking) -> Result<[Minor; 2], StudioError> {
    let card = room_by_id(tx, b.room_id)?.card();
    let sessions = sessions_of(tx, b)?;
    let booked = sessions_cost(&card, &sessions, None)?;
    let with_overtime = sessions_cost(&card, &sessions, b.actual_end_utc)?;
    Ok([booked, with_overtime.minus(booked)?])
}

/// What a booking costs as it stands: a hold or a confirmed session at the rate card (with its
/// overtime), a cancelled one its cancellation charge; a released hold nothing (`None`).
pub fn price(tx: &Tx, b: &Booking) -> Result<Option<Minor>, StudioError> {
    Ok(match b.status {
        Status::Hold | Status::Confirmed => Some(cost(tx, b)?),
        Status::Cancelled => Some(b.cancel_charge),
        _ => None,
    })
}

/// What a new hold needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHold {
    pub project: String,
    pub room: String,
    pub engineer: Option<String>,
    pub assistant: Option<String>,
    /// The start, and the end of the first (or only) day.
    pub start_utc: i64,
    pub end_utc: i64,
    /// Consecutive days at the same local times (a block booking); 1 for one booking.
    pub days: i64,
    /// Hours until the hold lapses (default: the `hold_expiry_hours` setting).
    pub expires_hours: Option<i64>,
}

/// Place a hold. Fails when the end is not after the start, a name is unknown, or a confirmed
/// booking already occupies the time (naming it).
pub fn hold(tx: &Tx, tz: &TimeZone, new: &NewHold, now: i64) -> Result<Booking, StudioError> {
    if new.end_utc <= new.start_utc {
        return invalid("end", "must be after the start");
    }
    if new.end_utc - new.start_utc > 7 * 24 * 3600 {
        return invalid("end", "a booking longer than a week: book it in parts");
    }
    if !(1..=MAX_BLOCK_DAYS).contains(&new.days) {
        return invalid(
            "days",
            format!("a block is 1 to {MAX_BLOCK_DAYS} days, not {}", new.days),
        );
    }
    if new.days > 1 && new.end_utc - new.start_utc >= 24 * 3600 {
        return invalid(
            "end",
            "each day of a block must be shorter than a day: give the first day's end",
        );
    }
    // A block's stored end is its last day's end, at the same local time.
    let end_utc = pricing::shift_days(new.end_utc, new.days - 1, &studio_tz(tx)?)?;
    let project = project(tx, &new.project)?;
    let room = room(tx, &new.room)?;
    let engineer = new.engineer.as_deref().map(|e| person(tx, e)).transpose()?;
    let assistant = new
        .assistant
        .as_deref()
        .map(|a| person(tx, a))
        .transpose()?;
    let crew: Vec<(i64, String)> = engineer
        .iter()
        .chain(assistant.iter())
        .map(|p| (p.id, p.name.clone()))
        .collect();
    if let [(a, name), (b, _)] = crew.as_slice()
        && a == b
    {
        return invalid(
            "assistant",
            format!("{name} cannot be both the engineer and the assistant"),
        );
    }
    let days = sessions(
        new.start_utc,
        end_utc,
        new.days,
        new.end_utc,
        &studio_tz(tx)?,
    )?;
    people_free(tx, tz, &crew, &days, None)?;
    if let Some(taken) = overlapping(tx, &room, new.start_utc, end_utc, None)?
        .into_iter()
        .find(|b| b.status == Status::Confirmed)
    {
        return Err(StudioError::Conflict(format!(
            "{} is already booked then: {}",
            room.name,
            taken.describe(tz)
        )));
    }
    let expiry_hours = match new.expires_hours {
        Some(h) if h <= 0 => return invalid("expires", "must be a positive number of hours"),
        Some(h) if h > MAX_HOLD_HOURS => {
            return invalid("expires", format!("{h} hours is more than a year"));
        }
        Some(h) => h,
        None => setting(tx, "hold_expiry_hours")?,
    };
    let new_id = tx.insert(
        "INSERT INTO bookings (project_id, room_id, engineer_id, start_utc, end_utc, status, rank,
           created_utc, expires_utc, days, assistant_id, first_end_utc)
         VALUES (?1, ?2, ?3, ?4, ?5, 'hold', 0, ?6, ?7, ?8, ?9, ?10)",
        params![
            project.id,
            room.id,
            engineer.map(|e| e.id),
            new.start_utc,
            end_utc,
            now,
            now + expiry_hours * 3600,
            new.days,
            assistant.map(|a| a.id),
            (new.days > 1).then_some(new.end_utc)
        ],
    )?;
    let id = new_id;
    rank_holds(tx, room.id)?;
    get(tx, id)
}

/// Book firm at once (a hold confirmed in the same transaction): the time must be free of
/// confirmed bookings and of holds, or the conflict is named.
pub fn book(tx: &Tx, tz: &TimeZone, new: &NewHold, now: i64) -> Result<Firmed, StudioError> {
    let held = hold(tx, tz, new, now)?;
    if held.rank != Some(1) {
        let room = room_by_id(tx, held.room_id)?;
        let ahead = overlapping(tx, &room, held.start_utc, held.end_utc, Some(held.id))?;
        let first = ahead.first().map(|b| b.describe(tz)).unwrap_or_default();
        return Err(StudioError::Conflict(format!("the time is held: {first}")));
    }
    confirm(tx, tz, held.id, now)
}

/// Set every active hold's rank in `room_id`: 1 + the overlapping active holds placed before it.
fn rank_holds(tx: &Tx, room_id: i64) -> Result<(), StudioError> {
    let room = room_by_id(tx, room_id)?;
    let (setup, teardown) = (room.setup_min * 60, room.teardown_min * 60);
    tx.execute(
        "UPDATE bookings AS b SET rank = 1 + (
            SELECT count(*) FROM bookings o
            WHERE o.room_id = b.room_id AND o.status = 'hold' AND o.id < b.id
              AND o.start_utc - ?2 < b.end_utc + ?3 AND o.end_utc + ?3 > b.start_utc - ?2)
         WHERE b.room_id = ?1 AND b.status = 'hold'",
        params![room_id, setup, teardown],
    )?;
    Ok(())
}

/// What firming a hold did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Firmed {
    pub booking: Booking,
    /// Holds on the same time that were dropped.
    pub dropped: Vec<Booking>,
}

/// Confirm ("firm") a hold: it must be the 1st hold and nothing confirmed may overlap it. Every
/// overlapping hold is dropped; they are returned so their holders can be told.
pub fn confirm(tx: &Tx, tz: &TimeZone, id: i64, now: i64) -> Result<Firmed, StudioError> {
    let b = get(tx, id)?;
    if b.status != Status::Hold {
        return invalid(
            "booking",
            format!("#{id} is {}, only a hold can be confirmed", b.state()),
        );
    }
    let room = room_by_id(tx, b.room_id)?;
    let others = overlapping(tx, &room, b.start_utc, b.end_utc, Some(id))?;
    if let Some(taken) = others.iter().find(|o| o.status == Status::Confirmed) {
        return Err(StudioError::Conflict(format!(
            "#{id} overlaps a confirmed booking: {}",
            taken.describe(tz)
        )));
    }
    people_free(tx, tz, &people_on(tx, id)?, &sessions_of(tx, &b)?, Some(id))?;
    // Ahead of it: overlapping holds placed earlier.
    if let Some(ahead) = others
        .iter()
        .find(|o| o.status == Status::Hold && o.id < b.id)
    {
        return Err(StudioError::Conflict(format!(
            "#{id} is the {}; {} is ahead of it (challenge it, or wait for it to be released)",
            b.state(),
            ahead.describe(tz)
        )));
    }
    tx.execute(
        "UPDATE bookings SET status = 'confirmed', rank = NULL, expires_utc = NULL,
           challenge_deadline_utc = NULL WHERE id = ?1",
        [id],
    )?;
    let mut dropped = Vec::new();
    for other in others {
        close(
            tx,
            other.id,
            Status::Released,
            now,
            &format!("dropped: #{id} was confirmed for that time"),
        )?;
        dropped.push(get(tx, other.id)?);
    }
    rank_holds(tx, b.room_id)?;
    Ok(Firmed {
        booking: get(tx, id)?,
        dropped,
    })
}

fn close(tx: &Tx, id: i64, status: Status, now: i64, reason: &str) -> Result<(), StudioError> {
    tx.execute(
        "UPDATE bookings SET status = ?2, rank = NULL, closed_utc = ?3, closed_reason = ?4,
           challenge_deadline_utc = NULL WHERE id = ?1",
        params![id, status.as_str(), now, reason],
    )?;
    Ok(())
}

/// Release a hold (the holders behind it move up). A confirmed booking is cancelled instead.
pub fn release(tx: &Tx, id: i64, now: i64) -> Result<Booking, StudioError> {
    let b = get(tx, id)?;
    if b.status != Status::Hold {
        return invalid(
            "booking",
            format!(
                "#{id} is {}; release applies to holds (cancel a confirmed booking)",
                b.state()
            ),
        );
    }
    close(tx, id, Status::Released, now, "released by the holder")?;
    rank_holds(tx, b.room_id)?;
    get(tx, id)
}

/// 17:00 (the `challenge_hour` setting) on the day before `start_utc`, in the studio's zone.
fn challenge_deadline(tx: &Tx, start_utc: i64) -> Result<i64, StudioError> {
    let hour = setting(tx, "challenge_hour")?;
    let tz = &studio_tz(tx)?;
    let start = Timestamp::from_second(start_utc)
        .map_err(|e| StudioError::Invalid {
            field: "start",
            problem: e.to_string(),
        })?
        .to_zoned_datetime(tz.clone());
    let day_before = start.date().yesterday().map_err(|e| StudioError::Invalid {
        field: "start",
        problem: e.to_string(),
    })?;
    let at = day_before
        .at(hour as i8, 0, 0, 0)
        .to_zoned_datetime(tz.clone())
        .map_err(|e| StudioError::Invalid {
            field: "start",
            problem: e.to_string(),
        })?;
    Ok(at.timestamp().as_second())
}

/// Challenge the holds ahead of hold `id`: each must firm or release by its deadline (17:00 the
/// day before it starts; 24 h from now when that has passed), or it is released. Returns the
/// challenged holds.
pub fn challenge(tx: &Tx, id: i64, now: i64) -> Result<Vec<Booking>, StudioError> {
    let b = get(tx, id)?;
    if b.status != Status::Hold || b.rank == Some(1) {
        return invalid(
            "booking",
            format!(
                "#{id} is {}: only a 2nd or lower hold can challenge",
                b.state()
            ),
        );
    }
    let room = room_by_id(tx, b.room_id)?;
    let ahead: Vec<Booking> = overlapping(tx, &room, b.start_utc, b.end_utc, Some(id))?
        .into_iter()
        .filter(|o| o.status == Status::Hold && o.id < b.id)
        .collect();
    let mut challenged = Vec::new();
    for other in ahead {
        let deadline = challenge_deadline(tx, other.start_utc)?;
        let deadline = if deadline <= now {
            now + 24 * 3600
        } else {
            deadline
        };
        tx.execute(
            "UPDATE bookings SET challenge_deadline_utc = ?2, challenged_by = ?3 WHERE id = ?1",
            params![other.id, deadline, id],
        )?;
        challenged.push(get(tx, other.id)?);
    }
    Ok(challenged)
}

/// What cancelling cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cancelled {
    pub booking: Booking,
    /// The booking's cost at the rate card.
    pub cost: Minor,
    /// The share charged, in basis points.
    pub charge_bp: i64,
}

impl Cancelled {
    /// "charge 350.00 GBP (50 % of 700.00)".
    pub fn charge_text(&self) -> String {
        format!(
            "charge {} {} ({} of {})",
            self.booking.cancel_charge,
            self.booking.currency,
            percent_text(self.charge_bp),
            self.cost
        )
    }
}

/// Cancel a confirmed booking (a hold is released instead), charging by the policy: the
/// `cancel_full_bp` share under `cancel_full_hours` before the start, `cancel_partial_bp` under
/// `cancel_partial_hours`, nothing earlier.
pub fn cancel(tx: &Tx, id: i64, now: i64) -> Result<Cancelled, StudioError> {
    let b = get(tx, id)?;
    match b.status {
        Status::Confirmed => {}
        Status::Hold => return invalid("booking", format!("#{id} is a hold: release it instead")),
        _ => return invalid("booking", format!("#{id} is {} already", b.state())),
    }
    let room = room_by_id(tx, b.room_id)?;
    let cost = sessions_cost(&room.card(), &sessions_of(tx, &b)?, None)?;
    let hours_before = (b.start_utc - now) as f64 / 3600.0;
    let charge_bp = if hours_before < setting(tx, "cancel_full_hours")? as f64 {
        setting(tx, "cancel_full_bp")?
    } else if hours_before < setting(tx, "cancel_partial_hours")? as f64 {
        setting(tx, "cancel_partial_bp")?
    } else {
        0
    };
    let charge = cost.percent(charge_bp)?;
    tx.execute(
        "UPDATE bookings SET cancel_charge = ?2 WHERE id = ?1",
        params![id, charge.0],
    )?;
    close(
        tx,
        id,
        Status::Cancelled,
        now,
        &format!(
            "cancelled {hours_before:.1} h before the start, charged {charge} ({})",
            percent_text(charge_bp)
        ),
    )?;
    Ok(Cancelled {
        booking: get(tx, id)?,
        cost,
        charge_bp,
    })
}

/// Record when a confirmed session really ended (for overtime).
pub fn set_actual_end(tx: &Tx, id: i64, actual_end_utc: i64) -> Result<Booking, StudioError> {
    let b = get(tx, id)?;
    if b.status != Status::Confirmed {
        return invalid(
            "booking",
            format!(
                "#{id} is {}: only a confirmed session has an actual end",
                b.state()
            ),
        );
    }
    if actual_end_utc <= b.start_utc {
        return invalid("end", "the session cannot end before it starts");
    }
    if actual_end_utc - b.end_utc > MAX_OVERRUN_S {
        return invalid(
            "end",
            format!(
                "{} is more than a day past the booked end ({}): check the date",
                format_local(actual_end_utc, &TimeZone::UTC),
                format_local(b.end_utc, &TimeZone::UTC)
            ),
        );
    }
    tx.execute(
        "UPDATE bookings SET actual_end_utc = ?2 WHERE id = ?1",
        params![id, actual_end_utc],
    )?;
    get(tx, id)
}

/// True when some hold has lapsed or lost its challenge by `now` ([`sweep`] would release it).
pub fn due(tx: &Tx, now: i64) -> Result<bool, StudioError> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE status = 'hold'
           AND (expires_utc <= ?1 OR challenge_deadline_utc <= ?1))",
        [now],
        |r| r.get(0),
    )?)
}

/// Release holds that expired and challenged holds whose deadline passed, then re-rank.
pub fn sweep(tx: &Tx, now: i64) -> Result<(), StudioError> {
    let mut stmt = tx.prepare(
        "SELECT id, room_id, challenged_by, expires_utc <= ?1 FROM bookings WHERE status = 'hold'
           AND (expires_utc <= ?1 OR challenge_deadline_utc <= ?1)",
    )?;
    let due: Vec<(i64, i64, Option<i64>, bool)> = stmt
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    drop(stmt);
    let mut rooms = Vec::new();
    for (id, room_id, challenger, expired) in due {
        let reason = if expired {
            "expired: not firmed in time".to_string()
        } else {
            format!(
                "challenge by #{} unanswered by the deadline",
                challenger.unwrap_or(0)
            )
        };
        close(tx, id, Status::Released, now, &reason)?;
        rooms.push(room_id);
    }
    rooms.sort_unstable();
    rooms.dedup();
    for room_id in rooms {
        rank_holds(tx, room_id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 111]
            .iter()
            .map(|n| ordinal(*n))
            .collect();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th"
            ]
        );
    }
}
