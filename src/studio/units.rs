//! Parsing and printing what people type: money, durations, local date-times.
//!
//! Money is integer minor units (pence, cents) with an ISO 4217 code; durations are whole minutes;
//! instants are UTC seconds, read and shown in a time zone (the system's, or `--tz`).

use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// Something typed that cannot be understood, naming what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} '{input}': {problem}")]
pub struct ParseError {
    pub what: &'static str,
    pub input: String,
    pub problem: String,
}

fn parse_error(what: &'static str, input: &str, problem: impl Into<String>) -> ParseError {
    ParseError {
        what,
        input: input.to_string(),
        problem: problem.into(),
    }
}

/// An amount of money in minor units (1/100 of the currency unit).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Minor(pub i64);

impl Minor {
    /// Parse "130", "130.5", "130.50", "£130.00", "$1,250.00" (no negative amounts: a fee or a rate
    /// is never below zero; refunds are separate entries).
    ///
    /// A comma is read only as a thousands separator before a decimal point ("1,250.00"), where
    /// it cannot be misread; "12,50" (twelve and a half, or twelve hundred and fifty?) and
    /// "1,250" are refused, saying so.
    pub fn parse(input: &str) -> Result<Minor, ParseError> {
        let trimmed = input.trim().trim_start_matches(['£', '$', '€']);
        if trimmed.contains(',') && !thousands_grouped(trimmed) {
            return Err(parse_error(
                "amount",
                input,
                "a comma could be a decimal mark or a thousands separator: write 12.50 (a point for decimals, no separators)",
            ));
        }
        let cleaned: String = trimmed.chars().filter(|c| *c != ',' && *c != '_').collect();
        if cleaned.is_empty() {
            return Err(parse_error("amount", input, "empty"));
        }
        if cleaned.starts_with('-') {
            return Err(parse_error("amount", input, "must not be negative"));
        }
        let (units, cents) = match cleaned.split_once('.') {
            Some((u, c)) => (u, c),
            None => (cleaned.as_str(), ""),
        };
        if units.is_empty() && cents.is_empty() {
            return Err(parse_error("amount", input, "no digits"));
        }
        if !units.chars().all(|c| c.is_ascii_digit()) || !cents.chars().all(|c| c.is_ascii_digit())
        {
            return Err(parse_error("amount", input, "expected digits like 130.50"));
        }
        if cents.len() > 2 {
            return Err(parse_error("amount", input, "more than two decimals"));
        }
        let units: i64 = if units.is_empty() {
            0
        } else {
            units
                .parse()
                .map_err(|_| parse_error("amount", input, "too large"))?
        };
        let cents: i64 = format!("{cents:0<2}")
            .parse()
            .map_err(|_| parse_error("amount", input, "bad decimals"))?;
        units
            .checked_mul(100)
            .and_then(|u| u.checked_add(cents))
            .filter(|v| *v <= 1_000_000_000_000)
            .map(Minor)
            .ok_or_else(|| parse_error("amount", input, "too large"))
    }

    /// The largest amount studiodesk computes with, in minor units (ten trillion in the currency's
    /// units). A rate or a total past it is a typo or an absurd rate, refused rather than wrapped.
    pub const MAX: Minor = Minor(1_000_000_000_000_000);

    fn checked(value: i128) -> Result<Minor, Overflow> {
        if value.abs() <= Minor::MAX.0 as i128 {
            Ok(Minor(value as i64))
        } else {
            Err(Overflow)
        }
    }

    /// `self + other`, or [`Overflow`] past [`Minor::MAX`].
    pub fn plus(self, other: Minor) -> Result<Minor, Overflow> {
        Minor::checked(self.0 as i128 + other.0 as i128)
    }

    /// `self − other`, or [`Overflow`] past [`Minor::MAX`].
    pub fn minus(self, other: Minor) -> Result<Minor, Overflow> {
        Minor::checked(self.0 as i128 - other.0 as i128)
    }

    /// `self × n`, or [`Overflow`] past [`Minor::MAX`].
    pub fn times(self, n: i64) -> Result<Minor, Overflow> {
        Minor::checked(self.0 as i128 * n as i128)
    }

    /// The sum of `amounts`, or [`Overflow`] past [`Minor::MAX`].
    pub fn total(amounts: impl IntoIterator<Item = Minor>) -> Result<Minor, Overflow> {
        amounts.into_iter().try_fold(Minor(0), Minor::plus)
    }

