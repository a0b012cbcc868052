//! The producer's money on every booking shape (issue 12): block bookings priced a day at a time,
//! bookings past midnight, fees in their own currency and converted only at a rate the user set,
//! one studio time zone for "the first session of the day", and musicians' cancellation pay.
//! Every expectation is worked by hand in the comment beside it; everything goes through the
//! command line as a user types it, except where a test needs to choose "now".

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::tz::TimeZone;
use serde_json::Value;
use studiodesk::studio::bookings;
use studiodesk::studio::units::{format_local, now, parse_local};

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap()
}

/// The seeded studio (Studio A at £85 / £380 / £700, Lee Hart MU, Kim Vale AFM, projects Night
/// Songs and Other Band, all in GBP, the studio in Europe/London) driven through the CLI.
struct Studio {
    _dir: tempfile::TempDir,
    db: String,
}

impl Studio {
    fn new() -> Studio {
        let dir = tempfile::tempdir().unwrap();
        common::studio(dir.path());
        Studio {
            db: common::db_in(dir.path()),
            _dir: dir,
        }
    }

    /// Run studiodesk with `args` (and `--tz zone` unless `args` gives one).
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_studiodesk"));
        command.args(args).env("STUDIODESK_DB", &self.db);
        if !args.contains(&"--tz") {
            command.args(["--tz", "Europe/London"]);
        }
        command.output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    /// The studio's database, as `--db` takes it.
    fn db(&self) -> &str {
        &self.db
    }

    /// A file `name` in the test's folder.
    fn file(&self, name: &str) -> PathBuf {
        self._dir.path().join(name)
    }
}

/// `booking VERB` of `project` in Studio A from `start` to `end`, then `extra`.
fn slot<'a>(
    verb: &'a str,
    project: &'a str,
    start: &'a str,
    end: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut v = vec![
        "booking",
        verb,
        "--project",
        project,
        "--room",
        "Studio A",
        "--start",
        start,
        "--end",
        end,
    ];
    v.extend_from_slice(extra);
    v
}

/// `rates crew ROLE [--person P] --hourly H --half-day HD --day D`.
fn crew<'a>(
    role: &'a str,
    person: Option<&'a str>,
    [hourly, half_day, day]: [&'a str; 3],
) -> Vec<&'a str> {
    let mut v = vec!["rates", "crew", role];
    if let Some(p) = person {
        v.extend(["--person", p]);
    }
    v.extend(["--hourly", hourly, "--half-day", half_day, "--day", day]);
    v
}

/// The budget's actual of `category` in minor units.
fn actual(report: &Value, category: &str) -> i64 {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == category)
        .unwrap()["actual"]
        .as_i64()
        .unwrap()
}

/// Issue 12, finding 1: a block of days is one booking, priced a day at a time.
#[test]
fn a_block_of_days_is_one_booking_priced_per_day() {
    let s = Studio::new();
    // Two days 10:00–20:00: each day is 10 h, the day rate: 2 × £700 = £1,400 (it was £700 +
    // 24 h × £85 = £2,740 as one booking Monday 10:00 → Tuesday 20:00).
    let held = s.ok(&slot(
        "hold",
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
        &["--days", "2"],
    ));
    assert!(
        held.contains(
            "#1 Studio A 2027-03-01 to 2027-03-02, 2 days 10:00–20:00 (Night Songs, 1st hold)"
        ),
        "{held}"
    );
    let list = s.json(&["booking", "list"]);
    assert_eq!(list[0]["cost"], 140_000);
    assert_eq!(list[0]["days"], 2);
    // Firmed as one.
    s.ok(&["booking", "confirm", "1"]);
    // The room is kept between the days (the gear stays set up): a hold on the second day, or
    // the night between, is refused naming the block; the evening after its last day is free.
    for (from, to) in [
        ("2027-03-02 12:00", "2027-03-02 14:00"),
        ("2027-03-01 22:00", "2027-03-02 02:00"),
    ] {
        let refused = s.fails(&slot("hold", "Other Band", from, to, &[]));
        assert!(
            refused
                .contains("Studio A is already booked then: #1 Studio A 2027-03-01 to 2027-03-02"),
            "{refused}"
        );
    }
    s.ok(&slot(
        "hold",
        "Other Band",
        "2027-03-02 21:00",
        "2027-03-02 23:00",
        &[],
    ));
    // Three days 10:00–20:00 across the spring clock change (Sunday 28 March 2027): each day is
    // still 10 h local, so 3 × £700 = £2,100, not a day short or an hour over.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-27 10:00",
        "2027-03-27 20:00",
        &["--days", "3"],
    ));
    let list = s.json(&["booking", "list", "--project", "Night Songs"]);
    let block = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["days"] == 3)
        .unwrap();
    assert_eq!(block["cost"], 210_000);
    // The last day ends Monday 29 March 20:00 BST, 19:00 UTC.
    assert_eq!(
        block["end_utc"],
        parse_local("2027-03-29 20:00", &london()).unwrap()
    );
    // Two nights 22:00–01:30 from Friday 24 March 2028: the second night's 01:30 (Sunday 26
    // March) falls in the spring gap, yet the first night stays 3 h 30 m: 7 half hours ×
    // £42.50 = £297.50; the second (22:00–02:30 BST, 3 h 30 m of real time) the same: £595.
    s.ok(&slot(
        "hold",
        "Other Band",
        "2028-03-24 22:00",
        "2028-03-25 01:30",
        &["--days", "2"],
    ));
    let list = s.json(&["booking", "list", "--project", "Other Band"]);
    let nights = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["days"] == 2)
        .unwrap();
    assert_eq!(nights["cost"], 59_500);
    // Refused: no days, too many, and a "day" of a day or more.
    assert!(
        s.fails(&slot(
            "hold",
            "Other Band",
            "2027-05-01 10:00",
            "2027-05-01 20:00",
            &["--days", "0"]
        ))
        .contains("a block is 1 to 31 days")
    );
    assert!(
        s.fails(&slot(
            "hold",
            "Other Band",
            "2027-05-01 10:00",
            "2027-05-01 20:00",
            &["--days", "40"]
        ))
        .contains("a block is 1 to 31 days")
    );
    assert!(
        s.fails(&slot(
            "hold",
            "Other Band",
            "2027-05-01 10:00",
            "2027-05-02 10:00",
            &["--days", "2"]
        ))
        .contains("each day of a block must be shorter than a day")
    );
    // A calendar sees one event a day, each at its local times: the 3-day block's Sunday,
    // after the clocks went forward, starts at 10:00 BST, 09:00 UTC.
    let ics = s.file("blocks.ics");
    s.ok(&["booking", "export", "--ics", ics.to_str().unwrap()]);
    let text = std::fs::read_to_string(&ics).unwrap();
    for expected in [
        "UID:booking-1-day2@studiodesk.local",
        "UID:booking-3-day3@studiodesk.local",
        "DTSTART:20270327T100000Z",
        "DTSTART:20270328T090000Z",
        "DTEND:20270328T190000Z",
        "day 2 of 3)",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    // Released as one: a held block goes at once.
    s.ok(&slot(
        "hold",
        "Other Band",
        "2027-06-07 10:00",
        "2027-06-07 18:00",
        &["--days", "5"],
    ));
    let released = s.ok(&["booking", "release", "5"]);
    assert!(
        released.contains("5 days 10:00–18:00 (Other Band, released)"),
        "{released}"
    );
}

