//! The desk window through egui_kittest, driven as a user drives it: clicks, typing, keys. The
//! engine plays the built-in demo session through the real file source; the studio data is a
//! SQLite file in a temporary folder, checked through the `studio` API the command line uses.
//! Runs with `--features desk`.
#![cfg(feature = "desk")]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use studiodesk::engine::live::{Input, LiveOptions};
use studiodesk::studio::entities;
use studiodesk::studio::units::{Minor, parse_local, time_zone};
use studiodesk::studio::{Store, bookings, log, soundchecks};
use studiodesk::ui::{Action, Desk, DeskOptions, studio::Selection};

const TZ: &str = "Europe/London";

fn open_store(dir: &Path) -> Store {
    Store::open(common::db_in(dir).as_str(), time_zone(Some(TZ)).unwrap()).unwrap()
}

/// A studio with a room (£85/h, £380 half day, £700 day), people and two projects.
fn seed(dir: &Path) {
    common::studio(dir);
}

/// A confirmed booking of the seeded project, made through the API (for tests about what follows).
fn booked(dir: &Path) -> i64 {
    placed(
        dir,
        true,
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 20:00",
    )
    .id
}

/// A booking of `project` in Studio A from `start` to `end` (local), firm or a hold, made
/// through the API.
fn placed(dir: &Path, firm: bool, project: &str, start: &str, end: &str) -> bookings::Booking {
    let mut store = open_store(dir);
    let tz = store.tz().clone();
    let new = bookings::NewHold {
        project: project.into(),
        room: "Studio A".into(),
        engineer: None,
        assistant: None,
        start_utc: parse_local(start, &tz).unwrap(),
        end_utc: parse_local(end, &tz).unwrap(),
        days: 1,
        expires_hours: None,
    };
    let now = studiodesk::studio::units::now();
    store
        .write(|tx, tz| {
            if firm {
                Ok(bookings::book(tx, tz, &new, now)?.booking)
            } else {
                bookings::hold(tx, tz, &new, now)
            }
        })
        .unwrap()
}

/// A desk on the built-in demo session.
fn desk(dir: &Path) -> Harness<'static, Desk> {
    desk_with(
        dir,
        LiveOptions {
            input: Input::Demo,
            ..LiveOptions::default()
        },
    )
}

/// A desk on `live`, with its database, takes and exports in `dir`, settled.
fn desk_with(dir: &Path, live: LiveOptions) -> Harness<'static, Desk> {
    let desk = Desk::new(DeskOptions {
        live,
        db: common::db_in(dir).as_str().into(),
        tz: time_zone(Some(TZ)).unwrap(),
        takes_dir: dir.join("takes"),
        exports_dir: dir.to_path_buf(),
        session: "test".into(),
        timecode: Default::default(),
    });
    let mut harness = Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(|ui, desk: &mut Desk| desk.show(ui), desk);
    settle(&mut harness);
    harness
}

/// A seeded studio with a confirmed booking, and the desk looking at it.
fn desk_on_booking(dir: &Path) -> (Harness<'static, Desk>, i64) {
    seed(dir);
    let booking = booked(dir);
    let mut harness = desk(dir);
    harness.state_mut().apply(Action::Select(Selection {
        project: Some(1),
        booking: Some(booking),
    }));
    settle(&mut harness);
    (harness, booking)
}

/// Step the UI until the desk has nothing pending (worker replies, a capture, a take's end).
fn settle(harness: &mut Harness<'static, Desk>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    harness.run_steps(2);
    while harness.state().busy() {
        assert!(Instant::now() < deadline, "the desk stayed busy");
        std::thread::sleep(Duration::from_millis(10));
        harness.run_steps(1);
    }
    harness.run_steps(2);
}

/// Step the UI for `seconds` of wall time (the demo plays in real time).
fn play(harness: &mut Harness<'static, Desk>, seconds: f64) {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
        harness.run_steps(1);
    }
}

/// The text of the label containing `part` (AccessKit keeps a label's text as its value).
fn text_of(harness: &Harness<'_, Desk>, part: &str) -> String {
    let node = harness.get_by_label_contains(part);
    let node = node.accesskit_node();
    node.value().or_else(|| node.label()).unwrap_or_default()
}

/// Bring the widget labelled `label` into view (the tabs scroll), and wait for the scroll's
/// animation to end: a click during it would land where the widget was.
fn reveal(harness: &mut Harness<'static, Desk>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    settle_scroll(harness, |h| h.get_by_label(label).rect());
}

/// Click the widget whose label contains `part` (a booking in the calendar), brought into view.
fn click_on(harness: &mut Harness<'static, Desk>, part: &str) {
    harness.get_by_label_contains(part).scroll_to_me();
    settle_scroll(harness, |h| h.get_by_label_contains(part).rect());
    harness.get_by_label_contains(part).click();
    harness.run_steps(2);
}

