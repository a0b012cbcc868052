//! The session log: takes (rated, circled, typed), timestamped notes and markers, and the input
//! list of a booking; exported as a take sheet.

use crate::studio::db::{DbResult, OptionalExtension, Row, Tx, params};
use jiff::tz::TimeZone;
use serde::Serialize;

use super::bookings;
use super::entities::project;
use super::names::Named;
use super::units::format_local;
use super::{StudioError, invalid, not_found};

/// What a take was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TakeType {
    Default,
    NoGood,
    FalseStart,
    WildTrack,
    Pickup,
    Rehearsal,
}

impl TakeType {
    pub fn as_str(self) -> &'static str {
        match self {
            TakeType::Default => "default",
            TakeType::NoGood => "no_good",
            TakeType::FalseStart => "false_start",
            TakeType::WildTrack => "wild_track",
            TakeType::Pickup => "pickup",
            TakeType::Rehearsal => "rehearsal",
        }
    }

    /// The word iXML's TAKE_TYPE uses ("NO_GOOD").
    pub fn ixml(self) -> String {
        self.as_str().to_ascii_uppercase()
    }
}

/// A take.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Take {
    pub id: i64,
    pub booking_id: i64,
    pub song: String,
    /// 1, 2, 3 … per song within the booking.
    pub take_no: i64,
    pub start_utc: i64,
    pub duration_s: f64,
    /// Recorded files, comma separated.
    pub files: String,
    /// 0–5.
    pub rating: i64,
    pub circled: bool,
    pub take_type: TakeType,
    pub notes: String,
}

/// A note or marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub booking_id: i64,
    pub at_utc: i64,
    pub kind: String,
    pub text: String,
}

/// One line of the input list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Input {
    pub channel: i64,
    pub source: String,
    pub mic: String,
}

/// What a new take needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewTake {
    pub song: String,
    pub start_utc: i64,
    /// Length, in seconds.
    pub duration_s: f64,
    /// Recorded files, comma separated.
    pub files: String,
    pub rating: i64,
    pub circled: bool,
    pub take_type: Option<TakeType>,
    pub notes: String,
}

fn take_from(r: &Row) -> DbResult<Take> {
    Ok(Take {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        song: r.get(2)?,
        take_no: r.get(3)?,
        start_utc: r.get(4)?,
        duration_s: r.get(5)?,
        files: r.get(6)?,
        rating: r.get(7)?,
        circled: r.get(8)?,
        take_type: Named::parse(&r.get::<_, String>(9)?).unwrap_or(TakeType::Default),
        notes: r.get(10)?,
    })
}

const TAKE_COLUMNS: &str = "id, booking_id, song, take_no, start_utc, duration_s, files, rating, circled, take_type, notes";

fn check_rating(rating: i64) -> Result<(), StudioError> {
    if !(0..=5).contains(&rating) {
        return invalid("rating", "from 0 to 5");
    }
    Ok(())
}

/// Log a take; its number is the next for that song in that booking.
pub fn add_take(tx: &Tx, booking_id: i64, new: &NewTake) -> Result<Take, StudioError> {
    bookings::get(tx, booking_id)?;
    if new.song.trim().is_empty() {
        return invalid("song", "must not be empty");
    }
    check_rating(new.rating)?;
    if !(new.duration_s >= 0.0 && new.duration_s.is_finite()) {
        return invalid("duration", "a non-negative number of seconds");
    }
    let next: i64 = tx.query_row(
        "SELECT coalesce(max(take_no), 0) + 1 FROM takes WHERE booking_id = ?1 AND song = ?2",
        params![booking_id, new.song.trim()],
        |r| r.get(0),
    )?;
    let new_id = tx.insert(
        "INSERT INTO takes (booking_id, song, take_no, start_utc, duration_s, files, rating, circled, take_type, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            booking_id,
            new.song.trim(),
            next,
            new.start_utc,
            new.duration_s,
            new.files.trim(),
            new.rating,
            new.circled,
            new.take_type.unwrap_or(TakeType::Default).as_str(),
            new.notes.trim()
        ],
    )?;
    take(tx, new_id)
}