/// Issue 12, finding 1: a booking that crosses midnight is one session up to a day; a longer one
/// is priced in 24-hour sessions, and a block cancelled late is charged on all its days.
#[test]
fn bookings_past_midnight_and_cancelled_blocks() {
    let s = Studio::new();
    // Monday 10:00 → Tuesday 20:00 as one booking: 34 h is a 24 h session (the day rate + 14 h
    // overtime: £700 + 28 half hours × £42.50 = £1,890) and a 10 h session (£700): £2,590.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-02 20:00",
        &[],
    ));
    // A night session 21:00–05:00 is one 8 h session: half day + 3 h = £380 + £255 = £635.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-03 21:00",
        "2027-03-04 05:00",
        &[],
    ));
    let list = s.json(&["booking", "list"]);
    assert_eq!(list[0]["cost"], 259_000);
    assert_eq!(list[1]["cost"], 63_500);
    // A 2-day block cancelled 30 h before its start, under the default policy (50 % under 48 h):
    // 50 % of 2 × £700 = £700.
    let mut store = common::studio_at(s.db());
    let start = parse_local("2027-04-05 10:00", &london()).unwrap();
    let new = bookings::NewHold {
        project: "Other Band".into(),
        room: "Studio A".into(),
        engineer: None,
        assistant: None,
        start_utc: start,
        end_utc: start + 8 * 3600,
        days: 2,
        expires_hours: None,
    };
    let cancelled = store
        .write(|tx, tz| {
            let b = bookings::book(tx, tz, &new, start - 40 * 24 * 3600)?;
            bookings::cancel(tx, b.booking.id, start - 30 * 3600)
        })
        .unwrap();
    // 8 h a day: half day + 3 h = £635, twice: £1,270; half of it £635.
    assert_eq!(cancelled.cost.0, 127_000);
    assert_eq!(cancelled.booking.cancel_charge.0, 63_500);
    assert_eq!(cancelled.booking.status, bookings::Status::Cancelled);
}