/// Step until the widget's `rect` has not moved for five frames.
fn settle_scroll(
    harness: &mut Harness<'static, Desk>,
    rect: impl Fn(&Harness<'static, Desk>) -> egui::Rect,
) {
    let (mut last, mut still) = (None, 0);
    for _ in 0..120 {
        harness.run_steps(1);
        let now = Some(rect(harness));
        still = if now == last { still + 1 } else { 0 };
        if still == 5 {
            break;
        }
        last = now;
    }
}

fn click(harness: &mut Harness<'static, Desk>, label: &str) {
    reveal(harness, label);
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

fn type_into(harness: &mut Harness<'static, Desk>, label: &str, text: &str) {
    reveal(harness, label);
    let field = harness.get_by_label(label);
    field.focus();
    field.type_text(text);
    harness.run_steps(1);
}

/// Pick `item` from the combo box labelled `label`.
fn choose(harness: &mut Harness<'static, Desk>, label: &str, item: &str) {
    click(harness, label);
    harness.get_all_by_label(item).last().unwrap().click();
    harness.run_steps(2);
}

/// Fill in the Bookings tab's form: Night Songs in Studio A, 2027-03-01 10:00–18:00.
fn new_booking_form(harness: &mut Harness<'static, Desk>) {
    tab(harness, "Bookings");
    choose(harness, "Project", "Night Songs");
    choose(harness, "Room", "Studio A");
    type_into(harness, "Start", "2027-03-01 10:00");
    type_into(harness, "End", "2027-03-01 18:00");
}

/// A seeded studio and a desk on it, with the booking form filled in and sent with `button`
/// ("Place hold" or "Book firm").
fn desk_booked_from_the_form(dir: &Path, button: &str) -> Harness<'static, Desk> {
    seed(dir);
    let mut harness = desk(dir);
    new_booking_form(&mut harness);
    click(&mut harness, button);
    settle(&mut harness);
    harness
}

/// Hire Lee Hart on guitar doubling mandolin for 3 h 40 min (the form starts at "3h") onto the
/// booking chosen.
fn hire_the_worked_example(harness: &mut Harness<'static, Desk>) {
    tab(harness, "Musicians & hires");
    choose(harness, "Musician", "Lee Hart");
    type_into(harness, "Instruments played", "guitar, mandolin");
    type_into(harness, "Worked", "40m");
    click(harness, "Hire");
    settle(harness);
}

fn tab(harness: &mut Harness<'static, Desk>, name: &str) {
    click(harness, name);
}

#[test]
fn meters_move_when_the_demo_plays() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk(dir.path());
    let mut readings = Vec::new();
    for _ in 0..4 {
        play(&mut harness, 0.4);
        readings.push((
            text_of(&harness, "Kick peak"),
            harness.state().snapshot().t_s,
        ));
    }
    // Time advances with the demo, and the kick's peak reading comes from the snapshots.
    assert!(readings.last().unwrap().1 > 1.0, "{readings:?}");
    let mut distinct: Vec<&String> = readings.iter().map(|(text, _)| text).collect();
    distinct.dedup();
    assert!(
        distinct.len() >= 2,
        "the kick's meter did not move: {readings:?}"
    );
    let kick = harness.state().snapshot().tracks[0].peak_dbfs;
    assert!(kick > -60.0 && kick < 0.0, "{kick}");
    let shown: f64 = text_of(&harness, "Kick peak")
        .trim_start_matches("Kick peak ")
        .parse()
        .unwrap();
    assert!(shown > -60.0 && shown < 0.0, "{shown}");
    let integrated = text_of(&harness, "Integrated");
    assert!(
        integrated.contains("LUFS") && !integrated.contains("-inf"),
        "{integrated}"
    );
    // The master's loudness is the demo's: the snapshot agrees with what is shown.
    let m = harness.state().snapshot().master.momentary_lufs;
    assert!(m > -40.0 && m < -5.0, "{m}");
}

/// Solo the kick: the master is the kick alone — a mono track panned centre reads the same
/// loudness on the stereo master as on its own meter, in the same snapshot. Mute it too: the master
/// falls silent. Undo both: the master is the whole mix again, above the kick. Changes reach
/// the engine as commands.
#[test]
fn mixer_controls_reach_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk(dir.path());
    // (master, kick) momentary loudness of the newest snapshot, in LUFS.
    let loudness = |harness: &Harness<'static, Desk>| {
        let s = harness.state().snapshot();
        (s.master.momentary_lufs, s.tracks[0].momentary_lufs)
    };
    play(&mut harness, 1.0);
    let (full, kick) = loudness(&harness);
    assert!(full > kick + 2.0, "mix {full}, kick {kick}");
    click(&mut harness, "Solo Kick");
    play(&mut harness, 1.0);
    let (solo, kick) = loudness(&harness);
    assert!(
        (solo - kick).abs() < 0.5,
        "kick solo on the master {solo}, kick {kick}"
    );
    click(&mut harness, "Mute Kick");
    play(&mut harness, 1.0);
    let (muted, _) = loudness(&harness);
    assert!(!muted.is_finite() || muted < -70.0, "{muted}");
    click(&mut harness, "Mute Kick");
    click(&mut harness, "Solo Kick");
    play(&mut harness, 1.0);
    let (back, kick) = loudness(&harness);
    assert!(back > kick + 2.0, "mix {back}, kick {kick}");
}

/// Pause holds the integrated reading (Tech 3341); R resets it.
#[test]
fn integrated_pauses_and_resets_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk(dir.path());
    play(&mut harness, 1.0);
    click(&mut harness, "Pause integrated");
    play(&mut harness, 0.3);
    assert!(harness.state().snapshot().master.integrated_paused);
    assert!(text_of(&harness, "Integrated (paused)").contains("LUFS"));
    click(&mut harness, "Continue integrated");
    play(&mut harness, 0.3);
    assert!(!harness.state().snapshot().master.integrated_paused);
    play(&mut harness, 1.0);
    let before = harness.state().snapshot().t_s;
    let measured = harness.state().snapshot().master.integrated_lufs;
    assert!(measured.is_finite());
    harness.key_press(Key::R);
    harness.run_steps(1);
    // Right after a reset nothing has been gated yet: the reading starts again.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        harness.run_steps(1);
        let s = harness.state().snapshot();
        if s.t_s > before && !s.master.integrated_lufs.is_finite() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "R did not reset the integrated loudness"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The Bookings tab is a calendar of the facility: a week (or a day) across, a lane per room,