    /// `self × percent / 100`, rounded half up to the minor unit. `percent_bp` is in basis points
    /// (1 % = 100 bp), so 14.09 % is exact.
    pub fn percent(self, percent_bp: i64) -> Result<Minor, Overflow> {
        let product = self.0 as i128 * percent_bp as i128;
        Minor::checked((product + 5_000) / 10_000)
    }

    /// `self × n / d`, rounded half up.
    pub fn ratio(self, n: i64, d: i64) -> Result<Minor, Overflow> {
        let product = self.0 as i128 * n as i128;
        Minor::checked((2 * product + d as i128) / (2 * d as i128))
    }
}

/// The highest rate accepted (a room's hourly, half-day or day rate, an agreement's fee): a
/// million in the currency's units. Beyond it is a typo.
pub const RATE_MAX: Minor = Minor(100_000_000);

/// A money computation whose result would pass [`Minor::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "amount too large: a result passes {} (check the rates and times entered)",
    Minor::MAX
)]
pub struct Overflow;

/// True for "1,250.00" and "12,345,678.9": commas between groups of three digits, before a
/// decimal point.
fn thousands_grouped(text: &str) -> bool {
    let Some((units, _)) = text.split_once('.') else {
        return false;
    };
    let mut groups = units.split(',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for Minor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.abs();
        write!(f, "{sign}{}.{:02}", v / 100, v % 100)
    }
}

/// "10", "14.09" or "14.09 %" as basis points (1000 = 10 %).
pub fn parse_percent_bp(input: &str) -> Result<i64, ParseError> {
    Minor::parse(input.trim().trim_end_matches('%').trim())
        .map(|m| m.0)
        .map_err(|_| parse_error("percentage", input, "expected a number like 10 or 14.09"))
}

/// A share in basis points as people write it: "50 %", "12.50 %", "14.09 %".
pub fn percent_text(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{} %", bp / 100)
    } else {
        format!("{}.{:02} %", bp / 100, (bp % 100).abs())
    }
}

/// An ISO 4217 currency code (three capital letters).
pub fn parse_currency(input: &str) -> Result<String, ParseError> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(parse_error(
            "currency",
            input,
            "expected a three-letter ISO code such as GBP, USD, EUR",
        ))
    }
}

/// Parse a duration into whole minutes: "3h40m", "3h", "40m", "3:40", "220" (minutes), "1.5h".
pub fn parse_minutes(input: &str) -> Result<i64, ParseError> {
    let s = input.trim().to_ascii_lowercase();
    let bad = |why: &str| parse_error("duration", input, why);
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let minutes = if let Some((h, m)) = s.split_once(':') {
        let h: i64 = h.parse().map_err(|_| bad("expected H:MM"))?;
        let m: i64 = m.parse().map_err(|_| bad("expected H:MM"))?;
        if m >= 60 {
            return Err(bad("minutes must be below 60"));
        }
        h.checked_mul(60).and_then(|h| h.checked_add(m))
    } else if s.chars().all(|c| c.is_ascii_digit()) {
        s.parse::<i64>().ok()
    } else {
        let (mut total, mut number) = (0f64, String::new());
        let mut seen_unit = false;
        for c in s.chars() {
            match c {
                '0'..='9' | '.' => number.push(c),
                'h' | 'm' => {
                    let n: f64 = number
                        .parse()
                        .map_err(|_| bad("expected a number before h or m"))?;
                    total += if c == 'h' { n * 60.0 } else { n };
                    number.clear();
                    seen_unit = true;
                }
                ' ' => {}
                _ => return Err(bad("expected forms like 3h40m, 3:40 or 220")),
            }
        }
        if !number.is_empty() || !seen_unit {
            return Err(bad("a number without a unit (h or m)"));
        }
        if total.fract().abs() > 1e-9 {
            return Err(bad("not a whole number of minutes"));
        }
        (total < 1e9).then_some(total as i64)
    };
    minutes
        .filter(|m| *m >= 0 && *m <= 60 * 24 * 366)
        .ok_or_else(|| bad("out of range"))
}