/// Issue 12, finding 3: a fee is in its agreement's currency; a project converts it only at a
/// rate the user set, shown with its date; without one the line is shown apart, not summed.
#[test]
fn currencies_are_never_mixed() {
    let s = Studio::new();
    s.ok(&["rates", "set", "afm", "scale", "450.00"]);
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
        &[],
    ));
    // Kim (AFM) 3 h, one instrument: scale $450.00; pension 14.09 % = $63.405, rounded half up
    // $63.41; health & welfare, first session of the day, $30.00: $543.41.
    let quote = s.json(&common::hire("1", "Kim Vale", "afm", "bass", "3h", &[]));
    assert_eq!(quote["currency"], "USD");
    assert_eq!(quote["total"], 54_341);
    let text = s.ok(&["hire", "quote", "1"]);
    assert!(text.contains("543.41  USD"), "{text}");
    // Lee (MU) 3 h, one instrument: £130.00, in GBP.
    s.ok(&common::hire("1", "Lee Hart", "mu", "guitar", "3h", &[]));
    // No rate: the room £700 and Lee's £130 are summed in GBP; Kim's $543.41 is shown apart.
    let report = s.json(&["budget", "report", "Night Songs"]);
    assert_eq!(actual(&report, "studio"), 70_000);
    assert_eq!(actual(&report, "musicians"), 13_000);
    assert_eq!(report["total"]["actual"], 83_000);
    assert_eq!(report["unconverted"][0]["currency"], "USD");
    assert_eq!(report["unconverted"][0]["category"], "musicians");
    assert_eq!(report["unconverted"][0]["amount"], 54_341);
    let text = s.ok(&["budget", "report", "Night Songs"]);
    assert!(
        text.contains("not converted: musicians 543.41 USD (no USD→GBP rate: studiodesk rates set fx USD GBP RATE)"),
        "{text}"
    );
    // With 1 USD = 0.79 GBP, each line converts: $450.00 → £355.50, $63.41 → £50.0939 = £50.09,
    // $30.00 → £23.70: £429.29; musicians £130.00 + £429.29 = £559.29; total £1,259.29.
    let set = s.ok(&["rates", "set", "fx", "USD", "GBP", "0.79"]);
    assert!(set.contains("1 USD = 0.79 GBP"), "{set}");
    let report = s.json(&["budget", "report", "Night Songs"]);
    assert_eq!(actual(&report, "musicians"), 55_929);
    assert_eq!(report["total"]["actual"], 125_929);
    assert_eq!(report["unconverted"], Value::Array(vec![]));
    assert_eq!(report["fx"][0]["rate_micro"], 790_000);
    // The invoice converts each fee line as the budget does: they agree to the penny.
    let doc = s.json(&["invoice", "Night Songs"]);
    let musicians: i64 = doc["sessions"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "musician")
        .map(|l| l["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(musicians, 55_929);
    let kim = &doc["sessions"][0]["lines"][1];
    assert_eq!(kim["original"], "543.41 USD");
    let today = format_local(now(), &london());
    assert!(
        doc["fx_notes"][0]
            .as_str()
            .unwrap()
            .starts_with(&format!("1 USD = 0.79 GBP (rate set {}", &today[..10])),
        "{doc}"
    );
    let csv = s.ok(&["budget", "report", "Night Songs", "--csv"]);
    assert!(
        csv.contains(&format!("rate,from,to,set\n0.79,USD,GBP,{}", &today[..10])),
        "{csv}"
    );
    let text = s.ok(&["budget", "report", "Night Songs"]);
    assert!(
        text.contains(&format!(
            "converted at 1 USD = 0.79 GBP, set {}",
            &today[..10]
        )),
        "{text}"
    );
    // A room priced in euros on the GBP project, with only GBP→EUR set (1.16): its inverse is
    // used. €580 / 1.16 = £500.00.
    s.ok(&[
        "room",
        "add",
        "Salle B",
        "--hourly",
        "80",
        "--half-day",
        "300",
        "--day",
        "580",
        "--currency",
        "EUR",
    ]);
    s.ok(&["rates", "set", "fx", "GBP", "EUR", "1.16"]);
    s.ok(&[
        "booking",
        "book",
        "--project",
        "Night Songs",
        "--room",
        "Salle B",
        "--start",
        "2027-03-02 10:00",
        "--end",
        "2027-03-02 20:00",
    ]);
    let report = s.json(&["budget", "report", "Night Songs"]);
    assert_eq!(actual(&report, "studio"), 120_000);
    // Nonsense rates are refused and nothing changes.
    for bad in [
        &["USD", "GBP", "0"][..],
        &["USD", "GBP", "-1"],
        &["USD", "USD", "1"],
        &["US", "GBP", "1"],
        &["USD", "GBP"],
    ] {
        let mut args = vec!["rates", "set", "fx"];
        args.extend_from_slice(bad);
        s.fails(&args);
    }
    let report = s.json(&["budget", "report", "Night Songs"]);
    let usd = report["fx"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["from"] == "USD")
        .unwrap();
    assert_eq!(usd["rate_micro"], 790_000);
    assert_eq!(actual(&report, "studio"), 120_000);
}

/// Issue 12, finding 4: "the first session of the day" is judged in the studio's zone, stored
/// with the data, whatever zone a screen shows times in.
#[test]
fn the_first_session_of_the_day_is_the_studios_day() {
    let s = Studio::new();
    let facility = s.ok(&["facility", "list"]);
    assert!(facility.contains("timezone   Europe/London"), "{facility}");
    s.ok(&["rates", "set", "afm", "scale", "450.00"]);
    // In summer London is UTC+1: 00:30 on 1 July in London is 23:30 on 30 June in UTC. Kim plays
    // 00:30–03:30 and 10:00–13:00 on 1 July, London time: the first is the day's first ($30
    // health & welfare), the second a further session ($25). In UTC they fell on two days (both
    // $30) and the budget disagreed with the quote.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-07-01 00:30",
        "2027-07-01 03:30",
        &[],
    ));
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-07-01 10:00",
        "2027-07-01 13:00",
        &[],
    ));
    for booking in ["1", "2"] {
        s.ok(&common::hire(booking, "Kim Vale", "afm", "bass", "3h", &[]));
    }
    let health = |q: &Value| {
        q["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "health_welfare")
            .unwrap()["amount"]
            .clone()
    };
    // Whatever zone the screen is in, the same answer.
    for zone in ["Europe/London", "UTC", "America/Los_Angeles", "Asia/Tokyo"] {
        let first = s.json(&["hire", "quote", "1", "--tz", zone]);
        let second = s.json(&["hire", "quote", "2", "--tz", zone]);
        assert_eq!(health(&first), 3_000, "{zone}");
        assert_eq!(health(&second), 2_500, "{zone}");
    }
    // The budget agrees: 2 × ($450.00 + $63.41) + $30.00 + $25.00 = $1,081.82.
    let report = s.json(&["budget", "report", "Night Songs", "--tz", "UTC"]);
    assert_eq!(report["unconverted"][0]["amount"], 108_182);
    // Moving the studio moves its days: in Los Angeles (UTC−7 in July) 00:30 London is 16:30 on
    // 30 June, 10:00 London is 02:00 on 1 July: two days, two first sessions.
    s.ok(&["facility", "set", "timezone", "America/Los_Angeles"]);
    let second = s.json(&["hire", "quote", "2"]);
    assert_eq!(health(&second), 3_000);
    // A zone that does not exist is refused, naming it.
    assert!(
        s.fails(&["facility", "set", "timezone", "Mars/Olympus"])
            .contains("Mars/Olympus")
    );
}