/// the holds on one slot stacked in rank order. The desk reads only the bookings of the time it
/// shows, and turning the page reads the next.
#[test]
fn the_calendar_stacks_holds_and_reads_only_what_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let first = placed(
        dir.path(),
        false,
        "Night Songs",
        "2027-03-01 10:00",
        "2027-03-01 18:00",
    );
    let second = placed(
        dir.path(),
        false,
        "Other Band",
        "2027-03-01 12:00",
        "2027-03-01 20:00",
    );
    let later = placed(
        dir.path(),
        true,
        "Night Songs",
        "2027-03-09 10:00",
        "2027-03-09 18:00",
    );
    let years_on = placed(
        dir.path(),
        false,
        "Other Band",
        "2031-06-02 10:00",
        "2031-06-02 18:00",
    );
    assert_eq!((first.rank, second.rank), (Some(1), Some(2)));
    // A hold eight days from now: after this week, within the pickers' two months.
    let day = |days: i64| {
        let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
        t.to_zoned_datetime(time_zone(Some(TZ)).unwrap()).date()
    };
    let soon = placed(
        dir.path(),
        false,
        "Other Band",
        &format!("{} 10:00", day(8)),
        &format!("{} 12:00", day(8)),
    );
    let mut harness = desk(dir.path());
    // Today's week holds none of them; the pickers offer the one to come within two months,
    // never the one years on.
    let ids = |d: &Desk| d.loaded().bookings.iter().map(|b| b.id).collect::<Vec<_>>();
    assert_eq!(ids(harness.state()), Vec::<i64>::new());
    let current: Vec<i64> = harness
        .state()
        .loaded()
        .current
        .iter()
        .map(|b| b.id)
        .collect();
    assert!(current.contains(&soon.id), "{current:?}");
    assert!(!current.contains(&years_on.id), "{current:?}");

    tab(&mut harness, "Bookings");
    type_into(&mut harness, "Go to date", "2027-03-03");
    click(&mut harness, "Go");
    settle(&mut harness);
    assert_eq!(ids(harness.state()), vec![first.id, second.id]);
    let one = harness
        .get_by_label_contains("#1 10:00–18:00 1st hold")
        .rect();
    let two = harness
        .get_by_label_contains("#2 12:00–20:00 2nd hold")
        .rect();
    // The 2nd hold sits under the 1st, starting two hours later on the same day.
    assert!(two.top() >= one.bottom(), "{one:?} {two:?}");
    let hour = (two.left() - one.left()) / 2.0;
    assert!(hour > 1.0, "{one:?} {two:?}");
    assert!((one.width() - 8.0 * hour).abs() < 1.0, "{one:?} {two:?}");

    click(&mut harness, "Next");
    settle(&mut harness);
    assert_eq!(ids(harness.state()), vec![later.id]);
    click_on(&mut harness, "#3 10:00–18:00 confirmed");
    settle(&mut harness);
    assert_eq!(
        harness.state().loaded().booking.as_ref().map(|b| b.id),
        Some(later.id)
    );
    harness.get_by_label_contains("#3 Studio A 2027-03-09 10:00–18:00");

    // A day of the week: the Monday, which has nothing; the Tuesday has the booking.
    click(&mut harness, "Day");
    settle(&mut harness);
    let (from, to) = harness.state().loaded().window;
    assert_eq!(to - from, 86_400);
    assert_eq!(ids(harness.state()), Vec::<i64>::new());
    click(&mut harness, "Next");
    settle(&mut harness);
    assert_eq!(ids(harness.state()), vec![later.id]);

    type_into(&mut harness, "Go to date", "March 1st");
    click(&mut harness, "Go");
    harness.get_by_label_contains("is not a date");
}

/// Create a hold, firm it, and see an overlapping booking refused with the conflict explained.
#[test]
fn book_firm_and_see_the_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk_booked_from_the_form(dir.path(), "Place hold");
    assert!(
        harness.state().status().unwrap().contains("1st hold"),
        "{:?}",
        harness.state().status()
    );
    // The week view jumped to the booking's week and shows it; select it and firm it.
    click_on(&mut harness, "#1 10:00–18:00 1st hold");
    settle(&mut harness);
    click(&mut harness, "Firm");
    settle(&mut harness);
    let mut store = open_store(dir.path());
    let b = store.read(|tx, _| bookings::get(tx, 1)).unwrap();
    assert_eq!(b.status, bookings::Status::Confirmed);
    assert!(text_of(&harness, "#1 10:00–18:00").contains("confirmed"));

    // An overlapping booking: refused, explained in a dialog, nothing stored.
    click(&mut harness, "Book firm");
    settle(&mut harness);
    let problem = harness.state().problem().unwrap_or_default().to_string();
    assert!(
        problem.contains("conflict") && problem.contains("#1"),
        "{problem}"
    );
    assert!(text_of(&harness, "conflict").contains("#1"));
    click(&mut harness, "OK");
    assert!(harness.state().problem().is_none());
    let all = store.read(|tx, _| bookings::list(tx, None, None)).unwrap();
    assert_eq!(all.len(), 1);

    // A date nobody can read is an error message, not a crash.
    type_into(&mut harness, "Start", "x");
    click(&mut harness, "Place hold");
    settle(&mut harness);
    assert!(
        harness
            .state()
            .problem()
            .unwrap_or_default()
            .contains("date"),
        "{:?}",
        harness.state().problem()
    );
}

/// Hire a musician onto a booking and read the fee line by line: the MU worked example, a
/// standard session worked 3 h 40 min with one double, is £130.00 + 3 × £32.50 + £56.88 = £284.38.
#[test]
fn hire_a_musician_and_read_the_fee() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, _) = desk_on_booking(dir.path());
    hire_the_worked_example(&mut harness);
    let status = harness.state().status().unwrap_or_default().to_string();
    assert!(
        status.contains("284.38"),
        "{status:?} {:?}",
        harness.state().problem()
    );
    for (kind, amount) in [
        ("session", "130.00"),
        ("overtime", "97.50"),
        ("doubling", "56.88"),
    ] {
        harness.get_by_label(kind);
        harness.get_by_label(amount);
    }
    harness.get_by_label("284.38 GBP");
}

