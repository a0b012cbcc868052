//! What people type, as the forms the desk fills from its fields and the command line from its
//! arguments, each parsed once into the typed values requests carry: a blank field, an amount or
//! a local time means the same from both.

use jiff::tz::TimeZone;

use crate::studio::StudioError;
use crate::studio::bookings::NewHold;
use crate::studio::entities::{self, PersonKind, Room, Union};
use crate::studio::fees::{Agreement, Role, SessionKind};
use crate::studio::hires::NewHire;
use crate::studio::log::TakeType;
use crate::studio::units::{Minor, parse_currency, parse_local, parse_minutes, parse_percent_bp};

/// `s` trimmed, or `None` when blank.
fn optional(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// A money amount, or `None` when blank.
fn money(s: &str) -> Result<Option<Minor>, StudioError> {
    Ok(optional(s).map(Minor::parse).transpose()?)
}

/// A booking slot as people type it: names, local times ("2026-12-01 10:00"), and a block's days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotText {
    pub project: String,
    pub room: String,
    /// Blank for none.
    pub engineer: String,
    /// Blank for none.
    pub assistant: String,
    pub start: String,
    /// The end of the first day, for a block.
    pub end: String,
    /// Days of a block; blank is one.
    pub days: String,
}

impl SlotText {
    /// The hold this slot asks for, lapsing after `expires_hours` (blank: the studio's policy).
    pub fn parse(&self, tz: &TimeZone, expires_hours: Option<i64>) -> Result<NewHold, StudioError> {
        Ok(NewHold {
            project: self.project.trim().to_string(),
            room: self.room.trim().to_string(),
            engineer: optional(&self.engineer).map(str::to_string),
            assistant: optional(&self.assistant).map(str::to_string),
            start_utc: parse_local(&self.start, tz)?,
            end_utc: parse_local(&self.end, tz)?,
            days: match self.days.trim() {
                "" => 1,
                text => text.parse().map_err(|_| StudioError::Invalid {
                    field: "days",
                    problem: format!("'{text}' is not a number of days"),
                })?,
            },
            expires_hours,
        })
    }
}

/// A room and its rate card as people type it: amounts "85.00", times "30m", overtime a multiple
/// of the hourly rate ("1.5").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomText {
    pub name: String,
    pub currency: String,
    pub hourly: String,
    pub half_day: String,
    pub day: String,
    pub setup: String,
    pub teardown: String,
    pub overtime: String,
}

impl Default for RoomText {
    fn default() -> Self {
        RoomText {
            name: String::new(),
            currency: "GBP".into(),
            hourly: String::new(),
            half_day: String::new(),
            day: String::new(),
            setup: "0".into(),
            teardown: "0".into(),
            overtime: "1.0".into(),
        }
    }
}

impl RoomText {
    /// A new room: its three rates are needed; blank setup and teardown are none, a blank
    /// overtime multiple is the hourly rate.
    pub fn room(&self) -> Result<Room, StudioError> {
        Ok(Room {
            id: 0,
            name: self.name.trim().to_string(),
            currency: parse_currency(&self.currency)?,
            hourly: Minor::parse(&self.hourly)?,
            half_day: Minor::parse(&self.half_day)?,
            day: Minor::parse(&self.day)?,
            setup_min: optional(&self.setup).map_or(Ok(0), parse_minutes)?,
            teardown_min: optional(&self.teardown).map_or(Ok(0), parse_minutes)?,
            overtime_bp: optional(&self.overtime)
                .map_or(Ok(10_000), entities::parse_overtime_multiplier)?,
        })
    }

    /// A change to the named room: blank fields stay as they are (the currency cannot change).
    pub fn change(&self) -> Result<RoomChange, StudioError> {
        Ok(RoomChange {
            name: self.name.trim().to_string(),
            hourly: money(&self.hourly)?,
            half_day: money(&self.half_day)?,
            day: money(&self.day)?,
            setup_min: optional(&self.setup).map(parse_minutes).transpose()?,
            teardown_min: optional(&self.teardown).map(parse_minutes).transpose()?,
            overtime_bp: optional(&self.overtime)
                .map(entities::parse_overtime_multiplier)
                .transpose()?,
        })
    }
}

/// A change to a room's rate card and times; `None` leaves a value as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomChange {
    pub name: String,
    pub hourly: Option<Minor>,
    pub half_day: Option<Minor>,
    pub day: Option<Minor>,
    pub setup_min: Option<i64>,
    pub teardown_min: Option<i64>,
    /// Overtime as a multiple of the hourly rate, in basis points (15 000 is 1.5×).
    pub overtime_bp: Option<i64>,
}

impl RoomChange {
    /// `room` with this change made.
    pub fn apply_to(&self, room: &mut Room) {
        let set = |value: Option<i64>, field: &mut i64| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(self.hourly.map(|m| m.0), &mut room.hourly.0);
        set(self.half_day.map(|m| m.0), &mut room.half_day.0);
        set(self.day.map(|m| m.0), &mut room.day.0);
        set(self.setup_min, &mut room.setup_min);
        set(self.teardown_min, &mut room.teardown_min);
        set(self.overtime_bp, &mut room.overtime_bp);
    }
}

/// A hire as people type it: the time worked ("3h40m", "220"), fees ("250.00"; blank: from the
/// agreement's rates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HireText {
    pub person: String,
    pub role: Role,
    /// Comma separated; more than one is doubling.
    pub instruments: String,
    pub agreement: Agreement,
    pub session: SessionKind,
    pub worked: String,
    pub overdub: bool,
    /// MU porterage classes, one letter per instrument carried ("AB").
    pub porterage: String,
    /// AFM instruments with cartage.
    pub cartage: i64,
    pub flat: String,
    pub hourly: String,
}