/// Issue 12, finding 6: musicians are paid for a session cancelled late, per their agreement's
/// rate rows (with their source), and the budget counts it.
#[test]
fn musicians_are_paid_for_late_cancellations() {
    let s = Studio::new();
    s.ok(&["rates", "set", "afm", "scale", "450.00"]);
    let rates = s.ok(&["rates", "list", "--agreement", "afm"]);
    assert!(
        rates.contains("AFM: a session cancelled less than 7 days ahead is paid"),
        "{rates}"
    );
    // Three sessions, starting in 3 days, 10 days and 36 hours from now.
    let at = |hours: i64| format_local(now() + hours * 3600, &london());
    let sessions = [(72, "3 days"), (240, "10 days"), (36, "36 hours")];
    for (hours, _) in sessions {
        let (from, to) = (at(hours), at(hours + 3));
        s.ok(&slot("book", "Night Songs", &from, &to, &[]));
    }
    // Kim (AFM, $543.41) on #1 and #2; Lee (MU 3 h, £130.00) on #3.
    for booking in ["1", "2"] {
        s.ok(&common::hire(booking, "Kim Vale", "afm", "bass", "3h", &[]));
    }
    s.ok(&common::hire("3", "Lee Hart", "mu", "guitar", "3h", &[]));
    // #1 cancelled 3 days ahead: under AFM's 7 days, Kim is paid in full, $543.41; the room is
    // free to cancel (72 h is past the 48 h policy).
    let text = s.ok(&["booking", "cancel", "1"]);
    assert!(text.contains("charge 0.00 GBP"), "{text}");
    assert!(text.contains("Kim Vale is owed 543.41 USD"), "{text}");
    // #2 cancelled 10 days ahead: nothing owed.
    let cancelled = s.json(&["booking", "cancel", "2"]);
    assert_eq!(cancelled["musicians"], Value::Array(vec![]));
    // #3 cancelled 36 h ahead: the room charges 50 % of 3 h × £85 = £127.50; Lee is owed the
    // MU fee, £130.00.
    let cancelled = s.json(&["booking", "cancel", "3"]);
    assert_eq!(cancelled["booking"]["cancel_charge"], 12_750);
    assert_eq!(cancelled["musicians"][0]["amount"], 13_000);
    assert_eq!(cancelled["musicians"][0]["person"], "Lee Hart");
    // The budget: studio £127.50; musicians £130.00 in GBP and $543.41 not converted.
    let report = s.json(&["budget", "report", "Night Songs"]);
    assert_eq!(actual(&report, "studio"), 12_750);
    assert_eq!(actual(&report, "musicians"), 13_000);
    assert_eq!(report["unconverted"][0]["amount"], 54_341);
    // A studio whose agreement says 50 % within 14 days: Kim's cancelled #2 (10 days ahead)
    // now owes half of $543.41 = $271.705, rounded half up $271.71; #1 still owes it all… at
    // 50 % too: $271.71 + $271.71 = $543.42.
    s.ok(&["rates", "set", "afm", "cancel_notice", "336h"]);
    s.ok(&["rates", "set", "afm", "cancel_pay", "50"]);
    let report = s.json(&["budget", "report", "Night Songs"]);
    assert_eq!(report["unconverted"][0]["amount"], 54_342);
}