/// Minutes as "3h40m".
pub fn format_minutes(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

/// The time zone for input and output: an IANA name, or the system's.
pub fn time_zone(name: Option<&str>) -> Result<TimeZone, ParseError> {
    match name {
        Some(name) => {
            TimeZone::get(name).map_err(|e| parse_error("time zone", name, e.to_string()))
        }
        None => Ok(TimeZone::system()),
    }
}

/// Years a studio date may fall in: a typo such as 1027 or 9999 is refused, not stored.
pub const YEARS: std::ops::RangeInclusive<i16> = 2000..=2099;

/// Parse "2026-12-01 10:00" (or with a T, or with seconds) as local time in `tz`; UTC seconds.
///
/// A time with an explicit offset ("10:00+05:00", "10:00Z") is that instant. A local time the
/// clocks skip (the spring change) is refused; one they pass twice (the autumn change) asks for
/// the offset: nothing is moved silently.
pub fn parse_local(input: &str, tz: &TimeZone) -> Result<i64, ParseError> {
    let what = "date and time";
    let normalised = input.trim().replacen(' ', "T", 1);
    let (civil, offset) = split_offset(&normalised);
    let dt: DateTime = civil
        .parse()
        .map_err(|_| parse_error(what, input, "expected YYYY-MM-DD HH:MM"))?;
    if !YEARS.contains(&dt.year()) {
        return Err(parse_error(
            what,
            input,
            format!(
                "year {} is outside {}–{}",
                dt.year(),
                YEARS.start(),
                YEARS.end()
            ),
        ));
    }
    if let Some(offset) = offset {
        let offset = parse_offset(offset)
            .ok_or_else(|| parse_error(what, input, "expected an offset like +05:00 or Z"))?;
        let t = offset
            .to_timestamp(dt)
            .map_err(|_| parse_error(what, input, "out of range"))?;
        return Ok(t.as_second());
    }
    let zone = tz.iana_name().unwrap_or("the studio's time zone");
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => ambiguous
            .unambiguous()
            .map(|t| t.as_second())
            .map_err(|_| parse_error(what, input, "out of range")),
        AmbiguousOffset::Gap { before, after } => Err(parse_error(
            what,
            input,
            format!(
                "does not exist in {zone}: the clocks go from {before} to {after} then; give a time outside the change"
            ),
        )),
        AmbiguousOffset::Fold { before, after } => Err(parse_error(
            what,
            input,
            format!(
                "happens twice in {zone} (at {before} and again at {after}): add the offset, e.g. '{} {}{before}'",
                dt.date(),
                dt.time().strftime("%H:%M")
            ),
        )),
    }
}

/// "2027-03-01T10:00+05:00" → ("2027-03-01T10:00", Some("+05:00")); "…Z" likewise.
fn split_offset(text: &str) -> (&str, Option<&str>) {
    let Some(t) = text.find('T') else {
        return (text, None);
    };
    let time = &text[t..];
    match time.find(['+', '-', 'Z', 'z']) {
        Some(i) => (&text[..t + i], Some(&time[i..])),
        None => (text, None),
    }
}