/// A take by id.
pub fn take(tx: &Tx, id: i64) -> Result<Take, StudioError> {
    tx.query_row(
        &format!("SELECT {TAKE_COLUMNS} FROM takes WHERE id = ?1"),
        [id],
        take_from,
    )
    .optional()?
    .ok_or_else(|| not_found("take", format!("#{id}")))
}

/// The title of the project a take was recorded for.
pub fn take_project(tx: &Tx, take: &Take) -> Result<String, StudioError> {
    let b = bookings::get(tx, take.booking_id)?;
    Ok(project(tx, &b.project_id.to_string())?.title)
}

/// Change a take's rating, circle, type or notes (what is `None` stays).
pub fn update_take(
    tx: &Tx,
    id: i64,
    rating: Option<i64>,
    circled: Option<bool>,
    take_type: Option<TakeType>,
    notes: Option<&str>,
) -> Result<Take, StudioError> {
    let t = take(tx, id)?;
    if let Some(r) = rating {
        check_rating(r)?;
    }
    tx.execute(
        "UPDATE takes SET rating = ?2, circled = ?3, take_type = ?4, notes = ?5 WHERE id = ?1",
        params![
            id,
            rating.unwrap_or(t.rating),
            circled.unwrap_or(t.circled),
            take_type.unwrap_or(t.take_type).as_str(),
            notes.map(str::trim).unwrap_or(&t.notes)
        ],
    )?;
    take(tx, id)
}