impl Default for HireText {
    fn default() -> Self {
        HireText {
            person: String::new(),
            role: Role::Side,
            instruments: String::new(),
            agreement: Agreement::Mu,
            session: SessionKind::Standard,
            worked: "3h".into(),
            overdub: false,
            porterage: String::new(),
            cartage: 0,
            flat: String::new(),
            hourly: String::new(),
        }
    }
}

impl HireText {
    /// The hire onto booking `booking_id`.
    pub fn parse(&self, booking_id: i64) -> Result<NewHire, StudioError> {
        Ok(NewHire {
            booking_id,
            person: self.person.trim().to_string(),
            role: self.role,
            instruments: self.instruments.clone(),
            agreement: self.agreement,
            session: self.session,
            worked_min: parse_minutes(&self.worked)?,
            overdub: self.overdub,
            porterage: self.porterage.trim().to_string(),
            cartage: self.cartage,
            flat_fee: money(&self.flat)?,
            hourly: money(&self.hourly)?,
        })
    }
}

/// A person to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPerson {
    pub name: String,
    pub kind: PersonKind,
    /// Comma separated.
    pub instruments: String,
    pub union: Union,
    pub contact: String,
}

/// A project to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProject {
    pub title: String,
    pub artist: Option<String>,
    pub producer: Option<String>,
    /// The person billed (a name or `#id`).
    pub client: Option<String>,
    pub currency: String,
    /// Budget contingency, in basis points (1 000 is 10 %).
    pub contingency_bp: i64,
}

impl NewProject {
    /// A project as people type it: blank artist, producer and client are none; the contingency
    /// as a percentage ("10").
    pub fn parse(
        title: &str,
        artist: &str,
        producer: &str,
        client: &str,
        currency: &str,
        contingency: &str,
    ) -> Result<NewProject, StudioError> {
        let owned = |s: &str| optional(s).map(str::to_string);
        Ok(NewProject {
            title: title.trim().to_string(),
            artist: owned(artist),
            producer: owned(producer),
            client: owned(client),
            currency: parse_currency(currency)?,
            contingency_bp: parse_percent_bp(contingency)?,
        })
    }
}

/// A take's rating, circling, type and notes; `None` leaves each as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TakeChange {
    pub id: i64,
    pub rating: Option<i64>,
    pub circled: Option<bool>,
    pub take_type: Option<TakeType>,
    pub notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> TimeZone {
        TimeZone::get("Europe/London").unwrap()
    }

    #[test]
    fn a_slot_is_parsed_once_with_blank_meaning_none_and_one_day() {
        let slot = SlotText {
            project: " Album ".into(),
            room: "Studio A".into(),
            engineer: "  ".into(),
            assistant: "Kim".into(),
            start: "2027-03-01 10:00".into(),
            end: "2027-03-01 18:00".into(),
            days: String::new(),
        };
        let hold = slot.parse(&tz(), Some(48)).unwrap();
        assert_eq!(hold.project, "Album");
        assert_eq!(
            (hold.engineer, hold.assistant.as_deref()),
            (None, Some("Kim"))
        );
        // 10:00 GMT on 1 March 2027 is 1 803 895 200 s after the epoch.
        assert_eq!(
            (hold.start_utc, hold.end_utc),
            (1_803_895_200, 1_803_924_000)
        );
        assert_eq!((hold.days, hold.expires_hours), (1, Some(48)));
        let days = SlotText {
            days: "two".into(),
            ..slot.clone()
        };
        assert!(
            days.parse(&tz(), None)
                .unwrap_err()
                .to_string()
                .contains("'two'")
        );
        let start = SlotText {
            start: "1 March".into(),
            ..slot
        };
        assert!(start.parse(&tz(), None).is_err());
    }

    #[test]
    fn a_room_change_keeps_what_was_left_blank() {
        let mut room = RoomText {
            name: "A".into(),
            hourly: "85".into(),
            half_day: "380".into(),
            day: "700".into(),
            setup: String::new(),
            overtime: String::new(),
            ..RoomText::default()
        }
        .room()
        .unwrap();
        assert_eq!((room.setup_min, room.overtime_bp), (0, 10_000));
        let change = RoomText {
            name: "A".into(),
            currency: String::new(),
            hourly: String::new(),
            half_day: String::new(),
            day: "650".into(),
            setup: "30m".into(),
            teardown: String::new(),
            overtime: "1.5".into(),
        }
        .change()
        .unwrap();
        change.apply_to(&mut room);
        assert_eq!(
            (room.hourly, room.half_day, room.day),
            (Minor(8_500), Minor(38_000), Minor(65_000))
        );
        assert_eq!(
            (room.setup_min, room.teardown_min, room.overtime_bp),
            (30, 0, 15_000)
        );
        let bad = RoomText {
            hourly: "eighty".into(),
            ..RoomText::default()
        };
        assert!(bad.change().is_err() && bad.room().is_err());
    }

    #[test]
    fn a_hire_form_is_parsed_with_blank_fees_from_the_agreement() {
        let hire = HireText {
            person: " Lee Hart ".into(),
            instruments: "guitar, mandolin".into(),
            worked: "3h40m".into(),
            ..HireText::default()
        }
        .parse(7)
        .unwrap();
        assert_eq!((hire.booking_id, hire.person.as_str()), (7, "Lee Hart"));
        assert_eq!(
            (hire.worked_min, hire.flat_fee, hire.hourly),
            (220, None, None)
        );
        let free = HireText {
            flat: "250.00".into(),
            ..HireText::default()
        }
        .parse(1)
        .unwrap();
        assert_eq!(free.flat_fee, Some(Minor(25_000)));
    }
}
