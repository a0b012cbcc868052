//! The facility's busiest reads on either store, with the data they generate: 20 rooms × 5
//! years of weekday sessions (26 100 bookings). `booking list` of a week (each booking priced at
//! its rate card with its balance, as the command prints it), the calendar's week (the
//! bookings the desk's grid draws) and a desk's whole refresh with that week on its calendar, on
//! a SQLite file and on a PostgreSQL server started for the run (Debian's `postgresql`; see
//! `tests/common/pg.rs`). The bar: 50 ms each.

#[path = "../tests/common/pg.rs"]
#[allow(dead_code)]
mod pg;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::tz::TimeZone;
use studiodesk::studio::entities::{self, Room};
use studiodesk::studio::units::{Minor, parse_local};
use studiodesk::studio::{Store, bookings, payments};
use studiodesk::ui::studio::{View, load};

const ROOMS: usize = 20;
const YEARS: i16 = 5;

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap()
}

/// Fill the new studio at `db` with rooms, projects and five years of confirmed weekday
/// sessions, 10:00–18:00 in every room; how many bookings.
fn generate(db: &str) -> usize {
    let mut store = Store::open(db, london()).unwrap();
    let tz = london();
    store
        .write(|tx, _| {
            for r in 0..ROOMS {
                entities::add_room(
                    tx,
                    &Room {
                        id: 0,
                        name: format!("Room {r:02}"),
                        currency: "GBP".into(),
                        hourly: Minor(8_500),
                        half_day: Minor(38_000),
                        day: Minor(70_000),
                        setup_min: 0,
                        teardown_min: 0,
                        overtime_bp: 10_000,
                    },
                )?;
            }
            for p in 0..40 {
                entities::add_project(tx, &format!("Project {p:02}"), None, None, "GBP", 1_000)?;
            }
            Ok(())
        })
        .unwrap();
    let mut days = Vec::new();
    let mut day = jiff::civil::date(2022, 1, 3);
    while day.year() < 2022 + YEARS {
        if day.weekday().to_monday_one_offset() <= 5 {
            days.push(day);
        }
        day = day.tomorrow().unwrap();
    }
    let mut count = 0;
    for chunk in days.chunks(200) {
        count +=
            store
                .write(|tx, _| {
                    let mut n = 0;
                    for (d, day) in chunk.iter().enumerate() {
                        let start = parse_local(&format!("{day} 10:00"), &tz)?;
                        let end = parse_local(&format!("{day} 18:00"), &tz)?;
                        for room in 1..=ROOMS as i64 {
                            tx.execute(
                            "INSERT INTO bookings (project_id, room_id, start_utc, end_utc, status,
                             created_utc) VALUES (?1, ?2, ?3, ?4, 'confirmed', ?5)",
                            [1 + (room + d as i64) % 40, room, start, end, start - 86_400 * 30],
                        )?;
                            n += 1;
                        }
                    }
                    Ok(n)
                })
                .unwrap();
    }
    count
}

fn facility(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("facility.db").display().to_string();
    let server = pg::server().fresh_database();
    let tz = london();
    // A week in the middle of the five years.
    let week = (
        parse_local("2024-06-03 00:00", &tz).unwrap(),
        parse_local("2024-06-10 00:00", &tz).unwrap(),
    );
    let mut group = c.benchmark_group("facility");
    group.sample_size(20);
    for (store_name, db) in [("sqlite", &file), ("postgres", &server)] {
        let n = generate(db);
        eprintln!("{store_name}: {n} bookings in {ROOMS} rooms over {YEARS} years");
        let mut store = Store::open_read(db.as_str(), tz.clone()).unwrap();
        let listed = store
            .read(|tx, _| payments::listing(tx, Some(week), None, None))
            .unwrap();
        assert_eq!(listed.len(), ROOMS * 5);
        group.bench_function(
            BenchmarkId::new("booking list of a week", store_name),
            |b| {
                b.iter(|| {
                    store
                        .read(|tx, _| payments::listing(tx, Some(week), None, None))
                        .unwrap()
                })
            },
        );
        group.bench_function(BenchmarkId::new("calendar week", store_name), |b| {
            b.iter(|| {
                store
                    .read(|tx, _| bookings::between(tx, week.0, week.1, None, None))
                    .unwrap()
            })
        });
        // What a desk reads on each refresh with that week on its calendar: rooms, people,
        // projects, the week's bookings, the pickers' current ones, rates and policies.
        let view = View {
            selection: Default::default(),
            window: week,
        };
        let mut desk = Store::open(db.as_str(), tz.clone()).unwrap();
        assert_eq!(load(&mut desk, view).unwrap().bookings.len(), ROOMS * 5);
        group.bench_function(BenchmarkId::new("desk refresh", store_name), |b| {
            b.iter(|| load(&mut desk, view).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, facility);
criterion_main!(benches);
