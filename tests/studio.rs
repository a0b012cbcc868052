//! The studio store: fee rules with the agreements' own numbers, holds and their ranking,
//! promotion, challenges, expiry, firming conflicts, cancellation charges, the budget roll-up,
//! migrations, iCalendar export, and two processes racing for the same slot.

mod common;

use std::path::Path;
use std::process::Command;

use jiff::tz::TimeZone;
use studiodesk::studio::bookings::{self, NewHold, Status};
use studiodesk::studio::budget::{self, Category};
use studiodesk::studio::entities::{self, PersonKind, Union};
use studiodesk::studio::fees::{self, Agreement, Engagement, RateTable, Role, SessionKind};
use studiodesk::studio::hires::NewHire;
use studiodesk::studio::units::{Minor, parse_local};
use studiodesk::studio::{SCHEMA_VERSION, Store, StudioError};

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap()
}

/// A store with a room (£85/h, £380 half day, £700 day), people and two projects.
fn studio(dir: &Path) -> Store {
    common::studio(dir)
}

fn at(s: &str) -> i64 {
    parse_local(s, &london()).unwrap()
}

fn hold(
    store: &mut Store,
    project: &str,
    start: &str,
    end: &str,
    now: i64,
) -> Result<bookings::Booking, StudioError> {
    let (start, end) = (at(start), at(end));
    store.write(|tx, tz| {
        bookings::hold(
            tx,
            tz,
            &NewHold {
                project: project.into(),
                room: "Studio A".into(),
                engineer: None,
                assistant: None,
                start_utc: start,
                end_utc: end,
                days: 1,
                expires_hours: None,
            },
            now,
        )
    })
}

fn mu(worked_min: i64, instruments: usize) -> Engagement {
    Engagement {
        agreement: Agreement::Mu,
        role: Role::Side,
        session: SessionKind::Standard,
        worked_min,
        instruments,
        overdub: false,
        porterage: vec![],
        cartage: 0,
        first_session_of_day: true,
        flat_fee: None,
        hourly: None,
    }
}

/// A hire of `person` onto `booking_id` with the usual defaults.
fn new_hire(
    booking_id: i64,
    person: &str,
    agreement: Agreement,
    instruments: &str,
    porterage: &str,
) -> NewHire {
    NewHire {
        booking_id,
        person: person.into(),
        role: Role::Side,
        instruments: instruments.into(),
        agreement,
        session: SessionKind::Standard,
        worked_min: if agreement == Agreement::Mu { 220 } else { 180 },
        overdub: false,
        porterage: porterage.into(),
        cartage: 0,
        flat_fee: None,
        hourly: None,
    }
}

fn quote(
    store: &mut Store,
    agreement: Agreement,
    e: &Engagement,
) -> Result<fees::Quote, StudioError> {
    store.write(|tx, _| fees::quote(&RateTable::load(tx, agreement)?, e))
}

fn line(q: &fees::Quote, kind: &str) -> Minor {
    q.lines
        .iter()
        .filter(|l| l.kind == kind)
        .map(|l| l.amount)
        .fold(Minor(0), |sum, a| Minor(sum.0 + a.0))
}

/// MU/BPI: the worked example — a standard session worked 3 h 40 min with one double is
/// (£130.00 + 3 × £32.50) × 1.25 = £284.38 (the 56.875 doubling rounds half up).
#[test]
fn mu_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let q = quote(&mut store, Agreement::Mu, &mu(220, 2)).unwrap();
    assert_eq!(line(&q, "session"), Minor(13_000));
    assert_eq!(line(&q, "overtime"), Minor(9_750));
    assert_eq!(line(&q, "doubling"), Minor(5_688));
    assert_eq!(q.total, Minor(28_438));
}

/// MU/BPI edges: exactly 3 h has no overtime; 3 h 1 min starts a 15-minute unit; trebling is
/// +40 %; overdubbing +110 %; long and short sessions; porterage B is capped at £27.54.
#[test]
fn mu_rules_at_their_edges() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    assert_eq!(
        quote(&mut store, Agreement::Mu, &mu(180, 1)).unwrap().total,
        Minor(13_000)
    );
    assert_eq!(
        quote(&mut store, Agreement::Mu, &mu(181, 1)).unwrap().total,
        Minor(16_250)
    );
    assert_eq!(
        quote(&mut store, Agreement::Mu, &mu(195, 1)).unwrap().total,
        Minor(16_250)
    );
    assert_eq!(
        quote(&mut store, Agreement::Mu, &mu(196, 1)).unwrap().total,
        Minor(19_500)
    );
    // Trebling: £130 × 1.40.
    let trebled = quote(&mut store, Agreement::Mu, &mu(180, 3)).unwrap();
    assert_eq!(line(&trebled, "doubling"), Minor(5_200));
    assert_eq!(trebled.total, Minor(18_200));
    // Overdubbing: +110 % of fee and overtime: £130 + £143.
    let overdub = quote(
        &mut store,
        Agreement::Mu,
        &Engagement {
            overdub: true,
            ..mu(180, 1)
        },
    )
    .unwrap();
    assert_eq!(overdub.total, Minor(27_300));
    // Long (4 h, £194.40) worked 4 h 20: two units of £48.60; short (2 h, £97.20) worked 2 h.
    let long = quote(
        &mut store,
        Agreement::Mu,
        &Engagement {
            session: SessionKind::Long,
            ..mu(260, 1)
        },
    )
    .unwrap();
    assert_eq!(long.total, Minor(19_440 + 2 * 4_860));
    let short = quote(
        &mut store,
        Agreement::Mu,
        &Engagement {
            session: SessionKind::Short,
            ..mu(120, 1)
        },
    )
    .unwrap();
    assert_eq!(short.total, Minor(9_720));
    // Porterage: A £17.52 + B £13.77 + B £13.77 (cap £27.54 reached) + B £0 + C £8.88.
    let carried = quote(
        &mut store,
        Agreement::Mu,
        &Engagement {
            porterage: vec!['A', 'B', 'B', 'B', 'C'],
            ..mu(180, 1)
        },
    )
    .unwrap();
    assert_eq!(line(&carried, "porterage"), Minor(1_752 + 2_754 + 888));
    assert!(
        quote(
            &mut store,
            Agreement::Mu,
            &Engagement {
                porterage: vec!['D'],
                ..mu(180, 1)
            }
        )
        .is_err()
    );
}

