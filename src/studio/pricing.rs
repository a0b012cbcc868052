//! What room time costs at a rate card: pure rules over plain data, no database.
//!
//! - A **session** is priced by its length: hourly in started 30-minute steps up to the half-day
//!   rate, the half-day rate plus hourly up to the day rate, the day rate for 10 h and more with
//!   overtime beyond.
//! - A **block** (N days at the same local times) is N sessions, one per day: a 2-day block
//!   10:00–20:00 costs two day rates.
//! - A booking that crosses midnight is one session up to 24 h (a night session 20:00–04:00 is
//!   one session); a longer one is priced in 24-hour sessions from its start.
//! - **Overtime** past the booked end is at the overtime rate (the hourly rate times the card's
//!   multiplier) in started 30-minute steps, never more than re-blocking the whole real time.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::units::{Minor, Overflow};
use super::{StudioError, invalid};

/// A rate card: a room's, or an engineer's or assistant's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateCard {
    /// Per hour; times `overtime_bp`, the overtime rate (30-minute increments).
    pub hourly: Minor,
    /// Half day, 5 hours.
    pub half_day: Minor,
    /// Day, 10 hours.
    pub day: Minor,
    /// Overtime's hourly rate as a share of the hourly rate, in basis points (10 000 = 1.0×).
    pub overtime_bp: i64,
}

/// The longest one session is priced as, in seconds (a day).
const SESSION_MAX_S: i64 = 24 * 3600;

/// What a session would cost at `room`'s rate card, for `minutes` booked: the day rate for 10 h
/// and more (plus overtime beyond), the half-day rate for over 5 h (plus hourly, capped at the
/// day rate), else hourly in started 30-minute steps (capped at the half-day rate).
pub fn booking_cost(room: &RateCard, minutes: i64) -> Result<Minor, Overflow> {
    let hourly = |m: i64| room.hourly.ratio((m + 29) / 30, 2);
    Ok(match minutes {
        m if m >= 600 => room.day.plus(overtime_rate(room, (m - 600) * 60)?)?,
        m if m > 300 => room.half_day.plus(hourly(m - 300)?)?.min(room.day),
        m => hourly(m)?.min(room.half_day),
    })
}

/// `over_s` seconds of overtime at the overtime rate (the hourly rate times the rate card's
/// multiplier) in started 30-minute increments.
fn overtime_rate(room: &RateCard, over_s: i64) -> Result<Minor, Overflow> {
    let increments = (over_s.max(0) + 30 * 60 - 1) / (30 * 60);
    room.hourly.percent(room.overtime_bp)?.ratio(increments, 2)
}

/// Overtime past the booked end: at the overtime rate, in started 30-minute increments, and never
/// more than re-blocking the whole real time would add (a 9 h booking that runs an hour over
/// costs the day rate, as a 10 h booking does).
pub fn overtime_cost(
    room: &RateCard,
    start: i64,
    booked_end: i64,
    actual_end: i64,
) -> Result<Minor, Overflow> {
    let over = (actual_end - booked_end).max(0);
    let booked = booking_cost(room, (booked_end - start) / 60)?;
    let reblocked = booking_cost(room, (booked_end - start + over + 59) / 60)?;
    Ok(overtime_rate(room, over)?.min(reblocked.minus(booked)?.max(Minor(0))))
}

/// `t` moved by `days` calendar days in `tz`, keeping its local time of day (23 or 25 hours
/// across a clock change).
pub fn shift_days(t: i64, days: i64, tz: &TimeZone) -> Result<i64, StudioError> {
    let bad = |e: jiff::Error| StudioError::Invalid {
        field: "days",
        problem: e.to_string(),
    };
    let zoned = Timestamp::from_second(t)
        .map_err(bad)?
        .to_zoned_datetime(tz.clone())
        .checked_add(Span::new().try_days(days).map_err(bad)?)
        .map_err(bad)?;
    Ok(zoned.timestamp().as_second())
}

/// The sessions (start, end in UTC seconds) a booking is priced as: for a block of `days`, one
/// per day at the first day's local times (`first_end` is the first day's end); otherwise
/// `start` to `end` as one session, or 24-hour sessions from the start when it is longer.
pub fn sessions(
    start: i64,
    end: i64,
    days: i64,
    first_end: i64,
    tz: &TimeZone,
) -> Result<Vec<(i64, i64)>, StudioError> {
    if end <= start || first_end <= start {
        return invalid("end", "must be after the start");
    }
    if days > 1 {
        return (0..days)
            .map(|k| Ok((shift_days(start, k, tz)?, shift_days(first_end, k, tz)?)))
            .collect();
    }
    Ok((start..end)
        .step_by(SESSION_MAX_S as usize)
        .map(|s| (s, (s + SESSION_MAX_S).min(end)))
        .collect())
}