/// Record a take with the space bar while a booking is chosen: the files hold the armed tracks,
/// the take is logged, a marker set with M lands in the log; then rate and circle it in place.
#[test]
fn record_a_take_then_rate_and_circle_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, booking) = desk_on_booking(dir.path());
    // Disarm the room mic: it is not recorded.
    click(&mut harness, "Arm Room");
    harness.key_press(Key::Space);
    harness.run_steps(1);
    assert!(harness.state().recording());
    play(&mut harness, 1.0);
    harness.key_press(Key::M);
    harness.run_steps(1);
    play(&mut harness, 0.5);
    harness.key_press(Key::Space);
    harness.run_steps(1);
    settle(&mut harness);
    assert!(!harness.state().recording());
    let files: Vec<_> = std::fs::read_dir(dir.path().join("takes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(files.len(), 7, "{files:?}");
    assert!(
        files.iter().all(|f| f.starts_with("test_take001_")),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.contains("Room")), "{files:?}");
    let kick = files.iter().find(|f| f.contains("Kick")).unwrap();
    let reader = hound::WavReader::open(dir.path().join("takes").join(kick)).unwrap();
    let seconds = reader.duration() as f64 / reader.spec().sample_rate as f64;
    assert!((1.2..3.0).contains(&seconds), "{seconds}");

    let mut store = open_store(dir.path());
    let takes = store.read(|tx, _| log::takes(tx, booking)).unwrap();
    assert_eq!(takes.len(), 1);
    assert_eq!(takes[0].song, "Song 1");
    assert!(
        (takes[0].duration_s - seconds).abs() < 0.01,
        "{:?}",
        takes[0]
    );
    let entries = store.read(|tx, _| log::entries(tx, booking)).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].text.contains("take 1 at"), "{entries:?}");

    tab(&mut harness, "Session log");
    click(&mut harness, "Rate Song 1 take 1 4");
    settle(&mut harness);
    click(&mut harness, "Circle Song 1 take 1");
    settle(&mut harness);
    let take = store.read(|tx, _| log::take(tx, takes[0].id)).unwrap();
    assert_eq!((take.rating, take.circled), (4, true));
}

/// Closing the window while a take records keeps the take: its files are finalised and it is
/// logged with the booking.
#[test]
fn closing_the_window_keeps_and_logs_the_take() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, booking) = desk_on_booking(dir.path());
    harness.key_press(Key::Space);
    harness.run_steps(1);
    assert!(harness.state().recording());
    play(&mut harness, 1.0);
    drop(harness);
    let takes_dir = dir.path().join("takes");
    let files: Vec<String> = std::fs::read_dir(&takes_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(files.len(), 8, "{files:?}");
    let kick = files.iter().find(|f| f.contains("Kick")).unwrap();
    let reader = hound::WavReader::open(takes_dir.join(kick)).unwrap();
    let seconds = reader.duration() as f64 / reader.spec().sample_rate as f64;
    assert!(seconds >= 0.9, "{seconds}");
    let mut store = open_store(dir.path());
    let takes = store.read(|tx, _| log::takes(tx, booking)).unwrap();
    assert_eq!(takes.len(), 1, "{takes:?}");
    assert!(
        (takes[0].duration_s - seconds).abs() < 0.01,
        "{:?}",
        takes[0]
    );
    assert!(takes[0].files.contains(kick.as_str()), "{:?}", takes[0]);
}

/// A check kept earlier (a vocal mic 32 dB too quiet) opens again as its table, with the advice
/// the analysis gave.
#[test]
fn a_kept_sound_check_shows_its_table() {
    use studiodesk::soundcheck::{self, Channel, profile::Profile};
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let booking = booked(dir.path());
    let quiet = studiodesk::signals::sine(48_000, 1, 440.0, -44.0, 2.0, 0.0);
    let tracking = Profile::preset("tracking").unwrap();
    let channel = Channel {
        name: "Lead vox".into(),
        samples: &quiet,
        source_rate_hz: None,
    };
    let report = soundcheck::run(&[channel], 48_000, &tracking);
    let level = report.channels[0]
        .checks
        .iter()
        .find(|k| k.check == "level")
        .unwrap()
        .clone();
    assert!(!level.advice.is_empty());
    let mut store = open_store(dir.path());
    let json = serde_json::to_string(&report).unwrap();
    store
        .write(|tx, _| {
            soundchecks::save(
                tx,
                Some(booking),
                0,
                "tracking",
                "vocal booth",
                report.verdict.as_str(),
                &json,
            )
        })
        .unwrap();
    let mut harness = desk(dir.path());
    harness.state_mut().apply(Action::Select(Selection {
        project: Some(1),
        booking: Some(booking),
    }));
    settle(&mut harness);
    tab(&mut harness, "Sound check");
    click(&mut harness, "Kept with this booking");
    click(&mut harness, "Show #1");
    let channel = text_of(&harness, "1 Lead vox");
    assert_eq!(
        channel,
        format!(
            "1 Lead vox {}",
            report.channels[0].verdict.as_str().to_uppercase()
        )
    );
    harness.get_by_label(&level.advice);
    let value = format!("{:.2}", level.value.unwrap());
    assert!(harness.query_all_by_label(&value).count() >= 1, "{value}");
    // Shown again, it folds away.
    click(&mut harness, "Show #1");
    assert!(harness.query_by_label(&level.advice).is_none());
}

/// Run a sound check on the demo: every channel chosen gets a verdict with its checks, numbered as
/// the input numbers it; keep it with the booking.
#[test]
fn sound_check_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, booking) = desk_on_booking(dir.path());
    tab(&mut harness, "Sound check");
    // Leave the kick out: the others keep their input numbers.
    click(&mut harness, "Kick");
    click(&mut harness, "Run sound check");
    settle(&mut harness);
    let verdict = text_of(&harness, "Verdict:");
    assert!(
        verdict.contains("profile tracking, 7 channel(s)"),
        "{verdict}"
    );
    assert!(harness.query_by_label_contains("1 Kick").is_none());
    assert!(
        ["PASS", "WARN", "FAIL"].iter().any(|v| verdict.contains(v)),
        "{verdict}"
    );
    harness.get_by_label_contains("2 Snare");
    harness.get_by_label_contains("8 Room");
    click(&mut harness, &format!("Keep with booking #{booking}"));
    settle(&mut harness);
    let mut store = open_store(dir.path());
    let kept = store
        .read(|tx, _| soundchecks::list(tx, Some(booking)))
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert!(
        verdict.to_lowercase().contains(&kept[0].verdict),
        "{verdict} {:?}",
        kept[0]
    );
}