/// AFM: nothing is quoted until the user sets the scale; then leader at double scale, overtime
/// and doubling from the table, pension 14.09 % of scale wages, health & welfare $30 for the first
/// session of the day and $25 after, cartage per instrument.
#[test]
fn afm_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let side = Engagement {
        agreement: Agreement::Afm,
        ..mu(180, 1)
    };
    let unset = quote(&mut store, Agreement::Afm, &side).unwrap_err();
    assert!(
        unset.to_string().contains("AFM scale is not set"),
        "{unset}"
    );
    store
        .write(|tx, _| {
            fees::set_rate(tx, Agreement::Afm, "scale", 40_000, "test")?;
            fees::set_rate(tx, Agreement::Afm, "cartage", 1_500, "test")
        })
        .unwrap();
    let q = quote(&mut store, Agreement::Afm, &side).unwrap();
    // $400 scale, pension 14.09 % = $56.36, H&W $30.
    assert_eq!(line(&q, "session"), Minor(40_000));
    assert_eq!(line(&q, "pension"), Minor(5_636));
    assert_eq!(line(&q, "health_welfare"), Minor(3_000));
    assert_eq!(q.total, Minor(40_000 + 5_636 + 3_000));
    let leader = Engagement {
        role: Role::Leader,
        worked_min: 200,
        instruments: 2,
        first_session_of_day: false,
        cartage: 2,
        ..side.clone()
    };
    let q = quote(&mut store, Agreement::Afm, &leader).unwrap();
    // Double scale $800; overtime 2 units × 12.5 % × $800 = $200; double +20 % of $800 = $160;
    // pension 14.09 % of $1160 = $163.44; H&W further $25; cartage 2 × $15.
    assert_eq!(line(&q, "session"), Minor(80_000));
    assert_eq!(line(&q, "overtime"), Minor(20_000));
    assert_eq!(line(&q, "doubling"), Minor(16_000));
    assert_eq!(line(&q, "pension"), Minor(16_344));
    assert_eq!(line(&q, "health_welfare"), Minor(2_500));
    assert_eq!(line(&q, "cartage"), Minor(3_000));
    assert_eq!(
        q.total,
        Minor(80_000 + 20_000 + 16_000 + 16_344 + 2_500 + 3_000)
    );
}

#[test]
fn free_agreements() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let free = Engagement {
        agreement: Agreement::Free,
        ..mu(150, 1)
    };
    assert!(quote(&mut store, Agreement::Free, &free).is_err());
    let flat = Engagement {
        flat_fee: Some(Minor(25_000)),
        ..free.clone()
    };
    assert_eq!(
        quote(&mut store, Agreement::Free, &flat).unwrap().total,
        Minor(25_000)
    );
    let hourly = Engagement {
        hourly: Some(Minor(6_000)),
        ..free
    };
    assert_eq!(
        quote(&mut store, Agreement::Free, &hourly).unwrap().total,
        Minor(15_000)
    );
}

/// Holds are ranked; releasing the 1st promotes the 2nd; only the 1st can be firmed; firming
/// drops the overlapping holds and names them; a confirmed time refuses new holds.
#[test]
fn holds_rank_promote_and_firm() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let now = at("2027-01-10 09:00");
    let first = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
        now,
    )
    .unwrap();
    let second = hold(
        &mut store,
        "Other Band",
        "2027-03-01 14:00",
        "2027-03-01 18:00",
        now,
    )
    .unwrap();
    let third = hold(
        &mut store,
        "Other Band",
        "2027-03-01 19:00",
        "2027-03-01 22:00",
        now,
    )
    .unwrap();
    let elsewhere = hold(
        &mut store,
        "Other Band",
        "2027-03-02 10:00",
        "2027-03-02 12:00",
        now,
    )
    .unwrap();
    assert_eq!(
        (first.rank, second.rank, third.rank, elsewhere.rank),
        (Some(1), Some(2), Some(2), Some(1))
    );
    assert_eq!(second.state(), "2nd hold");
    let refused = store
        .write(|tx, tz| bookings::confirm(tx, tz, second.id, now))
        .unwrap_err();
    assert!(
        matches!(refused, StudioError::Conflict(ref m) if m.contains(&format!("#{}", first.id))),
        "{refused}"
    );
    store
        .write(|tx, _| bookings::release(tx, first.id, now))
        .unwrap();
    let promoted = store.write(|tx, _| bookings::get(tx, second.id)).unwrap();
    assert_eq!(promoted.rank, Some(1));
    let firmed = store
        .write(|tx, tz| bookings::confirm(tx, tz, second.id, now))
        .unwrap();
    assert_eq!(firmed.booking.status, Status::Confirmed);
    // 14:00–18:00 does not overlap 19:00–22:00: nothing dropped, and that hold is now 1st.
    assert!(firmed.dropped.is_empty());
    assert_eq!(
        store
            .write(|tx, _| bookings::get(tx, third.id))
            .unwrap()
            .rank,
        Some(1)
    );
    let over = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 17:00",
        "2027-03-01 19:30",
        now,
    )
    .unwrap_err();
    assert!(
        matches!(over, StudioError::Conflict(ref m) if m.contains("already booked")),
        "{over}"
    );
    // Firming the 19:00 hold drops a later overlapping one.
    let behind = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 21:00",
        "2027-03-01 23:00",
        now,
    )
    .unwrap();
    assert_eq!(behind.rank, Some(2));
    let firmed = store
        .write(|tx, tz| bookings::confirm(tx, tz, third.id, now))
        .unwrap();
    assert_eq!(firmed.dropped.len(), 1);
    assert_eq!(firmed.dropped[0].id, behind.id);
    assert_eq!(firmed.dropped[0].status, Status::Released);
    assert!(
        firmed.dropped[0]
            .closed_reason
            .as_deref()
            .unwrap()
            .contains("confirmed")
    );
}