/// The text of a PDF as poppler's pdftotext reads it, each run of spaces made one.
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) reads the PDF");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Issue 12's invoice: a project with a 2-day block (engineer on his own rate, an MU guitarist),
/// a session cancelled 30 h ahead (with a musician booked on it), an expense and a deposit that
/// firmed the block — every line and the balance checked in the JSON and in the PDF's text.
#[test]
fn an_invoice_bills_every_line_and_the_balance() {
    let s = Studio::new();
    s.ok(&["person", "add", "Jo Park", "--kind", "engineer"]);
    s.ok(&["person", "add", "Northern Records", "--kind", "client"]);
    s.ok(&[
        "project",
        "add",
        "Harbour",
        "--artist",
        "Ana Reyes",
        "--client",
        "Northern Records",
    ]);
    s.ok(&["facility", "set", "name", "Studio Nord"]);
    s.ok(&["facility", "set", "address", "12 Mill Lane\nLeeds LS1 4AB"]);
    s.ok(&crew("engineer", Some("Jo Park"), ["40", "180", "320"]));
    // A hold becomes firm when 25 % of its charge is paid.
    s.ok(&["policy", "set", "deposit_firm_bp", "25"]);
    let block = s.ok(&[
        "booking",
        "hold",
        "--project",
        "Harbour",
        "--room",
        "Studio A",
        "--start",
        "2027-03-01 10:00",
        "--end",
        "2027-03-01 20:00",
        "--days",
        "2",
        "--engineer",
        "Jo Park",
    ]);
    assert!(block.contains("#1 "), "{block}");
    // The block's charge: room 2 × £700 + Jo 2 × £320 = £2,040, with VAT 20 % £2,448; 25 % is
    // £612. £500 is not enough to firm it; £200 more is.
    let first = s.json(&[
        "payment",
        "add",
        "--project",
        "Harbour",
        "--amount",
        "500",
        "--booking",
        "1",
    ]);
    assert_eq!(first["firmed"], Value::Null);
    let second = s.ok(&[
        "payment",
        "add",
        "--project",
        "Harbour",
        "--amount",
        "200",
        "--booking",
        "1",
        "--note",
        "deposit, second part",
    ]);
    assert!(
        second.contains("deposit paid: firmed #1 Studio A"),
        "{second}"
    );
    s.ok(&common::hire("1", "Lee Hart", "mu", "guitar", "3h", &[]));
    s.ok(&["log", "take", "1", "--song", "Harbour Lights"]);
    s.ok(&["log", "take", "1", "--song", "Paper Moon"]);
    s.ok(&["log", "take", "1", "--song", "Harbour Lights"]);
    // A 4 h session 30 h from now, with Lee on it, cancelled now.
    let at = |hours: i64| format_local(now() + hours * 3600, &london());
    let (from, to) = (at(30), at(34));
    s.ok(&[
        "booking",
        "book",
        "--project",
        "Harbour",
        "--room",
        "Studio A",
        "--start",
        &from,
        "--end",
        &to,
    ]);
    s.ok(&common::hire("2", "Lee Hart", "mu", "guitar", "3h", &[]));
    s.ok(&["booking", "cancel", "2"]);
    s.ok(&[
        "budget",
        "expense",
        "Harbour",
        "--category",
        "rentals",
        "--amount",
        "120",
        "--note",
        "Neumann U47 hire",
    ]);
    // booking list: the block's £1,400 room time (+ £640 crew), paid £600, due £1,440.
    let list = s.json(&["booking", "list", "--project", "Harbour"]);
    let block = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == 1)
        .unwrap();
    assert_eq!(
        (
            block["cost"].as_i64(),
            block["paid"].as_i64(),
            block["due"].as_i64()
        ),
        (Some(140_000), Some(70_000), Some(190_400))
    );
    // booking list: the block's room time £1,400; billed (£1,400 + £640 + Lee £130) × 1.2 =
    // £2,604 with VAT; paid £700; due £1,904.
    assert_eq!(block["billed"], 260_400);
    // A quote is its own series and bills what is booked and held, not the cancellation:
    // (£1,400 + £640 + £130 + £120) × 1.2 = £2,748.
    let quote = s.json(&["invoice", "Harbour", "--quote"]);
    assert_eq!(quote["reference"], "Q-0001");
    assert_eq!(quote["total"], 274_800);

    let pdf = s.file("invoice.pdf");
    let doc = s.json(&["invoice", "Harbour", "--out", pdf.to_str().unwrap()]);
    assert_eq!(doc["reference"], "INV-0001");
    assert_eq!(doc["client"], "Northern Records");
    assert_eq!(doc["studio_name"], "Studio Nord");
    let sections = doc["sessions"].as_array().unwrap();
    let lines = |booking: i64| -> Vec<(String, i64)> {
        sections.iter().find(|s| s["booking"] == booking).unwrap()["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["kind"].as_str().unwrap().to_string(),
                    l["amount"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // The block: room 2 × £700, Jo 2 × £320, Lee's MU standard session £130.
    assert_eq!(
        lines(1),
        [
            ("room".into(), 140_000),
            ("engineer".into(), 64_000),
            ("musician".into(), 13_000)
        ]
    );
    let block = sections.iter().find(|s| s["booking"] == 1).unwrap();
    assert_eq!(
        block["songs"],
        serde_json::json!(["Harbour Lights", "Paper Moon"])
    );
    // The cancelled session: 4 h = 8 half hours × £42.50 = £340, 50 % under 48 h = £170; Lee
    // is owed his £130 (MU, cancelled under 7 days ahead).
    assert_eq!(
        lines(2),
        [
            ("cancellation".into(), 17_000),
            ("musician_cancellation".into(), 13_000)
        ]
    );
    assert_eq!(doc["expenses"][0]["amount"], 12_000);
    // Subtotal £1,400 + £640 + £130 + £170 + £130 + £120 = £2,590; VAT 20 % = £518; total
    // £3,108; paid £700; due £2,408.
    assert_eq!(doc["subtotal"], 259_000);
    assert_eq!(doc["vat"], 51_800);
    assert_eq!(doc["total"], 310_800);
    assert_eq!(doc["paid"], 70_000);
    assert_eq!(doc["balance_due"], 240_800);
    // The same on paper.
    let text = pdf_text(&pdf);
    for expected in [
        "Studio Nord INVOICE",
        "12 Mill Lane INV-0001",
        "Leeds LS1 4AB",
        "Bill to: Northern Records",
        "Project: Harbour (amounts in GBP)",
        "Session #1: Studio A, 2027-03-01 to 2027-03-02, 2 days 10:00–20:00 (confirmed)",
        "Songs: Harbour Lights, Paper Moon",
        "Studio A room time, 2 session(s) 1,400.00",
        "engineer Jo Park (own rate) 640.00",
        "Lee Hart (guitar, MU agreement) 130.00",
        "charged 170.00 (50 %) 170.00",
        "rentals: Neumann U47 hire 120.00",
        "Subtotal 2,590.00 GBP",
        "VAT 20 % 518.00 GBP",
        "Total 3,108.00 GBP",
        "Paid 700.00 GBP",
        "Balance due 2,408.00 GBP",
        "page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(text.contains("Lee Hart (guitar): cancelled"), "{text}");

    // Numbers run on and are never reused: a file that exists is refused before a number is
    // taken; a file that cannot be written takes none either.
    assert!(
        s.fails(&["invoice", "Harbour", "--out", pdf.to_str().unwrap()])
            .contains("exists; not replaced")
    );
    let nowhere = s.file("no-such-folder").join("x.pdf");
    assert!(
        s.fails(&["invoice", "Harbour", "--out", nowhere.to_str().unwrap()])
            .contains("INV-0002 was not issued")
    );
    let again = s.json(&[
        "invoice",
        "Harbour",
        "--out",
        pdf.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(again["reference"], "INV-0002");
    // An invoice bills only what no invoice has: INV-0002 has nothing new, and carries INV-0001
    // forward. A later expense is billed by the next one, on top of the balance.
    assert_eq!(again["sessions"], Value::Array(vec![]));
    assert_eq!(again["total"], 0);
    assert_eq!(again["previously_invoiced"], 310_800);
    assert_eq!(again["balance_due"], 240_800);
    s.ok(&[
        "budget",
        "expense",
        "Harbour",
        "--category",
        "mixing",
        "--amount",
        "50",
    ]);
    // £50 + VAT £10 = £60; due £2,408 + £60 = £2,468.
    let third = s.json(&["invoice", "Harbour"]);
    assert_eq!(third["reference"], "INV-0003");
    assert_eq!(third["total"], 6_000);
    assert_eq!(third["balance_due"], 246_800);
    // Payments are checked: nothing, too much, another project's booking.
    for bad in [
        &["--amount", "0"][..],
        &["--amount", "-5"],
        &["--amount", "lots"],
    ] {
        let mut args = vec!["payment", "add", "--project", "Harbour"];
        args.extend_from_slice(bad);
        s.fails(&args);
    }
    assert!(
        s.fails(&[
            "payment",
            "add",
            "--project",
            "Night Songs",
            "--amount",
            "10",
            "--booking",
            "1"
        ])
        .contains("#1 is a booking of Harbour, not of Night Songs")
    );
}

/// Issue 12's union paperwork: the AFM B-4-style report and the MU/BPI session details of a
/// session, as CSV and on paper, every fee by kind worked by hand.
#[test]
fn union_paperwork_for_a_session() {
    let s = Studio::new();
    s.ok(&["rates", "set", "afm", "scale", "450.00"]);
    s.ok(&["rates", "set", "afm", "cartage", "25.00"]);
    s.ok(&["facility", "set", "name", "Studio Nord"]);
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 14:00",
        &[],
    ));
    s.ok(&common::hire(
        "1",
        "Kim Vale",
        "afm",
        "bass,double bass",
        "3h40m",
        &["--cartage", "2"],
    ));
    s.ok(&common::hire(
        "1",
        "Lee Hart",
        "mu",
        "guitar,mandolin",
        "3h40m",
        &["--porterage", "A"],
    ));
    // Harbour Lights: three takes, the second circled (3:07); Paper Moon one take (4:05).
    for (song, duration, circled) in [
        ("Harbour Lights", "200", false),
        ("Harbour Lights", "187", true),
        ("Harbour Lights", "190", false),
        ("Paper Moon", "245.4", false),
    ] {
        let mut args = vec!["log", "take", "1", "--song", song, "--duration", duration];
        if circled {
            args.push("--circled");
        }
        s.ok(&args);
    }
    let afm = s.ok(&["union", "1", "--agreement", "afm", "--csv"]);
    // AFM, worked 3 h 40 m with a double: scale $450.00; overtime 3 × 15 min at 12.5 % of
    // scale ($56.25) = $168.75; doubling 20 % = $90.00; pension 14.09 % of $708.75 = $99.86;
    // H&W $30.00 (first session of the day); cartage 2 × $25.00 = $50.00; total $888.61.
    for expected in [
        "agreement,AFM",
        "when,2027-03-01 10:00–14:00",
        "company,Ana Reyes",
        "studio,\"Studio Nord, Studio A\"",
        "artist,Ana Reyes",
        "Harbour Lights,3:07",
        "Paper Moon,4:05",
        "musician,role,instruments,session_type,hours,session,overtime,doubling,pension,health_welfare,cartage,total,currency",
        "Kim Vale,side,\"bass,double bass\",standard,3h40m,450.00,168.75,90.00,99.86,30.00,50.00,888.61,USD",
    ] {
        assert!(afm.contains(expected), "{expected:?} not in:\n{afm}");
    }
    assert!(!afm.contains("Lee Hart"), "{afm}");
    // MU/BPI, worked 3 h 40 m with a double: £130.00 + 3 × £32.50 = £227.50; doubling 25 % =
    // £56.875, rounded half up £56.88; porterage class A £17.52; total £301.90.
    let mu = s.ok(&["union", "1", "--agreement", "mu", "--csv"]);
    assert!(
        mu.contains("Lee Hart,side,\"guitar,mandolin\",standard,3h40m,130.00,97.50,56.88,0.00,17.52,301.90,GBP"),
        "{mu}"
    );
    // On paper: both, one after the other.
    let pdf = s.file("union.pdf");
    s.ok(&["union", "1", "--out", pdf.to_str().unwrap()]);
    let text = pdf_text(&pdf);
    for expected in [
        "AFM session report (B-4 style)",
        "Date 2027-03-01 10:00–14:00",
        "Company Ana Reyes",
        "Harbour Lights 3:07",
        "Scale Overtime Doubling Pension H&W Cartage Total",
        "Kim Vale (side) 450.00 168.75 90.00 99.86 30.00 50.00 888.61",
        "worked 3h40m; bass, double bass; in USD",
        "MU/BPI session details",
        "Fee Overtime Doubling Overdub Porterage Total",
        "Lee Hart (side) 130.00 97.50 56.88 0.00 17.52 301.90",
        "standard session, worked 3h40m; guitar, mandolin; in GBP",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // A session with nobody under a union says so.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-02 10:00",
        "2027-03-02 14:00",
        &[],
    ));
    assert!(s.fails(&["union", "2"]).contains("no AFM or MU musicians"));
}

/// Engineers and assistants are paid at their own rate card, else the house rate for the role,
/// by the same session rules as the room, and counted in the budget's engineer line; an
/// assistant cannot be in two sessions at once either.
#[test]
fn crew_rates_reach_the_budget() {
    let s = Studio::new();
    s.ok(&["person", "add", "Jo Park", "--kind", "engineer"]);
    s.ok(&["person", "add", "Sam Ito", "--kind", "engineer"]);
    s.ok(&["person", "add", "Ray Cole", "--kind", "engineer"]);
    // House engineer rate £35 / £150 / £280; Jo's own £40 / £180 / £320; house assistant
    // £15 / £70 / £120.
    s.ok(&crew("engineer", None, ["35", "150", "280"]));
    s.ok(&crew("engineer", Some("Jo Park"), ["40", "180", "320"]));
    s.ok(&crew("assistant", None, ["15", "70", "120"]));
    let rates = s.ok(&["rates", "list"]);
    assert!(
        rates
            .contains("crew engineer Jo Park: 40.00 / 180.00 / 320.00 GBP (hour / half day / day)"),
        "{rates}"
    );
    // #1: 10 h with Jo (own day rate £320) and Ray assisting (house day rate £120), run 1 h
    // over: 2 half hours at the hourly rate each, Jo £40, Ray £15.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
        &["--engineer", "Jo Park", "--assistant", "Ray Cole"],
    ));
    s.ok(&["booking", "ended", "1", "--at", "2027-03-01 21:00"]);
    // #2: 4 h with Sam at the house rate: 8 half hours × £17.50 = £140 (under the £150 half
    // day).
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-03-02 10:00",
        "2027-03-02 14:00",
        &["--engineer", "Sam Ito"],
    ));
    // Engineer line: Jo £320 + £40, Ray £120 + £15, Sam £140 = £635.
    let report = s.json(&["budget", "report", "Night Songs"]);
    assert_eq!(actual(&report, "engineer"), 63_500);
    // Studio: £700 + 1 h overtime £85, and 4 h £340: £1,125.
    assert_eq!(actual(&report, "studio"), 112_500);
    // Ray assists #1 until 20:00; he cannot engineer a session at 19:00 in another room.
    s.ok(&[
        "room",
        "add",
        "Studio B",
        "--hourly",
        "60",
        "--half-day",
        "250",
        "--day",
        "450",
    ]);
    let refused = s.fails(&[
        "booking",
        "hold",
        "--project",
        "Other Band",
        "--room",
        "Studio B",
        "--start",
        "2027-03-01 19:00",
        "--end",
        "2027-03-01 23:00",
        "--engineer",
        "Ray Cole",
    ]);
    assert!(
        refused.contains("Ray Cole is already booked then: #1 Studio A"),
        "{refused}"
    );
    // A block keeps its people on its days, not the nights between: Jo engineers two days
    // 10:00–18:00 in Studio A and may take an evening session in Studio B on the first, but not
    // a midday one on the second.
    s.ok(&slot(
        "book",
        "Night Songs",
        "2027-04-05 10:00",
        "2027-04-05 18:00",
        &["--days", "2", "--engineer", "Jo Park"],
    ));
    s.ok(&[
        "booking",
        "book",
        "--project",
        "Other Band",
        "--room",
        "Studio B",
        "--start",
        "2027-04-05 19:00",
        "--end",
        "2027-04-05 23:00",
        "--engineer",
        "Jo Park",
    ]);
    let refused = s.fails(&[
        "booking",
        "hold",
        "--project",
        "Other Band",
        "--room",
        "Studio B",
        "--start",
        "2027-04-06 12:00",
        "--end",
        "2027-04-06 14:00",
        "--engineer",
        "Jo Park",
    ]);
    assert!(
        refused.contains("Jo Park is already booked then: #3 Studio A 2027-04-05 to 2027-04-06"),
        "{refused}"
    );
    // The same person cannot be both engineer and assistant.
    let both = s.fails(&slot(
        "hold",
        "Other Band",
        "2027-03-05 10:00",
        "2027-03-05 12:00",
        &["--engineer", "Sam Ito", "--assistant", "Sam Ito"],
    ));
    assert!(
        both.contains("cannot be both the engineer and the assistant"),
        "{both}"
    );
}