/// The live sound check settles polarity by consensus: of three mics on one source, the one wired
/// inverted fails, named against the two that agree; nothing else is called inverted.
#[test]
fn live_sound_check_finds_the_inverted_mic_by_consensus() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let booking = booked(dir.path());
    // Close mic, a second mic 0.5 ms later wired inverted, one 3 ms away, one on another source.
    let inputs = studiodesk::signals::tracking_session(48_000, 4, 6.0, 3);
    let path = dir.path().join("mics.wav");
    studiodesk::signals::write_wav(&path, 48_000, &inputs).unwrap();
    let mut harness = desk_with(
        dir.path(),
        LiveOptions {
            input: Input::Files(vec![path]),
            ..LiveOptions::default()
        },
    );
    harness.state_mut().apply(Action::Select(Selection {
        project: Some(1),
        booking: Some(booking),
    }));
    settle(&mut harness);
    tab(&mut harness, "Sound check");
    click(&mut harness, "Run sound check");
    settle(&mut harness);
    harness.get_by_label_contains("polarity of ch 2 inverted against ch 1, ch 3");
    harness.get_by_label_contains("flip ch 2");
    assert_eq!(
        harness
            .query_all_by_label_contains("inverted against")
            .count(),
        1
    );
}

/// A take onto a file system that fills up (a 3 MiB tmpfs; the test needs root, as CI has): the
/// desk stops the take, every file is closed on what reached the disk, the tracks are of one
/// length, and the desk says so in the words `studiodesk record` uses.
#[test]
fn a_take_on_a_full_disk_stops_and_the_desk_says_so() {
    use common::disk::{Tmpfs, closed_take};
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let booking = booked(dir.path());
    let small = Tmpfs::mount("3m");
    let desk = Desk::new(DeskOptions {
        live: LiveOptions {
            input: Input::Demo,
            ..LiveOptions::default()
        },
        db: dir.path().join("studio.db").into(),
        tz: time_zone(Some(TZ)).unwrap(),
        takes_dir: small.path.clone(),
        exports_dir: dir.path().to_path_buf(),
        session: "test".into(),
        timecode: Default::default(),
    });
    let mut harness = Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(|ui, desk: &mut Desk| desk.show(ui), desk);
    settle(&mut harness);
    harness.state_mut().apply(Action::Select(Selection {
        project: Some(1),
        booking: Some(booking),
    }));
    settle(&mut harness);
    harness.key_press(Key::Space);
    harness.run_steps(1);
    assert!(harness.state().recording());
    // The demo's eight tracks fill 3 MiB in well under 20 s.
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().recording() {
        assert!(Instant::now() < deadline, "the take never stopped");
        std::thread::sleep(Duration::from_millis(20));
        harness.run_steps(1);
    }
    settle(&mut harness);
    let problem = harness.state().problem().unwrap_or_default().to_string();
    assert!(problem.contains("stopped early: disk full"), "{problem}");
    assert!(problem.contains("every file is closed"), "{problem}");
    let frames = closed_take(&small.path, 8, "the desk on a full disk");
    assert!(frames > 10_000, "only {frames} frames");
}

/// A desk on the Budget tab of the project with a confirmed day in Studio A.
fn desk_on_budget(dir: &Path) -> Harness<'static, Desk> {
    seed(dir);
    booked(dir);
    let mut harness = desk(dir);
    tab(&mut harness, "Budget");
    choose(&mut harness, "Project", "Night Songs");
    settle(&mut harness);
    harness
}

/// The budget shows plan against actual for the selected project.
#[test]
fn budget_plan_against_actual() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk_on_budget(dir.path());
    type_into(&mut harness, "Amount", "1000");
    click(&mut harness, "Set plan");
    settle(&mut harness);
    // A confirmed 10-hour day at £700 against £1000 planned: £300 under.
    for amount in ["1000.00", "700.00", "300.00"] {
        assert!(
            harness.get_all_by_label(amount).count() >= 1,
            "{amount} is not shown"
        );
    }
    // A relative name goes to the exports folder.
    let csv = dir.path().join("budget.csv");
    click(&mut harness, "Export CSV");
    settle(&mut harness);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("category,planned,actual,variance\nstudio,1000.00,700.00,300.00\n"),
        "{text}"
    );
}

/// An export never replaces a file without asking (field finding: exports overwrote in place).
/// "Keep it" leaves the file as it was; "Replace" writes the new one over it.
#[test]
fn an_export_over_an_existing_file_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk_on_budget(dir.path());
    let csv = dir.path().join("budget.csv");
    std::fs::write(&csv, "someone's figures").unwrap();
    click(&mut harness, "Export CSV");
    settle(&mut harness);
    assert!(text_of(&harness, "exists.").contains("budget.csv"));
    click(&mut harness, "Keep it");
    settle(&mut harness);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "someone's figures");
    click(&mut harness, "Export CSV");
    settle(&mut harness);
    click(&mut harness, "Replace");
    settle(&mut harness);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("category,planned,actual,variance\n"),
        "{text}"
    );
}

/// Every tab passes the harness's accessibility check (every input has a name a screen reader
/// can say) and draws every glyph it uses.
#[test]
fn every_tab_is_labelled_for_screen_readers() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, _) = desk_on_booking(dir.path());
    let sections: [(&str, &[&str]); 6] = [
        ("Live", &["Audio set-up"]),
        ("Bookings", &["Rooms and projects", "Booking policies"]),
        ("Musicians & hires", &["Rate tables"]),
        ("Sound check", &["Profile thresholds"]),
        ("Budget", &[]),
        ("Session log", &[]),
    ];
    for (name, collapsed) in sections {
        tab(&mut harness, name);
        for section in collapsed {
            click(&mut harness, section);
        }
        harness.run();
    }
}