/// A challenged hold must firm or release by 17:00 the day before; unanswered, it is released and
/// the challenger moves up. An unfirmed hold lapses after 48 h.
#[test]
fn challenges_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let placed = at("2027-02-20 09:00");
    let first = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
        placed,
    )
    .unwrap();
    let second = hold(
        &mut store,
        "Other Band",
        "2027-03-01 12:00",
        "2027-03-01 16:00",
        placed,
    )
    .unwrap();
    // Holds placed on 2027-02-20 lapse 48 h later; challenge before that.
    let challenged = store
        .write(|tx, _| bookings::challenge(tx, second.id, placed + 3600))
        .unwrap();
    assert_eq!(challenged.len(), 1);
    assert_eq!(
        challenged[0].challenge_deadline_utc,
        Some(at("2027-02-28 17:00"))
    );
    let refused = store
        .write(|tx, _| bookings::challenge(tx, first.id, placed))
        .unwrap_err();
    assert!(refused.to_string().contains("only a 2nd or lower hold"));
    // Extend the holds' lives so the challenge deadline comes first.
    store
        .write(|tx, _| {
            tx.execute(
                "UPDATE bookings SET expires_utc = ?1",
                [at("2027-03-01 00:00")],
            )?;
            Ok(())
        })
        .unwrap();
    store
        .write(|tx, _| bookings::sweep(tx, at("2027-02-28 16:59")))
        .unwrap();
    assert_eq!(
        store
            .write(|tx, _| bookings::get(tx, first.id))
            .unwrap()
            .status,
        Status::Hold
    );
    store
        .write(|tx, _| bookings::sweep(tx, at("2027-02-28 17:00")))
        .unwrap();
    let lapsed = store.write(|tx, _| bookings::get(tx, first.id)).unwrap();
    assert_eq!(lapsed.status, Status::Released);
    assert!(lapsed.closed_reason.unwrap().contains("unanswered"));
    assert_eq!(
        store
            .write(|tx, _| bookings::get(tx, second.id))
            .unwrap()
            .rank,
        Some(1)
    );
    // Expiry.
    store
        .write(|tx, _| bookings::sweep(tx, at("2027-03-01 00:00")))
        .unwrap();
    let expired = store.write(|tx, _| bookings::get(tx, second.id)).unwrap();
    assert_eq!(expired.status, Status::Released);
    assert!(expired.closed_reason.unwrap().contains("expired"));
}

/// Cancelling a confirmed 10-hour day (£700): 72 h before nothing, 30 h before 50 %, 10 h
/// before 100 %.
#[test]
fn cancellation_charges_follow_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let placed = at("2027-02-20 09:00");
    let days = ["2027-03-01", "2027-03-02", "2027-03-03"];
    let ids: Vec<i64> = days
        .iter()
        .map(|d| {
            let b = hold(
                &mut store,
                "Night Songs",
                &format!("{d} 10:00"),
                &format!("{d} 20:00"),
                placed,
            )
            .unwrap();
            store
                .write(|tx, tz| bookings::confirm(tx, tz, b.id, placed))
                .unwrap();
            b.id
        })
        .collect();
    let charge = |store: &mut Store, id: i64, when: &str| {
        let when = at(when);
        store
            .write(|tx, _| bookings::cancel(tx, id, when))
            .unwrap()
            .booking
            .cancel_charge
    };
    assert_eq!(charge(&mut store, ids[0], "2027-02-26 10:00"), Minor(0));
    assert_eq!(
        charge(&mut store, ids[1], "2027-03-01 04:00"),
        Minor(35_000)
    );
    assert_eq!(
        charge(&mut store, ids[2], "2027-03-03 00:00"),
        Minor(70_000)
    );
    // The policy is data: a 40 % partial charge.
    let b = hold(
        &mut store,
        "Night Songs",
        "2027-03-04 10:00",
        "2027-03-04 20:00",
        placed,
    )
    .unwrap();
    store
        .write(|tx, tz| {
            bookings::confirm(tx, tz, b.id, placed)?;
            bookings::set_setting(tx, "cancel_partial_bp", 4_000)
        })
        .unwrap();
    assert_eq!(charge(&mut store, b.id, "2027-03-03 04:00"), Minor(28_000));
    let again = store
        .write(|tx, _| bookings::cancel(tx, ids[2], placed))
        .unwrap_err();
    assert!(again.to_string().contains("cancelled already"));
}