/// The deposit policy firms a hold only when it can be firmed: a 2nd hold whose deposit is paid
/// stays a hold (the payment is kept), and with the policy off nothing is firmed.
#[test]
fn a_deposit_firms_only_what_can_be_firmed() {
    let s = Studio::new();
    s.ok(&slot(
        "hold",
        "Other Band",
        "2027-03-01 10:00",
        "2027-03-01 13:00",
        &[],
    ));
    s.ok(&slot(
        "hold",
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 13:00",
        &[],
    ));
    // Off by default: a payment on the 1st hold firms nothing.
    let paid = s.json(&[
        "payment",
        "add",
        "--project",
        "Other Band",
        "--amount",
        "255",
        "--booking",
        "1",
    ]);
    assert_eq!(paid["firmed"], Value::Null);
    // 50 % deposit: 3 h = £255, with VAT £306, half is £153. The 2nd hold's deposit is kept,
    // the hold stays.
    s.ok(&["policy", "set", "deposit_firm_bp", "50"]);
    let second = s.ok(&[
        "payment",
        "add",
        "--project",
        "Night Songs",
        "--amount",
        "153",
        "--booking",
        "2",
    ]);
    assert!(
        second.contains("deposit paid, but the hold stays a hold: #2 is the 2nd hold"),
        "{second}"
    );
    let list = s.json(&["booking", "list"]);
    assert_eq!(list[1]["status"], "hold");
    assert_eq!(list[1]["paid"], 15_300);
    assert_eq!(list[1]["due"], 15_300);
    // Night Songs: nothing billed yet (a hold is on the quote, not the invoice), paid £153:
    // in credit.
    let payments = s.json(&["payment", "list", "--project", "Night Songs"]);
    assert_eq!(payments["payments"].as_array().unwrap().len(), 1);
    assert_eq!(payments["billed"], 0);
    assert_eq!(payments["paid"], 15_300);
    assert_eq!(payments["due"], -15_300);
    let text = s.ok(&["payment", "list", "--project", "Night Songs"]);
    assert!(
        text.contains("Night Songs: billed 0.00 GBP (VAT included), paid 153.00, in credit 153.00"),
        "{text}"
    );
}