/// The takes of a booking, in the order recorded.
pub fn takes(tx: &Tx, booking_id: i64) -> Result<Vec<Take>, StudioError> {
    let mut stmt = tx.prepare(&format!(
        "SELECT {TAKE_COLUMNS} FROM takes WHERE booking_id = ?1 ORDER BY start_utc, id"
    ))?;
    let rows = stmt.query_map([booking_id], take_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Add a note or a marker at `at_utc`.
pub fn add_entry(
    tx: &Tx,
    booking_id: i64,
    at_utc: i64,
    marker: bool,
    text: &str,
) -> Result<Entry, StudioError> {
    bookings::get(tx, booking_id)?;
    if text.trim().is_empty() {
        return invalid("text", "must not be empty");
    }
    let new_id = tx.insert(
        "INSERT INTO log_entries (booking_id, at_utc, kind, text) VALUES (?1, ?2, ?3, ?4)",
        params![
            booking_id,
            at_utc,
            if marker { "marker" } else { "note" },
            text.trim()
        ],
    )?;
    Ok(Entry {
        id: new_id,
        booking_id,
        at_utc,
        kind: if marker { "marker" } else { "note" }.into(),
        text: text.trim().into(),
    })
}

/// Notes and markers of a booking, in time order.
pub fn entries(tx: &Tx, booking_id: i64) -> Result<Vec<Entry>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT id, booking_id, at_utc, kind, text FROM log_entries WHERE booking_id = ?1 ORDER BY at_utc, id",
    )?;
    let rows = stmt.query_map([booking_id], |r| {
        Ok(Entry {
            id: r.get(0)?,
            booking_id: r.get(1)?,
            at_utc: r.get(2)?,
            kind: r.get(3)?,
            text: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Set (or replace) one channel of the input list.
pub fn set_input(
    tx: &Tx,
    booking_id: i64,
    channel: i64,
    source: &str,
    mic: &str,
) -> Result<(), StudioError> {
    bookings::get(tx, booking_id)?;
    if channel < 1 {
        return invalid("channel", "from 1 up");
    }
    if source.trim().is_empty() {
        return invalid("source", "must not be empty");
    }
    tx.execute(
        "INSERT INTO inputs (booking_id, channel, source, mic) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (booking_id, channel) DO UPDATE SET source = excluded.source, mic = excluded.mic",
        params![booking_id, channel, source.trim(), mic.trim()],
    )?;
    Ok(())
}

/// The input list of a booking.
pub fn inputs(tx: &Tx, booking_id: i64) -> Result<Vec<Input>, StudioError> {
    let mut stmt = tx.prepare(
        "SELECT channel, source, mic FROM inputs WHERE booking_id = ?1 ORDER BY channel",
    )?;
    let rows = stmt.query_map([booking_id], |r| {
        Ok(Input {
            channel: r.get(0)?,
            source: r.get(1)?,
            mic: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The header of a take sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SheetHeader {
    pub project: String,
    pub artist: String,
    pub producer: String,
    pub engineer: String,
    pub studio: String,
    pub date: String,
}

/// Header and takes of a booking's take sheet.
pub fn take_sheet(
    tx: &Tx,
    tz: &TimeZone,
    booking_id: i64,
) -> Result<(SheetHeader, Vec<Take>), StudioError> {
    let b = bookings::get(tx, booking_id)?;
    let p = project(tx, &b.project_id.to_string())?;
    let header = SheetHeader {
        project: p.title,
        artist: p.artist.unwrap_or_default(),
        producer: p.producer.unwrap_or_default(),
        engineer: b.engineer.clone().unwrap_or_default(),
        studio: b.room.clone(),
        date: format_local(b.start_utc, tz).chars().take(10).collect(),
    };
    Ok((header, takes(tx, booking_id)?))
}

/// A CSV field, quoted when it needs to be (RFC 4180).
use super::escape::{csv_text as csv_field, markdown_cell};

/// The take sheet as CSV: header lines, then one row per take.
pub fn sheet_csv(header: &SheetHeader, takes: &[Take], tz: &TimeZone) -> String {
    let mut out = String::new();
    for (k, v) in [
        ("project", &header.project),
        ("artist", &header.artist),
        ("producer", &header.producer),
        ("engineer", &header.engineer),
        ("studio", &header.studio),
        ("date", &header.date),
    ] {
        out.push_str(&format!("{k},{}\n", csv_field(v)));
    }
    out.push_str("song,take,time,duration_s,rating,circled,type,files,notes\n");
    for t in takes {
        out.push_str(&format!(
            "{},{},{},{:.1},{},{},{},{},{}\n",
            csv_field(&t.song),
            t.take_no,
            format_local(t.start_utc, tz),
            t.duration_s,
            t.rating,
            if t.circled { "yes" } else { "" },
            t.take_type.as_str(),
            csv_field(&t.files),
            csv_field(&t.notes)
        ));
    }
    out
}

/// The take sheet as Markdown.
pub fn sheet_markdown(header: &SheetHeader, takes: &[Take], tz: &TimeZone) -> String {
    let cell = markdown_cell;
    let mut out = format!(
        "# Take sheet: {}\n\n| | |\n|---|---|\n| Artist | {} |\n| Producer | {} |\n| Engineer | {} |\n| Studio | {} |\n| Date | {} |\n\n",
        cell(&header.project),
        cell(&header.artist),
        cell(&header.producer),
        cell(&header.engineer),
        cell(&header.studio),
        cell(&header.date)
    );
    out.push_str("| Song | Take | Time | Duration | Rating | Circled | Type | Notes |\n|---|---|---|---|---|---|---|---|\n");
    for t in takes {
        out.push_str(&format!(
            "| {} | {} | {} | {:.1} s | {} | {} | {} | {} |\n",
            cell(&t.song),
            t.take_no,
            format_local(t.start_utc, tz),
            t.duration_s,
            "★".repeat(t.rating as usize),
            if t.circled { "◯" } else { "" },
            t.take_type.as_str(),
            cell(&t.notes)
        ));
    }
    out
}