/// Bad input changes nothing: end before start, unknown room, and a hire whose fee cannot be
/// quoted leave the store as it was.
#[test]
fn failed_commands_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let now = at("2027-01-10 09:00");
    let count = |store: &mut Store| {
        store
            .write(|tx, _| {
                Ok(tx.query_row("SELECT count(*) FROM bookings", [], |r| r.get::<_, i64>(0))?)
            })
            .unwrap()
    };
    let backwards = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 20:00",
        "2027-03-01 10:00",
        now,
    )
    .unwrap_err();
    assert_eq!(backwards.to_string(), "end: must be after the start");
    let unknown = store
        .write(|tx, tz| {
            bookings::hold(
                tx,
                tz,
                &NewHold {
                    project: "Night Songs".into(),
                    room: "Studio Z".into(),
                    engineer: None,
                    assistant: None,
                    start_utc: at("2027-03-01 10:00"),
                    end_utc: at("2027-03-01 12:00"),
                    days: 1,
                    expires_hours: None,
                },
                now,
            )
        })
        .unwrap_err();
    assert_eq!(unknown.to_string(), "no room 'Studio Z'");
    assert_eq!(count(&mut store), 0);
    // An AFM hire without a scale: the insert is rolled back with the failed quote.
    let b = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 13:00",
        now,
    )
    .unwrap();
    let hire = store.write(|tx, tz| {
        studiodesk::studio::hires::add(
            tx,
            tz,
            &new_hire(b.id, "Kim Vale", Agreement::Afm, "bass", ""),
        )
    });
    assert!(hire.is_err());
    // Field findings: `--worked 0` gave a raw CHECK-constraint error, and an 8784 h hire on a
    // one-day booking was stored (and overflowed the budget).
    for (worked_min, says) in [
        (0, "more than zero"),
        (8_784 * 60, "longer than the booking's 1 day"),
    ] {
        let mut new = new_hire(b.id, "Lee Hart", Agreement::Mu, "guitar", "");
        new.worked_min = worked_min;
        let err = store
            .write(|tx, tz| studiodesk::studio::hires::add(tx, tz, &new))
            .expect_err("refused");
        assert!(
            err.to_string().starts_with("worked:") && err.to_string().contains(says),
            "{err}"
        );
    }
    let hires = store
        .write(|tx, _| Ok(tx.query_row("SELECT count(*) FROM hires", [], |r| r.get::<_, i64>(0))?))
        .unwrap();
    assert_eq!(hires, 0);
}

/// Budget: studio time from confirmed bookings at the rate card plus overtime and cancellation
/// charges, musicians from hire quotes (cartage and porterage under rentals), expenses by category,
/// contingency on the plan.
#[test]
fn budget_rolls_up_actuals() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let placed = at("2027-02-20 09:00");
    let day = hold(
        &mut store,
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
        placed,
    )
    .unwrap();
    let short = hold(
        &mut store,
        "Night Songs",
        "2027-03-02 10:00",
        "2027-03-02 13:00",
        placed,
    )
    .unwrap();
    let held_only = hold(
        &mut store,
        "Night Songs",
        "2027-03-05 10:00",
        "2027-03-05 20:00",
        placed,
    )
    .unwrap();
    let _ = held_only;
    store
        .write(|tx, tz| {
            bookings::confirm(tx, tz, day.id, placed)?;
            bookings::confirm(tx, tz, short.id, placed)?;
            bookings::set_actual_end(tx, day.id, at("2027-03-01 20:40"))?;
            bookings::cancel(tx, short.id, at("2027-03-01 20:00"))?;
            studiodesk::studio::hires::add(
                tx,
                tz,
                &new_hire(day.id, "Lee Hart", Agreement::Mu, "guitar,mandolin", "A"),
            )?;
            budget::plan(tx, "Night Songs", Category::Studio, Minor(100_000))?;
            budget::plan(tx, "Night Songs", Category::Musicians, Minor(25_000))?;
            budget::expense(
                tx,
                "Night Songs",
                Category::Mastering,
                Minor(15_000),
                "deposit",
                placed,
            )?;
            Ok(())
        })
        .unwrap();
    let report = store
        .write(|tx, _| budget::report(tx, "Night Songs"))
        .unwrap();
    let row = |name: &str| {
        report
            .rows
            .iter()
            .find(|r| r.category == name)
            .unwrap()
            .clone()
    };
    // Day £700 + 40 min overtime (2 × £42.50) + short session cancelled 14 h before: 100 % of 3 h
    // at £85 = £255.
    assert_eq!(row("studio").actual, Minor(70_000 + 8_500 + 25_500));
    assert_eq!(row("musicians").actual, Minor(28_438));
    assert_eq!(row("rentals").actual, Minor(1_752));
    assert_eq!(row("mastering").actual, Minor(15_000));
    assert_eq!(row("contingency").planned, Minor(12_500));
    assert_eq!(report.total.planned, Minor(137_500));
    assert_eq!(
        report.total.actual,
        Minor(104_000 + 28_438 + 1_752 + 15_000)
    );
    assert_eq!(
        report.total.variance,
        Minor(report.total.planned.0 - report.total.actual.0)
    );
}