/// A studio from schema 3 (before blocks, zones, rates of exchange and payments) reads and
/// prices as before, read-only or not, and takes the zone it is first opened in.
#[test]
fn a_studio_from_before_money_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        include_str!("../src/studio/schema_v1.sql"),
        include_str!("../src/studio/schema_v2.sql"),
        include_str!("../src/studio/schema_v3.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 3).unwrap();
    conn.execute_batch(
        "INSERT INTO rooms (name, currency, hourly, half_day, day) VALUES ('Studio A', 'GBP', 8500, 38000, 70000);
         INSERT INTO projects (title, currency) VALUES ('Old Songs', 'GBP');
         INSERT INTO bookings (project_id, room_id, start_utc, end_utc, status, created_utc)
           VALUES (1, 1, 1803895200, 1803931200, 'confirmed', 1800000000);",
    )
    .unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_studiodesk"))
            .args(args)
            .env("STUDIODESK_DB", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // 2027-03-01 10:00–20:00 UTC, a day: £700, read without changing the file.
    let list: Value = serde_json::from_str(&run(&[
        "booking",
        "list",
        "--json",
        "--tz",
        "America/New_York",
    ]))
    .unwrap();
    assert_eq!(list[0]["cost"], 70_000);
    assert_eq!(list[0]["days"], 1);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The first change stores the zone it was made in, and it stays.
    run(&[
        "facility",
        "set",
        "name",
        "Old Studio",
        "--tz",
        "America/New_York",
    ]);
    assert!(run(&["facility", "list"]).contains("timezone   America/New_York"));
    run(&[
        "facility",
        "set",
        "address",
        "1 Main St",
        "--tz",
        "Europe/Paris",
    ]);
    assert!(run(&["facility", "list"]).contains("timezone   America/New_York"));
    let list: Value = serde_json::from_str(&run(&["booking", "list", "--json"])).unwrap();
    assert_eq!(list[0]["cost"], 70_000);
}