/// "Z", "+05:00", "-0800", "+05" as an offset from UTC.
fn parse_offset(text: &str) -> Option<jiff::tz::Offset> {
    if text.eq_ignore_ascii_case("z") {
        return Some(jiff::tz::Offset::UTC);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits.get(2..).map_or(Some(0), |m| m.parse().ok())?;
    if hours > 18 || minutes > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// UTC seconds as "2026-12-01 10:00" in `tz`.
pub fn format_local(seconds: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(seconds) {
        Ok(t) => t
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => format!("@{seconds}"),
    }
}

/// Now, in UTC seconds.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn money_parses_the_way_people_write_it() {
        assert_eq!(Minor::parse("130"), Ok(Minor(13_000)));
        assert_eq!(Minor::parse("£130.5"), Ok(Minor(13_050)));
        assert_eq!(Minor::parse("$1,250.00"), Ok(Minor(125_000)));
        assert_eq!(Minor::parse(".99"), Ok(Minor(99)));
        for bad in [
            "",
            "-5",
            "12.345",
            "1e3",
            "abc",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(Minor::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Minor(28_438).to_string(), "284.38");
        assert_eq!(Minor(-5).to_string(), "-0.05");
    }

    /// Field finding: `2027-03-28 01:30` in London (skipped by the clocks) became 02:30; `01:30`
    /// on the autumn change silently took BST; `10:00+05:00` ignored its offset.
    #[test]
    fn local_times_the_clocks_skip_or_repeat_are_refused_and_offsets_honoured() {
        let london = TimeZone::get("Europe/London").expect("tzdb");
        let gap = parse_local("2027-03-28 01:30", &london).expect_err("a gap");
        assert!(
            gap.problem.contains("does not exist in Europe/London"),
            "{gap}"
        );
        let fold = parse_local("2027-10-31 01:30", &london).expect_err("a fold");
        assert!(
            fold.problem.contains("happens twice") && fold.problem.contains("+01"),
            "{fold}"
        );
        // With the offset, each of the two 01:30s is its own instant, an hour apart.
        let bst = parse_local("2027-10-31 01:30+01:00", &london).expect("BST");
        let gmt = parse_local("2027-10-31 01:30+00:00", &london).expect("GMT");
        assert_eq!(gmt - bst, 3600);
        // 10:00 at +05:00 is 05:00 UTC, whatever the studio's zone; Z is UTC.
        let utc_5 = parse_local("2027-03-01 05:00Z", &london).expect("Z");
        assert_eq!(parse_local("2027-03-01 10:00+05:00", &london), Ok(utc_5));
        assert_eq!(
            parse_local("2027-03-01T10:00+0500", &TimeZone::UTC),
            Ok(utc_5)
        );
        assert_eq!(parse_local("2027-03-01 05:00", &london), Ok(utc_5));
        for year in ["1900-01-01 10:00", "9999-12-31 10:00", "2100-01-01 00:00"] {
            let err = parse_local(year, &london).expect_err(year);
            assert!(err.problem.contains("outside 2000–2099"), "{err}");
        }
    }

    /// Field finding: `--hourly 12,50` was stored as 1250.00.
    #[test]
    fn a_comma_that_could_be_a_decimal_mark_is_refused() {
        assert_eq!(Minor::parse("12,345,678.90"), Ok(Minor(1_234_567_890)));
        for ambiguous in ["12,50", "1,250", "0,5", "1,25.00", "12,5000.00", ",250.00"] {
            let err = Minor::parse(ambiguous).expect_err(ambiguous);
            assert!(err.problem.contains("comma"), "{ambiguous}: {err}");
        }
    }

    #[test]
    fn percentages_round_half_up() {
        // 25 % of £227.50 is £56.875 → £56.88.
        assert_eq!(Minor(22_750).percent(2_500), Ok(Minor(5_688)));
        assert_eq!(Minor(10_000).percent(1_409), Ok(Minor(1_409)));
        assert_eq!(Minor(1).percent(5_000), Ok(Minor(1)));
        assert_eq!(Minor(13_000).ratio(1, 3), Ok(Minor(4_333)));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_minutes("3h40m"), Ok(220));
        assert_eq!(parse_minutes("3:40"), Ok(220));
        assert_eq!(parse_minutes("220"), Ok(220));
        assert_eq!(parse_minutes("1.5h"), Ok(90));
        assert_eq!(parse_minutes("3h 40m"), Ok(220));
        for bad in ["", "3x", "3:75", "h", "1.25m", "-3h", "3"] {
            // "3" alone is 3 minutes, accepted; the rest are refused.
            if bad == "3" {
                assert_eq!(parse_minutes(bad), Ok(3));
            } else {
                assert!(parse_minutes(bad).is_err(), "{bad}");
            }
        }
        assert_eq!(format_minutes(220), "3h40m");
        assert_eq!(format_minutes(180), "3h");
    }

    #[test]
    fn local_times_round_trip_through_utc() {
        let london = time_zone(Some("Europe/London")).unwrap();
        // Winter: London is UTC.
        let t = parse_local("2026-12-01 10:00", &london).unwrap();
        assert_eq!(format_local(t, &TimeZone::UTC), "2026-12-01 10:00");
        // Summer: UTC+1.
        let t = parse_local("2026-07-01T10:00", &london).unwrap();
        assert_eq!(format_local(t, &TimeZone::UTC), "2026-07-01 09:00");
        assert_eq!(format_local(t, &london), "2026-07-01 10:00");
        assert!(parse_local("2026-13-01 10:00", &london).is_err());
        assert!(parse_local("tomorrow", &london).is_err());
        assert!(time_zone(Some("Mars/Olympus")).is_err());
    }

    proptest! {
        #[test]
        fn money_parser_never_panics(s in "\\PC*") {
            let _ = Minor::parse(&s);
        }

        #[test]
        fn money_round_trips(v in 0i64..100_000_000_000) {
            prop_assert_eq!(Minor::parse(&Minor(v).to_string()), Ok(Minor(v)));
        }

        #[test]
        fn duration_parser_never_panics(s in "\\PC*") {
            let _ = parse_minutes(&s);
        }

        #[test]
        fn durations_round_trip(m in 0i64..100_000) {
            prop_assert_eq!(parse_minutes(&format_minutes(m)), Ok(m));
        }

        #[test]
        fn time_parser_never_panics(s in "\\PC*") {
            let _ = parse_local(&s, &TimeZone::UTC);
        }
    }
}
