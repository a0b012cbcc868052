#![allow(dead_code)] // Each test binary uses some of these helpers.

//! Helpers shared by the integration tests.

pub mod disk;
pub mod instruments;
#[cfg(feature = "jack")]
pub mod jack;
pub mod pg;

use std::path::Path;

use jiff::tz::TimeZone;
use studiodesk::meter::peak::interpolator;
use studiodesk::studio::Store;
use studiodesk::studio::entities::{PersonKind, Room, Union};
use studiodesk::studio::units::Minor;

/// True peak of a mono signal by brute-force 16× oversampling (Kaiser-windowed sinc, 64 taps per
/// phase, β = 10), with silence before and after: the reference the meters are judged against.
pub fn reference_true_peak(x: &[f32]) -> f64 {
    const TAPS: usize = 64;
    let phases = interpolator(16, TAPS, 10.0);
    let mut padded = vec![0.0f64; TAPS];
    padded.extend(x.iter().map(|&v| v as f64));
    padded.extend(std::iter::repeat_n(0.0, TAPS));
    let mut peak = x.iter().fold(0.0f64, |m, &v| m.max((v as f64).abs()));
    for start in 0..padded.len() - TAPS {
        let window = &padded[start..start + TAPS];
        for h in &phases {
            let y: f64 = h.iter().zip(window).map(|(h, x)| h * x).sum();
            peak = peak.max(y.abs());
        }
    }
    peak
}

/// A global allocator that counts allocations per thread, to prove that code allocates nothing.
/// Install in a test binary with
/// `#[global_allocator] static GLOBAL: common::Counting = common::Counting;`.
pub struct Counting;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations this thread made while running `f`.
pub fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(std::cell::Cell::get);
    f();
    ALLOCATIONS.with(std::cell::Cell::get) - before
}

/// Root mean square of samples (linear).
pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Mean distance between upward zero crossings, in samples: the period of a tone.
pub fn period_samples(x: &[f32]) -> f64 {
    let crossings: Vec<usize> = x
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, _)| i)
        .collect();
    (crossings[crossings.len() - 1] - crossings[0]) as f64 / (crossings.len() - 1) as f64
}

/// A store with a room (£85/h, £380 half day, £700 day), people and two projects.
pub fn studio(dir: &Path) -> Store {
    let mut store =
        Store::open(db_in(dir).as_str(), TimeZone::get("Europe/London").unwrap()).unwrap();
    store
        .write(|tx, _| {
            studiodesk::studio::entities::add_room(
                tx,
                &Room {
                    id: 0,
                    name: "Studio A".into(),
                    currency: "GBP".into(),
                    hourly: Minor(8_500),
                    half_day: Minor(38_000),
                    day: Minor(70_000),
                    setup_min: 0,
                    teardown_min: 0,
                    overtime_bp: 10_000,
                },
            )?;
            studiodesk::studio::entities::add_person(
                tx,
                "Ana Reyes",
                PersonKind::Artist,
                "",
                Union::None,
                "",
            )?;
            studiodesk::studio::entities::add_person(
                tx,
                "Lee Hart",
                PersonKind::Musician,
                "guitar,mandolin",
                Union::Mu,
                "",
            )?;
            studiodesk::studio::entities::add_person(
                tx,
                "Kim Vale",
                PersonKind::Musician,
                "bass",
                Union::Afm,
                "",
            )?;
            studiodesk::studio::entities::add_project(
                tx,
                "Night Songs",
                Some("Ana Reyes"),
                None,
                "GBP",
                1_000,
            )?;
            studiodesk::studio::entities::add_project(tx, "Other Band", None, None, "GBP", 1_000)?;
            Ok(())
        })
        .unwrap();
    store
}

/// The studio database at `db`, opened for changes (in London, as [`studio`] makes it).
pub fn studio_at(db: &str) -> Store {
    Store::open(db, TimeZone::get("Europe/London").unwrap()).unwrap()
}

/// `hire add` of `person` onto `booking` under `agreement`, playing `instruments` for `worked`,
/// then `extra`.
pub fn hire<'a>(
    booking: &'a str,
    person: &'a str,
    agreement: &'a str,
    instruments: &'a str,
    worked: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut v = vec![
        "hire",
        "add",
        "--booking",
        booking,
        "--person",
        person,
        "--agreement",
        agreement,
        "--instruments",
        instruments,
        "--worked",
        worked,
    ];
    v.extend_from_slice(extra);
    v
}

/// `studiodesk ARGS --tz Europe/London` on the studio database at `db`, as a user runs it.
pub fn studiodesk_at(db: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_studiodesk"))
        .args(args)
        .args(["--tz", "Europe/London"])
        .env("STUDIODESK_DB", db)
        .output()
        .unwrap()
}

/// `booking hold` of `project` in Studio A from `start` to `end` (local), as typed.
pub fn hold_args<'a>(project: &'a str, start: &'a str, end: &'a str) -> Vec<&'a str> {
    vec![
        "booking",
        "hold",
        "--room",
        "Studio A",
        "--project",
        project,
        "--start",
        start,
        "--end",
        end,
    ]
}

/// `studiodesk ARGS` on `db`, which must succeed; its standard output.
pub fn ok_at(db: &str, args: &[&str]) -> String {
    let out = studiodesk_at(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `studiodesk ARGS` on `db`, which must be refused (exit 1) in one line; that line.
pub fn refused_at(db: &str, args: &[&str]) -> String {
    let out = studiodesk_at(db, args);
    assert_eq!(out.status.code(), Some(1), "{args:?} should be refused");
    let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    message
}

/// Which store the studio tests run on: a SQLite file, or (with `STUDIODESK_TEST_STORE=postgres`)
/// a fresh database on the test binary's own PostgreSQL server. The same suite runs on both.
pub fn on_server() -> bool {
    std::env::var("STUDIODESK_TEST_STORE").is_ok_and(|s| s == "postgres")
}

/// The studio database of a test whose files live in `dir`: `dir/studio.db`, or (see
/// [`on_server`]) a fresh PostgreSQL database made on first asking and named in `dir/studio.url`
/// for later asks (a test may name one there itself). As text, for `--db` and [`Store::open`]
/// alike.
pub fn db_in(dir: &Path) -> String {
    let named = dir.join("studio.url");
    if let Ok(url) = std::fs::read_to_string(&named) {
        return url;
    }
    if !on_server() {
        return dir.join("studio.db").display().to_string();
    }
    let url = pg::server().fresh_database();
    std::fs::write(&named, &url).expect("studio.url");
    url
}