/// The cost of `sessions` at `room`'s card, with overtime on the last one when it really ended at
/// `actual_end`.
pub fn sessions_cost(
    room: &RateCard,
    sessions: &[(i64, i64)],
    actual_end: Option<i64>,
) -> Result<Minor, Overflow> {
    let mut total = Minor(0);
    for &(start, end) in sessions {
        total = total.plus(booking_cost(room, (end - start) / 60)?)?;
    }
    if let (Some(actual), Some(&(start, end))) = (actual_end, sessions.last()) {
        total = total.plus(overtime_cost(room, start, end, actual)?)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> RateCard {
        RateCard {
            hourly: Minor(8_500),
            half_day: Minor(38_000),
            day: Minor(70_000),
            overtime_bp: 10_000,
        }
    }

    #[test]
    fn rate_card_blocks() {
        let r = room();
        // 3 h hourly: 3 × £85.
        assert_eq!(booking_cost(&r, 180), Ok(Minor(25_500)));
        // 2 h 10 min: five started half hours.
        assert_eq!(booking_cost(&r, 130), Ok(Minor(21_250)));
        // 5 h: hourly £425 capped at the half day £380.
        assert_eq!(booking_cost(&r, 300), Ok(Minor(38_000)));
        // 6 h: half day + 1 h.
        assert_eq!(booking_cost(&r, 360), Ok(Minor(46_500)));
        // 9 h: half day + 4 h = £720, capped at the day £700.
        assert_eq!(booking_cost(&r, 540), Ok(Minor(70_000)));
        // 11 h: day + 1 h overtime.
        assert_eq!(booking_cost(&r, 660), Ok(Minor(78_500)));
        // Overtime after a day: 40 minutes is two started half hours.
        let day = 600 * 60;
        assert_eq!(overtime_cost(&r, 0, day, day + 40 * 60), Ok(Minor(8_500)));
        assert_eq!(overtime_cost(&r, 0, day, day + 30 * 60), Ok(Minor(4_250)));
        assert_eq!(overtime_cost(&r, 0, day, day - 50), Ok(Minor(0)));
    }

    /// 2027-03-27 10:00 in London is 10:00 UTC (GMT); the clocks go forward on the 28th.
    const SAT_10_LONDON: i64 = 1_806_141_600;

    #[test]
    fn a_block_is_one_session_a_day_at_the_same_local_times_across_a_clock_change() {
        let london = TimeZone::get("Europe/London").unwrap();
        let h = 3600;
        // Three days 10:00–20:00 from Saturday: the last end is Monday 20:00 BST (19:00 UTC).
        let last_end = SAT_10_LONDON + 2 * 24 * h - h + 10 * h;
        let first_end = SAT_10_LONDON + 10 * h;
        let s = sessions(SAT_10_LONDON, last_end, 3, first_end, &london).unwrap();
        assert_eq!(
            s,
            vec![
                (SAT_10_LONDON, SAT_10_LONDON + 10 * h),
                // Sunday 10:00 BST is 09:00 UTC: 23 hours after Saturday's.
                (SAT_10_LONDON + 23 * h, SAT_10_LONDON + 33 * h),
                (SAT_10_LONDON + 47 * h, SAT_10_LONDON + 57 * h),
            ]
        );
        // Each day is 10 h: three day rates, 3 × £700.
        assert_eq!(sessions_cost(&room(), &s, None), Ok(Minor(210_000)));
        // The last day runs 40 minutes over: two half hours at £85 / 2.
        assert_eq!(
            sessions_cost(&room(), &s, Some(SAT_10_LONDON + 57 * h + 40 * 60)),
            Ok(Minor(218_500))
        );
    }

    #[test]
    fn a_block_ending_in_the_spring_gap_keeps_its_first_day() {
        let london = TimeZone::get("Europe/London").unwrap();
        let h = 3600;
        // Friday 26 March 2027 22:00–01:30 for two days: the second night's 01:30 does not exist
        // (the clocks go from 01:00 to 02:00), but the first night is still 3 h 30 m.
        let fri_22 = SAT_10_LONDON - 12 * h;
        let first_end = fri_22 + 3 * h + 30 * 60;
        let last_end = shift_days(first_end, 1, &london).unwrap();
        let s = sessions(fri_22, last_end, 2, first_end, &london).unwrap();
        assert_eq!(s[0], (fri_22, first_end));
        // 3 h 30 m: seven half hours at £42.50 = £297.50, on the first night.
        assert_eq!(
            booking_cost(&room(), (s[0].1 - s[0].0) / 60),
            Ok(Minor(29_750))
        );
    }

    #[test]
    fn a_booking_across_midnight_is_one_session_up_to_a_day() {
        let utc = TimeZone::UTC;
        let h = 3600;
        // A night session 20:00–04:00: one 8 h session, half day + 3 h = £380 + £255.
        let night = sessions(20 * h, 28 * h, 1, 28 * h, &utc).unwrap();
        assert_eq!(night, vec![(20 * h, 28 * h)]);
        assert_eq!(sessions_cost(&room(), &night, None), Ok(Minor(63_500)));
        // Monday 10:00 → Tuesday 20:00 without --days: 34 h is a 24 h session (day + 14 h
        // overtime = £700 + 14 × £85 = £1,890) and a 10 h one (£700): £2,590.
        let long = sessions(10 * h, 44 * h, 1, 44 * h, &utc).unwrap();
        assert_eq!(long, vec![(10 * h, 34 * h), (34 * h, 44 * h)]);
        assert_eq!(sessions_cost(&room(), &long, None), Ok(Minor(259_000)));
    }
}