/// The device picker restarts the engine on the chosen set-up (here the demo at 44.1 kHz).
#[test]
fn the_audio_set_up_reopens_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk(dir.path());
    click(&mut harness, "Audio set-up");
    // The devices are looked for off the UI thread; the search ends with a count.
    click(&mut harness, "Look for devices");
    settle(&mut harness);
    let status = harness.state().status().unwrap_or_default().to_string();
    assert!(status.ends_with("audio devices found"), "{status}");
    choose(&mut harness, "Rate", "44100 Hz");
    click(&mut harness, "Open");
    settle(&mut harness);
    play(&mut harness, 0.5);
    assert!(
        text_of(&harness, "built-in demo session —").contains("at 44100 Hz"),
        "{}",
        text_of(&harness, "built-in demo session —")
    );
    assert!(harness.state().snapshot().t_s > 0.2);
}

/// A desk on a file played once (2 s of tone), instead of the demo.
fn desk_on_file(dir: &Path) -> Harness<'static, Desk> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-audio/tone-1k-20dbfs-48k-stereo-16bit.wav");
    desk_with(
        dir,
        LiveOptions {
            input: Input::Files(vec![file]),
            looping: false,
            ..LiveOptions::default()
        },
    )
}

/// Step until the input has played out.
fn play_out(harness: &mut Harness<'static, Desk>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.state().running() {
        assert!(Instant::now() < deadline, "the file never ended");
        std::thread::sleep(Duration::from_millis(50));
        harness.run_steps(1);
    }
}

/// While the engine runs the desk repaints at the meter rate; once the input has ended (a file
/// played out) it says so and asks for no more frames.
#[test]
fn idle_once_the_input_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk_on_file(dir.path());
    assert!(harness.state().running());
    assert!(harness.ctx.has_requested_repaint());
    play_out(&mut harness);
    harness.run_steps(2);
    // The message that the input has ended may take egui a layout pass or two; then no frame is
    // asked for (a desk still repainting at the meter rate would ask for every one).
    for _ in 0..10 {
        if !harness.ctx.has_requested_repaint() {
            break;
        }
        harness.run_steps(1);
    }
    assert!(!harness.ctx.has_requested_repaint());
    harness.get_by_label_contains("the input has ended");
}

/// A take still recording when the input ends is closed with what reached the recorder.
#[test]
fn a_take_ends_with_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk_on_file(dir.path());
    harness.key_press(Key::Space);
    harness.run_steps(1);
    assert!(harness.state().recording());
    play_out(&mut harness);
    settle(&mut harness);
    assert!(!harness.state().recording());
    let status = harness.state().status().unwrap_or_default().to_string();
    assert!(status.starts_with("take 1:"), "{status}");
    let path = dir
        .path()
        .join("takes/test_take001_01-tone-1k-20dbfs-48k-stereo-16bit_1.wav");
    let reader = hound::WavReader::open(&path).unwrap_or_else(|e| {
        panic!(
            "{e}: {:?}",
            std::fs::read_dir(dir.path().join("takes"))
                .unwrap()
                .collect::<Vec<_>>()
        )
    });
    let seconds = reader.duration() as f64 / 48_000.0;
    assert!((1.0..=2.0).contains(&seconds), "{seconds}");
}

/// The desk opens on the session under way: takes and markers go to its log without a click.
#[test]
fn opens_on_the_session_under_way() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let mut store = open_store(dir.path());
    let now = studiodesk::studio::units::now();
    let new = bookings::NewHold {
        project: "Night Songs".into(),
        room: "Studio A".into(),
        engineer: None,
        assistant: None,
        start_utc: now - 1800,
        end_utc: now + 3600,
        days: 1,
        expires_hours: None,
    };
    let id = store
        .write(|tx, tz| bookings::book(tx, tz, &new, now))
        .unwrap()
        .booking
        .id;
    let harness = desk(dir.path());
    assert_eq!(harness.state().loaded().selection.booking, Some(id));
    harness.get_by_label_contains("logging to #1 Night Songs (Studio A)");
}

/// Rates, booking policies, contingency, profile thresholds, rooms and takes logged by hand: what
/// the command line changes, the window changes, through the same functions.
#[test]
fn studio_settings_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, booking) = desk_on_booking(dir.path());

    tab(&mut harness, "Musicians & hires");
    click(&mut harness, "Rate tables");
    type_into(&mut harness, "mu standard_overtime new value", "33.00");
    click(&mut harness, "Set mu standard_overtime");
    settle(&mut harness);

    tab(&mut harness, "Bookings");
    click(&mut harness, "Booking policies");
    type_into(&mut harness, "cancel_partial_bp new value", "25");
    click(&mut harness, "Set cancel_partial_bp");
    settle(&mut harness);
    click(&mut harness, "Rooms and projects");
    type_into(&mut harness, "Room name", "Studio A");
    type_into(&mut harness, "Hourly", "65.00");
    click(&mut harness, "Change room");
    settle(&mut harness);

    tab(&mut harness, "Budget");
    type_into(&mut harness, "Contingency %", "12.5");
    click(&mut harness, "Set contingency");
    settle(&mut harness);

    tab(&mut harness, "Sound check");
    click(&mut harness, "Profile thresholds");
    type_into(&mut harness, "peak_low_dbfs new value", "-20");
    click(&mut harness, "Set peak_low_dbfs");
    settle(&mut harness);
    // A window the wrong way round is refused, and the profile keeps its last good value.
    type_into(&mut harness, "peak_high_dbfs new value", "-30");
    click(&mut harness, "Set peak_high_dbfs");
    settle(&mut harness);
    assert!(
        harness
            .state()
            .problem()
            .unwrap_or_default()
            .contains("low edge"),
        "{:?}",
        harness.state().problem()
    );
    click(&mut harness, "OK");

    tab(&mut harness, "Session log");
    type_into(
        &mut harness,
        "Song of a take recorded elsewhere",
        "Blue Hour",
    );
    click(&mut harness, "Log take");
    settle(&mut harness);

    let mut store = open_store(dir.path());
    store
        .read(|tx, _| {
            let overtime = studiodesk::studio::fees::rates(tx, None)?
                .into_iter()
                .find(|r| r.agreement == "mu" && r.name == "standard_overtime")
                .unwrap();
            assert_eq!(overtime.value, 3_300);
            assert_eq!(bookings::setting(tx, "cancel_partial_bp")?, 2_500);
            assert_eq!(entities::room(tx, "Studio A")?.hourly, Minor(6_500));
            assert_eq!(entities::room(tx, "Studio A")?.day, Minor(70_000));
            assert_eq!(entities::project(tx, "1")?.contingency_bp, 1_250);
            let tracking = studiodesk::soundcheck::profile::stored(tx)?
                .into_iter()
                .find(|p| p.name == "tracking")
                .unwrap();
            assert_eq!(tracking.peak_window_dbfs, Some((-20.0, -6.0)));
            let takes = log::takes(tx, booking)?;
            assert_eq!(takes.len(), 1);
            assert_eq!((takes[0].song.as_str(), takes[0].take_no), ("Blue Hour", 1));
            Ok(())
        })
        .unwrap();
}