/// Issue 12, finding 2: overtime is re-blocked. A session that runs over never costs more than
/// the rate card gives for the whole real time; the overtime rate is the hourly rate times the
/// rate card's multiplier (1.0 unless set). Studio A: £85/h, half day (5 h) £380, day (10 h) £700.
#[test]
fn overtime_is_reblocked_with_the_rate_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let placed = at("2027-02-20 09:00");
    // (booked from, to, really ended, expected cost in pence)
    let cases = [
        // 9 h: hourly £765 and half day + 4 h £720, both capped at the day rate: £700. One hour
        // over makes 10 h of real time, a day: £700 (it was £700 + £85 = £785).
        (
            "2027-03-01 10:00",
            "2027-03-01 19:00",
            "2027-03-01 20:00",
            70_000,
        ),
        // 4 h 30 m: nine half hours £382.50, capped at the half day: £380. One hour over makes
        // 5 h 30 m: half day + one half hour = £422.50 (it was £380 + £85 = £465).
        (
            "2027-03-02 10:00",
            "2027-03-02 14:30",
            "2027-03-02 15:30",
            42_250,
        ),
        // 3 h: £255; 40 minutes over is two started half hours, £85; 3 h 40 m re-blocked is
        // eight started half hours, £340: the same, £340 in all.
        (
            "2027-03-03 10:00",
            "2027-03-03 13:00",
            "2027-03-03 13:40",
            34_000,
        ),
        // 10 h: the day £700; 40 minutes over: 2 × £42.50 = £85; re-blocking 10 h 40 m gives the
        // same: £785.
        (
            "2027-03-04 10:00",
            "2027-03-04 20:00",
            "2027-03-04 20:40",
            78_500,
        ),
    ];
    for (from, to, ended, expected) in cases {
        let b = hold(&mut store, "Night Songs", from, to, placed).unwrap();
        let cost = store
            .write(|tx, tz| {
                bookings::confirm(tx, tz, b.id, placed)?;
                let b = bookings::set_actual_end(tx, b.id, at(ended))?;
                bookings::cost(tx, &b)
            })
            .unwrap();
        assert_eq!(cost, Minor(expected), "{from}–{to}, ended {ended}");
    }
    // An overtime multiplier of 1.5 on the rate card: past the day, overtime is £127.50 an hour.
    let out = studiodesk(
        &common::db_in(dir.path()),
        &["room", "set", "Studio A", "--overtime-multiplier", "1.5"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = hold(
        &mut store,
        "Night Songs",
        "2027-03-08 10:00",
        "2027-03-08 20:00",
        placed,
    )
    .unwrap();
    let cost = store
        .write(|tx, tz| {
            bookings::confirm(tx, tz, b.id, placed)?;
            let b = bookings::set_actual_end(tx, b.id, at("2027-03-08 21:00"))?;
            bookings::cost(tx, &b)
        })
        .unwrap();
    // £700 + 2 half hours × £42.50 × 1.5 = £700 + £127.50.
    assert_eq!(cost, Minor(82_750));
    // Out of range or not a number: refused, nothing changed.
    for bad in ["0.5", "4", "fast"] {
        let out = studiodesk(
            &common::db_in(dir.path()),
            &["room", "set", "Studio A", "--overtime-multiplier", bad],
        );
        assert!(!out.status.success(), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("overtime_multiplier"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = studiodesk(&common::db_in(dir.path()), &["room", "list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("overtime 1.50× hourly"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Issue 12, finding 5: a person cannot be in two sessions at once. An engineer on a confirmed
/// session in Studio A cannot be put on an overlapping one in Studio B; a musician hired for one
/// cannot be hired for an overlapping one; a hold whose musician got booked elsewhere cannot be
/// firmed. Back-to-back sessions are fine.
#[test]
fn people_cannot_be_in_two_sessions_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_in(dir.path());
    studio(dir.path());
    let run = |args: &[&str]| {
        let out = studiodesk(&db, args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let ok = |args: &[&str]| {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        stdout
    };
    ok(&[
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
    ok(&["person", "add", "Jo Park", "--kind", "engineer"]);
    let slot = |project: &str, room: &str, day: &str, from: &str, to: &str| -> Vec<String> {
        [
            "--project",
            project,
            "--room",
            room,
            "--start",
            &format!("{day} {from}"),
            "--end",
            &format!("{day} {to}"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let with = |command: &[&str], slot: &[String], extra: &[&str]| -> Vec<String> {
        command
            .iter()
            .map(|s| s.to_string())
            .chain(slot.iter().cloned())
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };
    // #1: Jo engineers Studio A, 10:00–18:00, confirmed.
    let a = with(
        &["booking", "book"],
        &slot("Night Songs", "Studio A", "2027-04-01", "10:00", "18:00"),
        &["--engineer", "Jo Park"],
    );
    ok(&args(&a));
    // Studio B 14:00–20:00 with Jo: refused, naming #1.
    let b = with(
        &["booking", "hold"],
        &slot("Other Band", "Studio B", "2027-04-01", "14:00", "20:00"),
        &["--engineer", "Jo Park"],
    );
    let (code, _, stderr) = run(&args(&b));
    assert_ne!(code, Some(0));
    assert!(
        stderr.contains("Jo Park is already booked then: #1 Studio A"),
        "{stderr}"
    );
    // Back to back, 18:00–22:00: fine.
    let c = with(
        &["booking", "hold"],
        &slot("Other Band", "Studio B", "2027-04-01", "18:00", "22:00"),
        &["--engineer", "Jo Park"],
    );
    ok(&args(&c));
    // Lee plays on #1; a hold in Studio B at 12:00–15:00 (#3) cannot hire Lee too.
    ok(&common::hire("1", "Lee Hart", "mu", "guitar", "3h", &[]));
    let d = with(
        &["booking", "hold"],
        &slot("Other Band", "Studio B", "2027-04-01", "12:00", "15:00"),
        &[],
    );
    ok(&args(&d));
    let (code, _, stderr) = run(&common::hire("3", "Lee Hart", "mu", "guitar", "3h", &[]));
    assert_ne!(code, Some(0));
    assert!(
        stderr.contains("Lee Hart is already booked then: #1 Studio A"),
        "{stderr}"
    );
    // Kim is hired on a hold (#4, Studio B, next day); meanwhile Kim is booked firm in Studio A
    // (#5); firming #4 is refused, naming #5.
    let e = with(
        &["booking", "hold"],
        &slot("Other Band", "Studio B", "2027-04-02", "10:00", "13:00"),
        &[],
    );
    ok(&args(&e));
    ok(&common::hire(
        "4",
        "Kim Vale",
        "free",
        "bass",
        "3h",
        &["--flat", "150"],
    ));
    let f = with(
        &["booking", "book"],
        &slot("Night Songs", "Studio A", "2027-04-02", "11:00", "14:00"),
        &[],
    );
    ok(&args(&f));
    ok(&common::hire(
        "5",
        "Kim Vale",
        "free",
        "bass",
        "3h",
        &["--flat", "150"],
    ));
    let (code, _, stderr) = run(&["booking", "confirm", "4"]);
    assert_ne!(code, Some(0));
    assert!(
        stderr.contains("Kim Vale is already booked then: #5 Studio A"),
        "{stderr}"
    );
}

/// Issue 12, the cosmetic findings: a night session shows the day it ends; `booking list` shows
/// what each booking costs; a 12.5 % cancellation charge says 12.50 %, not 12 %; a one-instrument
/// MU quote has no empty doubling line.
#[test]
fn bookings_read_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_in(dir.path());
    studio(dir.path());
    let ok = |args: &[&str]| common::ok_at(&db, args);
    // A night session, 20:00 to 04:00: 8 h is half a day plus 3 h (£380 + £255 = £635).
    let night = ok(&[
        "booking",
        "book",
        "--project",
        "Night Songs",
        "--room",
        "Studio A",
        "--start",
        "2027-03-01 20:00",
        "--end",
        "2027-03-02 04:00",
    ]);
    assert!(
        night.contains("2027-03-01 20:00–2027-03-02 04:00"),
        "{night}"
    );
    let list = ok(&["booking", "list"]);
    assert!(list.contains("2027-03-01 20:00–2027-03-02 04:00"), "{list}");
    assert!(list.contains("635.00 GBP"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["booking", "list", "--json"])).unwrap();
    assert_eq!(json[0]["cost"], 63_500);
    // A session starting in 30 h, cancelled now under a 12.5 % partial charge (48 h window):
    // 3 h at £85 = £255; 12.5 % of it = £31.875, rounded half up to £31.88.
    ok(&["policy", "set", "cancel_partial_bp", "12.5"]);
    let start = studiodesk::studio::units::now() + 30 * 3600;
    let (from, to) = (
        studiodesk::studio::units::format_local(start, &london()),
        studiodesk::studio::units::format_local(start + 3 * 3600, &london()),
    );
    ok(&[
        "booking",
        "book",
        "--project",
        "Night Songs",
        "--room",
        "Studio A",
        "--start",
        &from,
        "--end",
        &to,
    ]);
    let cancelled = ok(&["booking", "cancel", "2"]);
    assert!(
        cancelled.contains("charge 31.88 GBP (12.50 % of 255.00)"),
        "{cancelled}"
    );
    // One instrument: session and overtime, no "doubling 0.00 +0 %".
    let quote: serde_json::Value = serde_json::from_str(&ok(&common::hire(
        "1",
        "Lee Hart",
        "mu",
        "guitar",
        "3h",
        &["--json"],
    )))
    .unwrap();
    let kinds: Vec<&str> = quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["session", "overtime"]);
}

/// Migrations: an empty file becomes the current schema; reopening keeps the data; a database
/// from a newer studiodesk is refused, untouched.
#[test]
fn migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("studio.db");
    std::fs::write(&path, b"").unwrap();
    let mut store = Store::open(&path, london()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store
        .write(|tx, _| {
            entities::add_person(tx, "Ana Reyes", PersonKind::Artist, "", Union::None, "")
        })
        .unwrap();
    drop(store);
    let mut again = Store::open(&path, london()).unwrap();
    assert_eq!(again.write(|tx, _| entities::people(tx)).unwrap().len(), 1);
    drop(again);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let newer = Store::open(&path, london()).err().unwrap();
    assert!(newer.to_string().contains("newer studiodesk"), "{newer}");
}

/// A database at schema 1 (before sound checks were kept) moves to the current schema with its
/// data.
#[test]
fn migration_from_version_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(include_str!("../src/studio/schema_v1.sql"))
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute(
        "INSERT INTO people (name, kind) VALUES ('Ana Reyes', 'artist')",
        [],
    )
    .unwrap();
    drop(conn);
    let mut store = Store::open(&path, london()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.write(|tx, _| entities::people(tx)).unwrap().len(), 1);
    let id = store
        .write(|tx, _| {
            studiodesk::studio::soundchecks::save(tx, None, 0, "tracking", "test", "pass", "{}")
        })
        .unwrap();
    assert_eq!(id, 1);
}

fn studiodesk(db: &str, args: &[&str]) -> std::process::Output {
    common::studiodesk_at(db, args)
}

/// Two processes race to book the same room and slot, ten slots over: each slot has exactly
/// one winner; the loser gets a conflict error naming the winner's booking.
#[test]
fn two_processes_race_for_each_slot() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_in(dir.path());
    drop(studio(dir.path()));
    for slot in 0..10 {
        let start = format!("2027-04-{:02} 10:00", slot + 1);
        let end = format!("2027-04-{:02} 14:00", slot + 1);
        let spawn = |project: &str| {
            Command::new(env!("CARGO_BIN_EXE_studiodesk"))
                .args([
                    "booking",
                    "book",
                    "--room",
                    "Studio A",
                    "--project",
                    project,
                    "--start",
                    &start,
                    "--end",
                    &end,
                ])
                .args(["--tz", "Europe/London"])
                .env("STUDIODESK_DB", &db)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("Night Songs"), spawn("Other Band"));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let wins = [&a, &b].iter().filter(|o| o.status.success()).count();
        assert_eq!(wins, 1, "slot {slot}: {a:?} {b:?}");
        let loser = if a.status.success() { &b } else { &a };
        assert_eq!(loser.status.code(), Some(1));
        let message = String::from_utf8_lossy(&loser.stderr);
        assert!(
            message.contains("conflict") && message.contains("confirmed"),
            "{message}"
        );
    }
    let out = studiodesk(&db, &["booking", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let confirmed = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "confirmed")
        .count();
    assert_eq!(confirmed, 10);
}

/// The CLI end to end: rooms, people, a project, a hold, a hire quote in JSON, the take sheet,
/// and the iCalendar export read back by a parser; bad input is one line and exit 1.
#[test]
fn cli_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_in(dir.path());
    let ok = |args: &[&str]| common::ok_at(&db, args);
    ok(&[
        "room",
        "add",
        "Studio A",
        "--hourly",
        "85",
        "--half-day",
        "380",
        "--day",
        "700",
    ]);
    ok(&[
        "person",
        "add",
        "Lee Hart",
        "--kind",
        "musician",
        "--instruments",
        "guitar,mandolin",
        "--union",
        "MU",
    ]);
    ok(&["project", "add", "Night Songs"]);
    ok(&[
        "booking",
        "hold",
        "--project",
        "Night Songs",
        "--room",
        "Studio A",
        "--start",
        "2027-03-01 10:00",
        "--end",
        "2027-03-01 20:00",
    ]);
    ok(&[
        "booking",
        "hold",
        "--project",
        "Night Songs",
        "--room",
        "Studio A",
        "--start",
        "2027-03-02 10:00",
        "--end",
        "2027-03-02 20:00",
    ]);
    ok(&["booking", "confirm", "1"]);
    ok(&[
        "booking",
        "book",
        "--project",
        "Night Songs",
        "--room",
        "Studio A",
        "--start",
        "2027-03-03 10:00",
        "--end",
        "2027-03-03 12:00",
    ]);
    ok(&["booking", "cancel", "3"]);
    let quote: serde_json::Value = serde_json::from_str(&ok(&[
        "hire",
        "add",
        "--booking",
        "1",
        "--person",
        "Lee Hart",
        "--agreement",
        "mu",
        "--instruments",
        "guitar,mandolin",
        "--worked",
        "3h40m",
        "--json",
    ]))
    .unwrap();
    assert_eq!(quote["total"], 28_438);
    let kinds: Vec<&str> = quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["session", "overtime", "doubling"]);
    ok(&[
        "log",
        "take",
        "1",
        "--song",
        "Blue Hour",
        "--rating",
        "4",
        "--circled",
        "--notes",
        "keeper, mostly",
        "--at",
        "2027-03-01 11:00",
    ]);
    ok(&[
        "log",
        "take",
        "1",
        "--song",
        "Blue Hour",
        "--type",
        "false-start",
        "--at",
        "2027-03-01 11:20",
    ]);
    let csv = ok(&["log", "export", "1", "--csv"]);
    assert!(csv.contains("project,Night Songs"));
    assert!(
        csv.contains("Blue Hour,1,2027-03-01 11:00,0.0,4,yes,default,,\"keeper, mostly\""),
        "{csv}"
    );
    assert!(csv.contains("Blue Hour,2,"));

    let ics = dir.path().join("bookings.ics");
    ok(&["booking", "export", "--ics", ics.to_str().unwrap()]);
    let text = std::fs::read_to_string(&ics).unwrap();
    let unfolded = icalendar::parser::unfold(&text);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
    let statuses: Vec<String> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| c.find_prop("STATUS").unwrap().val.to_string())
        .collect();
    assert_eq!(statuses, ["CONFIRMED", "TENTATIVE", "CANCELLED"]);
    assert!(text.contains("DTSTART:20270301T100000Z"));

    for (args, expected) in [
        (
            vec![
                "booking",
                "hold",
                "--project",
                "Night Songs",
                "--room",
                "Studio A",
                "--start",
                "2027-03-09 10:00",
                "--end",
                "2027-03-09 09:00",
            ],
            "end: must be after the start",
        ),
        (
            vec![
                "booking",
                "hold",
                "--project",
                "Night Songs",
                "--room",
                "Studio Z",
                "--start",
                "2027-03-09 10:00",
                "--end",
                "2027-03-09 12:00",
            ],
            "no room 'Studio Z'",
        ),
        (
            vec![
                "booking",
                "hold",
                "--project",
                "Night Songs",
                "--room",
                "Studio A",
                "--start",
                "next tuesday",
                "--end",
                "2027-03-09 12:00",
            ],
            "date and time 'next tuesday'",
        ),
        (
            vec![
                "room",
                "add",
                "Studio B",
                "--hourly=-85",
                "--half-day",
                "380",
                "--day",
                "700",
            ],
            "must not be negative",
        ),
        (vec!["hire", "quote", "99"], "no hire '#99'"),
        (
            vec!["log", "take", "1", "--song", "x", "--rating", "9"],
            "rating: from 0 to 5",
        ),
        (
            vec!["policy", "set", "challenge_hour", "25"],
            "25 is out of range for challenge_hour",
        ),
        (
            vec!["policy", "set", "no_such_rule", "1"],
            "no policy 'no_such_rule'",
        ),
    ] {
        let out = studiodesk(&db, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["booking", "list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

/// Field finding: `rates set mu standard_overtime 10000000000` and an 8784 h hire stored a total
/// of −76 quadrillion GBP and `budget report` panicked. Rates, hold expiry and overruns are now
/// bounded, and money sums are checked: a budget past the largest amount is a one-line error.
#[test]
fn money_never_overflows_or_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = studio(dir.path());
    let err = store
        .write(|tx, _| fees::set_rate_text(tx, Agreement::Mu, "standard_overtime", "10000000000"))
        .expect_err("an absurd rate");
    assert!(
        err.to_string().contains("above the highest rate accepted"),
        "{err}"
    );
    let err = store
        .write(|tx, _| fees::set_rate_text(tx, Agreement::Mu, "doubling", "100000"))
        .expect_err("an absurd percentage");
    assert!(err.to_string().contains("above 1000 %"), "{err}");
    // 1001 expenses of ten billion each pass the largest amount kept: refused, not wrapped.
    store
        .write(|tx, _| {
            for _ in 0..1_001 {
                budget::expense(
                    tx,
                    "Night Songs",
                    Category::Other,
                    Minor::parse("10000000000").unwrap(),
                    "",
                    0,
                )?;
            }
            Ok(())
        })
        .unwrap();
    let err = store
        .write(|tx, _| budget::report(tx, "Night Songs"))
        .expect_err("too large");
    assert!(err.to_string().starts_with("amount too large"), "{err}");
    assert_eq!(
        Minor::MAX.plus(Minor(1)),
        Err(studiodesk::studio::units::Overflow)
    );
    assert_eq!(
        Minor(i64::MAX).times(2),
        Err(studiodesk::studio::units::Overflow)
    );
}

/// `booking list --from/--to`: bookings running in the window (a day alone is the whole day; a
/// block shows on every day it keeps the room), on either store.
#[test]
fn bookings_are_listed_between_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_in(dir.path());
    drop(studio(dir.path()));
    let hold = |start: &str, end: &str, extra: &[&str]| {
        let mut args = common::hold_args("Night Songs", start, end);
        args.extend_from_slice(extra);
        common::ok_at(&db, &args);
    };
    hold("2027-03-01 10:00", "2027-03-01 12:00", &[]);
    hold("2027-03-02 10:00", "2027-03-02 12:00", &[]);
    hold("2027-03-03 10:00", "2027-03-03 12:00", &[]);
    hold("2027-04-05 10:00", "2027-04-05 18:00", &["--days", "5"]);
    let ids = |extra: &[&str]| -> Vec<i64> {
        let mut args = vec!["booking", "list", "--json"];
        args.extend_from_slice(extra);
        let v: serde_json::Value = serde_json::from_str(&common::ok_at(&db, &args)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&[]), [1, 2, 3, 4]);
    assert_eq!(ids(&["--from", "2027-03-02", "--to", "2027-03-02"]), [2]);
    assert_eq!(ids(&["--from", "2027-03-02"]), [2, 3, 4]);
    assert_eq!(ids(&["--to", "2027-03-01"]), [1]);
    assert_eq!(
        ids(&["--from", "2027-03-01 11:00", "--to", "2027-03-02 10:00"]),
        [1]
    );
    // The block of 5 days from 5 April is running on the 8th.
    assert_eq!(ids(&["--from", "2027-04-08", "--to", "2027-04-08"]), [4]);
    let out = studiodesk(
        &db,
        &[
            "booking",
            "list",
            "--from",
            "2027-03-03",
            "--to",
            "2027-03-01",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be after --from"));
}

/// A read waits for no change: while another connection's change is under way (holding the
/// studio's write lock), a desk's read of the same studio answers, without the change.
#[test]
fn a_read_does_not_wait_for_a_change() {
    use std::sync::mpsc;
    let dir = tempfile::tempdir().unwrap();
    drop(studio(dir.path()));
    let db = common::db_in(dir.path());
    let mut reader = common::studio_at(db.as_str());
    let before = reader.read(|tx, _| entities::people(tx)).unwrap().len();
    let (started, change_started) = mpsc::channel();
    let (finish, change_may_finish) = mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let mut store = common::studio_at(db.as_str());
        store
            .write(|tx, _| {
                entities::add_person(tx, "Jo Park", PersonKind::Engineer, "", Union::None, "")?;
                started.send(()).unwrap();
                change_may_finish.recv().unwrap();
                Ok(())
            })
            .unwrap();
    });
    change_started.recv().unwrap();
    let (answered, answer) = mpsc::channel();
    let read = std::thread::spawn(move || {
        let people = reader.read(|tx, _| entities::people(tx)).map(|p| p.len());
        answered.send(people).unwrap();
        reader
    });
    let seen = answer
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the read waited for the change to end");
    assert_eq!(seen.unwrap(), before);
    finish.send(()).unwrap();
    writer.join().unwrap();
    let mut reader = read.join().unwrap();
    let after = reader.read(|tx, _| entities::people(tx)).unwrap().len();
    assert_eq!(after, before + 1);
}