/// Pictures of the production tabs, compared with the committed ones in `tests/snapshots/`
/// (`UPDATE_SNAPSHOTS=1` writes new ones). Rendered through wgpu: `--features snapshots`, with a
/// Vulkan driver (Mesa's software one does).
#[cfg(feature = "snapshots")]
#[test]
fn snapshots_of_the_production_tabs() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    // Two holds on the Wednesday, the second ranked behind the first.
    placed(
        dir.path(),
        false,
        "Other Band",
        "2027-03-03 11:00",
        "2027-03-03 19:00",
    );
    placed(
        dir.path(),
        false,
        "Night Songs",
        "2027-03-03 14:00",
        "2027-03-03 22:00",
    );
    let mut harness = desk(dir.path());
    new_booking_form(&mut harness);
    click(&mut harness, "Book firm");
    settle(&mut harness);
    click_on(&mut harness, "#3 10:00–18:00 confirmed");
    settle(&mut harness);
    harness.snapshot("desk_bookings");

    hire_the_worked_example(&mut harness);
    harness.snapshot("desk_hires");

    tab(&mut harness, "Budget");
    type_into(&mut harness, "Amount", "1000");
    click(&mut harness, "Set plan");
    settle(&mut harness);
    harness.snapshot("desk_budget");
}

/// The mix and the meters' display survive a restart: a new desk given the last one's settings
/// (as eframe's storage hands them back) mixes the same way.
#[test]
fn the_mix_is_kept_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk(dir.path());
    click(&mut harness, "Solo Kick");
    click(&mut harness, "LU");
    let saved = harness.state().live_settings().clone();
    drop(harness);

    let mut harness = desk(dir.path());
    harness.state_mut().restore(&saved);
    play(&mut harness, 1.0);
    assert_eq!(harness.state().live_settings(), &saved);
    // The kick is soloed again: the master reads the kick alone.
    let s = harness.state().snapshot();
    let (solo, kick) = (s.master.momentary_lufs, s.tracks[0].momentary_lufs);
    assert!(
        (solo - kick).abs() < 0.5,
        "restored kick solo {solo}, kick {kick}"
    );
    assert!(
        text_of(&harness, "Momentary").contains(" LU "),
        "{}",
        text_of(&harness, "Momentary")
    );
}

/// The Budget tab shows what the project was billed, paid and owes, takes a payment, and makes
/// the invoice (issue 12): the PDF in the exports folder reads back with the same balance.
#[test]
fn the_budget_tab_takes_payments_and_makes_the_invoice() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = desk_on_budget(dir.path());
    // A confirmed 10-hour day at £700, VAT 20 %: billed £840.00, nothing paid.
    assert!(harness.get_all_by_label("Billed 840.00 GBP").count() == 1);
    assert!(harness.get_all_by_label("due 840.00").count() == 1);
    type_into(&mut harness, "Payment", "300");
    type_into(&mut harness, "Payment note", "deposit");
    click(&mut harness, "Record payment");
    settle(&mut harness);
    for label in ["paid 300.00", "due 540.00"] {
        assert!(
            harness.get_all_by_label(label).count() == 1,
            "{label} is not shown"
        );
    }
    click(&mut harness, "Make invoice");
    settle(&mut harness);
    let pdf = dir.path().join("invoice.pdf");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text: String = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "INV-0001",
        "Studio A room time, 1 session(s) 700.00",
        "Total 840.00 GBP",
        "Paid 300.00 GBP",
        "Balance due 540.00 GBP",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // Again: the file is there, so the desk asks; replacing it issues the next number.
    click(&mut harness, "Make invoice");
    settle(&mut harness);
    assert!(text_of(&harness, "exists.").contains("invoice.pdf"));
    click(&mut harness, "Replace");
    settle(&mut harness);
    let out = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("INV-0002"));
}

/// Test folders whose desks share one new database on the test PostgreSQL server (each folder
/// names it in `studio.url`, see `common::db_in`); the database's name.
fn facility_dirs(n: usize) -> (Vec<tempfile::TempDir>, String) {
    let url = common::pg::server().fresh_database();
    let dirs: Vec<_> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
    for dir in &dirs {
        std::fs::write(dir.path().join("studio.url"), &url).unwrap();
    }
    let name = url.rsplit('/').next().unwrap().to_string();
    (dirs, name)
}

/// Step `harness` until `done` holds; how long it took. Fails after `limit`.
fn step_until(
    harness: &mut Harness<'static, Desk>,
    limit: Duration,
    what: &str,
    done: impl Fn(&Desk) -> bool,
) -> Duration {
    let start = Instant::now();
    while !done(harness.state()) {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(5));
        harness.run_steps(1);
    }
    start.elapsed()
}

/// Two control rooms' desks on one facility database: a hold placed in one appears in the other
/// within a second, nobody touching the other (LISTEN/NOTIFY, heard off the UI thread); a
/// booking made in the other appears in the first.
#[test]
fn two_desks_on_one_facility_database_see_each_other() {
    let (dirs, _) = facility_dirs(2);
    seed(dirs[0].path());
    let mut a = desk(dirs[0].path());
    let mut b = desk(dirs[1].path());
    // The office looks at the week of 1 March.
    tab(&mut b, "Bookings");
    type_into(&mut b, "Go to date", "2027-03-01");
    click(&mut b, "Go");
    settle(&mut b);
    assert!(b.state().loaded().bookings.is_empty());
    new_booking_form(&mut a);
    click(&mut a, "Place hold");
    let seen = step_until(
        &mut b,
        Duration::from_secs(1),
        "desk B sees A's hold",
        |d| !d.loaded().bookings.is_empty(),
    );
    settle(&mut a);
    assert!(a.state().status().unwrap_or_default().contains("1st hold"));
    let held = &b.state().loaded().bookings[0];
    assert_eq!((held.id, held.status), (1, bookings::Status::Hold));
    eprintln!(
        "desk B saw the hold {} ms after A's click",
        seen.as_millis()
    );

    // B shows who placed it, from the server's audit trail.
    b.state_mut().apply(Action::Select(Selection {
        project: Some(1),
        booking: Some(1),
    }));
    settle(&mut b);
    let history = &b.state().loaded().history;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (history[0].login.as_str(), history[0].what.as_str()),
        ("studiodesk", "hold placed")
    );
    tab(&mut b, "Bookings");
    assert!(b.query_by_label_contains("History (1)").is_some());

    // B books the next day firm from its own form; A sees it.
    choose(&mut b, "Project", "Other Band");
    choose(&mut b, "Room", "Studio A");
    type_into(&mut b, "Start", "2027-03-02 10:00");
    type_into(&mut b, "End", "2027-03-02 18:00");
    click(&mut b, "Book firm");
    step_until(
        &mut a,
        Duration::from_secs(1),
        "desk A sees B's booking",
        |d| {
            d.loaded()
                .bookings
                .iter()
                .any(|b| b.id == 2 && b.status == bookings::Status::Confirmed)
        },
    );
}

/// A desk on an engineer's facility login offers what an engineer may do and greys out the
/// rest, which the server would refuse: no holds, firming, cancelling, rooms or projects; the
/// session's end and its log, yes, and a take logged from it is stored under the engineer.
#[test]
fn an_engineers_desk_offers_only_what_an_engineer_may_do() {
    let (dirs, _) = facility_dirs(2);
    seed(dirs[0].path());
    let booking = booked(dirs[0].path());
    let url = open_store(dirs[0].path())
        .add_user("desk_eng", studiodesk::studio::access::Role::Engineer, None)
        .unwrap();
    std::fs::write(dirs[1].path().join("studio.url"), &url).unwrap();
    let mut harness = desk(dirs[1].path());
    harness.state_mut().apply(Action::Select(Selection {
        project: Some(1),
        booking: Some(booking),
    }));
    settle(&mut harness);
    assert_eq!(
        harness.state().loaded().role,
        Some(studiodesk::studio::access::Role::Engineer)
    );
    let disabled = |h: &Harness<'static, Desk>, label: &str| {
        h.get_by_label(label).accesskit_node().is_disabled()
    };
    tab(&mut harness, "Bookings");
    click(&mut harness, "Rooms and projects");
    for label in [
        "Place hold",
        "Book firm",
        "Cancel",
        "Add room",
        "Add project",
    ] {
        assert!(
            disabled(&harness, label),
            "{label} is offered to an engineer"
        );
    }
    assert!(!disabled(&harness, "Record overtime"));
    tab(&mut harness, "Session log");
    assert!(!disabled(&harness, "Log take"));
    type_into(&mut harness, "Song of a take recorded elsewhere", "Harbour");
    click(&mut harness, "Log take");
    settle(&mut harness);
    let status = harness.state().status().unwrap_or_default().to_string();
    assert!(status.contains("Harbour take 1 logged"), "{status}");
    let history = &harness.state().loaded().history;
    assert!(
        history
            .iter()
            .any(|c| c.login == "desk_eng" && c.what.contains("Harbour")),
        "{history:?}"
    );
}

/// The facility database goes away under a desk (the server drops its connections): the desk
/// says it is offline, its meters go on, and it comes back by itself; a change then works.
#[test]
fn a_desk_rides_out_a_lost_database() {
    let (dirs, name) = facility_dirs(1);
    let dir = dirs[0].path();
    seed(dir);
    let mut desk = desk(dir);
    assert!(desk.state().offline().is_none());
    common::pg::server().psql(
        "postgres",
        &format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'"
        ),
    );
    let before = desk.state().snapshot().t_s;
    step_until(
        &mut desk,
        Duration::from_secs(10),
        "the desk says it is offline",
        |d| d.offline().is_some(),
    );
    assert!(
        desk.state()
            .offline()
            .unwrap()
            .contains("cannot be reached"),
        "{:?}",
        desk.state().offline()
    );
    step_until(
        &mut desk,
        Duration::from_secs(20),
        "the desk reconnects",
        |d| d.offline().is_none(),
    );
    assert!(
        desk.state().snapshot().t_s > before,
        "the meters stopped while the database was away"
    );
    new_booking_form(&mut desk);
    click(&mut desk, "Place hold");
    settle(&mut desk);
    assert!(
        desk.state()
            .status()
            .unwrap_or_default()
            .contains("1st hold"),
        "{:?} {:?}",
        desk.state().status(),
        desk.state().problem()
    );
}
