//! A facility's studio on a real PostgreSQL server (started by these tests): what the engine
//! itself guarantees whatever a client does, and what a desk sees when the server is not there.
//! The whole studio suite also runs on the server (`STUDIODESK_TEST_STORE=postgres`).

mod common;

use std::process::Command;

use common::pg;

use common::{ok_at as ok, refused_at as refused, studiodesk_at as run};

/// A facility with Studio A, a project and one confirmed booking (10:00–14:00), made through
/// the CLI; the database's name on the server and its URL.
fn facility() -> (String, String) {
    let url = pg::server().fresh_database();
    let name = url.rsplit('/').next().unwrap().to_string();
    ok(
        &url,
        &[
            "room",
            "add",
            "Studio A",
            "--hourly",
            "85",
            "--half-day",
            "380",
            "--day",
            "700",
            "--currency",
            "GBP",
        ],
    );
    ok(
        &url,
        &["project", "add", "Night Songs", "--currency", "GBP"],
    );
    ok(
        &url,
        &[
            "booking",
            "book",
            "--room",
            "Studio A",
            "--project",
            "Night Songs",
            "--start",
            "2027-04-01 10:00",
            "--end",
            "2027-04-01 14:00",
        ],
    );
    (name, url)
}

/// Two confirmed bookings of one room never overlap, even written past studiodesk straight
/// into the database: the exclusion constraint refuses the row.
#[test]
fn the_server_refuses_overlapping_confirmed_bookings() {
    let (name, url) = facility();
    let server = pg::server();
    let insert = |start: i64, end: i64| {
        Command::new("psql")
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &server.url(&name),
                "-c",
            ])
            .arg(format!(
                "INSERT INTO bookings (project_id, room_id, start_utc, end_utc, status, created_utc)
                 SELECT project_id, room_id, {start}, {end}, 'confirmed', 0 FROM bookings LIMIT 1"
            ))
            .output()
            .unwrap()
    };
    let (start, end): (i64, i64) = {
        let row = server.psql(&name, "SELECT start_utc || ' ' || end_utc FROM bookings");
        let (a, b) = row.split_once(' ').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    // An hour inside the confirmed one: refused by the engine, naming the constraint.
    let out = insert(start + 3600, end + 3600);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("confirmed_bookings_do_not_overlap"),
        "{message}"
    );
    // Back to back is not an overlap (half-open ranges).
    let out = insert(end, end + 3600);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only confirmed bookings are excluded: a cancelled one may lie anywhere.
    let cancelled = server.psql(
        &name,
        &format!(
            "INSERT INTO bookings (project_id, room_id, start_utc, end_utc, status, created_utc)
             SELECT project_id, room_id, {start}, {end}, 'cancelled', 0 FROM bookings LIMIT 1
             RETURNING id"
        ),
    );
    assert!(cancelled.parse::<i64>().is_ok(), "{cancelled}");
    // The desk's own list reads what is on the server.
    let list: serde_json::Value =
        serde_json::from_str(&ok(&url, &["booking", "list", "--json"])).unwrap();
    let statuses: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["confirmed", "cancelled", "confirmed"]);
    assert_eq!(
        server.psql(
            &name,
            "SELECT count(*) FROM bookings WHERE status = 'confirmed'"
        ),
        "2"
    );
}

/// A server that is not there: one line naming the server (never the password), exit 1.
#[test]
fn an_unreachable_server_is_one_line_without_the_password() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://ana:s3cret@127.0.0.1:{port}/facility");
    for args in [
        &["room", "list"][..],
        &[
            "room",
            "add",
            "B",
            "--hourly",
            "1",
            "--half-day",
            "1",
            "--day",
            "1",
            "--currency",
            "GBP",
        ],
    ] {
        let out = run(&url, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert_eq!(message.trim().lines().count(), 1, "{message}");
        assert!(message.contains("cannot be reached"), "{message}");
        assert!(
            message.contains(&format!("postgres://ana@127.0.0.1:{port}/facility")),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
    }
}

/// A wrong password is refused by the server, in one line that does not repeat it.
#[test]
fn a_wrong_password_is_refused() {
    let server = pg::server();
    let url = server.fresh_database();
    let name = url.rsplit('/').next().unwrap();
    let wrong = server.url_as("studiodesk", "not-the-password", name);
    let out = run(&wrong, &["room", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(!message.contains("not-the-password"), "{message}");
}

/// Another application's database is refused before anything is written into it.
#[test]
fn another_applications_database_is_left_alone() {
    let server = pg::server();
    let url = server.fresh_database();
    let name = url.rsplit('/').next().unwrap();
    server.psql(
        name,
        "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (7)",
    );
    let out = run(
        &url,
        &[
            "room",
            "add",
            "A",
            "--hourly",
            "1",
            "--half-day",
            "1",
            "--day",
            "1",
            "--currency",
            "GBP",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("not a studiodesk database"), "{message}");
    assert!(message.contains("invoices"), "{message}");
    assert_eq!(
        server.psql(
            name,
            "SELECT string_agg(table_name, ',') FROM information_schema.tables
             WHERE table_schema = 'public'"
        ),
        "invoices"
    );
}

/// Desks opening a new facility database together migrate it once, and all of them work.
#[test]
fn desks_opening_a_new_database_together_migrate_it_once() {
    let url = pg::server().fresh_database();
    let children: Vec<_> = (0..6)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_studiodesk"))
                .args([
                    "room",
                    "add",
                    &format!("Room {i}"),
                    "--hourly",
                    "50",
                    "--half-day",
                    "200",
                    "--day",
                    "350",
                    "--currency",
                    "EUR",
                    "--tz",
                    "Europe/Paris",
                    "--db",
                    &url,
                ])
                .output()
                .unwrap()
        })
        .collect();
    // Spawned one after another but racing: each opened, migrated or waited, then wrote.
    for out in &children {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rooms = ok(&url, &["room", "list", "--json"]);
    let rooms: serde_json::Value = serde_json::from_str(&rooms).unwrap();
    assert_eq!(rooms.as_array().unwrap().len(), 6);
    let name = url.rsplit('/').next().unwrap();
    assert_eq!(
        pg::server().psql(name, "SELECT version FROM studiodesk_schema"),
        studiodesk::studio::SCHEMA_VERSION.to_string()
    );
}

/// `facility user add NAME --role ROLE` on the owner's URL: the new login's URL.
fn add_user(owner: &str, name: &str, role: &str) -> String {
    let out = ok(
        owner,
        &["facility", "user", "add", name, "--role", role, "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["role"], role);
    v["url"].as_str().unwrap().to_string()
}

/// Roles are the server's: an engineer's login is refused a rate change by PostgreSQL itself
/// (through studiodesk in words naming the role and the action, and through psql, which no
/// client code stands in front of); a producer may hold but not cancel; a manager may cancel.
/// Every change is in the audit trail with the login that made it.
#[test]
fn roles_are_enforced_by_the_server() {
    let (name, owner) = facility();
    let engineer = add_user(&owner, "eng_kim", "engineer");
    let producer = add_user(&owner, "prod_ana", "producer");
    let manager = add_user(&owner, "boss", "manager");
    assert!(!engineer.contains(pg::server().url(&name).split('@').next().unwrap()));

    // The engineer: the session's record yes, rates no.
    let message = refused(&engineer, &["rates", "set", "mu", "standard_fee", "140"]);
    assert_eq!(
        message,
        "studiodesk: refused: an engineer may not change the agreements' rates (that needs a manager)"
    );
    ok(&engineer, &["log", "take", "1", "--song", "Harbour"]);
    ok(&engineer, &["log", "note", "1", "bass DI hums", "--marker"]);
    let message = refused(
        &engineer,
        &common::hold_args("Night Songs", "2027-04-02 10:00", "2027-04-02 12:00"),
    );
    assert_eq!(
        message,
        "studiodesk: refused: an engineer may not place a hold (that needs a producer)"
    );
    // Refused by a column grant, not the booking rules: named as what was asked all the same.
    let message = refused(&engineer, &["booking", "cancel", "1"]);
    assert_eq!(
        message,
        "studiodesk: refused: an engineer may not cancel a booking (that needs a manager)"
    );
    // Past studiodesk, straight to the server: the same refusal.
    let psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &engineer, "-c"])
        .arg("UPDATE rates SET value = 1 WHERE agreement = 'mu'")
        .output()
        .unwrap();
    assert!(!psql.status.success());
    assert!(
        String::from_utf8_lossy(&psql.stderr).contains("permission denied for table rates"),
        "{}",
        String::from_utf8_lossy(&psql.stderr)
    );
    let psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &engineer, "-c"])
        .arg("UPDATE bookings SET status = 'cancelled', rank = NULL WHERE id = 1")
        .output()
        .unwrap();
    assert!(!psql.status.success(), "an engineer cancelled by hand");

    // The producer: holds yes, cancelling no, rates no.
    ok(
        &producer,
        &common::hold_args("Night Songs", "2027-04-02 10:00", "2027-04-02 12:00"),
    );
    let message = refused(&engineer, &["booking", "confirm", "2"]);
    assert_eq!(
        message,
        "studiodesk: refused: an engineer may not firm a hold (that needs a producer)"
    );
    let message = refused(&producer, &["booking", "cancel", "1"]);
    assert_eq!(
        message,
        "studiodesk: refused: a producer may not cancel a booking (that needs a manager)"
    );
    refused(&producer, &["policy", "set", "hold_expiry_hours", "24"]);

    // The manager: cancelling and rates.
    ok(&manager, &["booking", "cancel", "1"]);
    ok(&manager, &["rates", "set", "mu", "standard_fee", "140"]);

    // Who did what to booking 1, in order; nobody may edit the trail.
    let trail = pg::server().psql(
        &name,
        "SELECT login || ' ' || op || ' ' || table_name FROM audit WHERE booking_id = 1 ORDER BY id",
    );
    let trail: Vec<&str> = trail.lines().collect();
    assert_eq!(
        trail.first(),
        Some(&"studiodesk INSERT bookings"),
        "{trail:?}"
    );
    assert!(trail.contains(&"eng_kim INSERT takes"), "{trail:?}");
    assert!(trail.contains(&"eng_kim INSERT log_entries"), "{trail:?}");
    assert!(trail.contains(&"boss UPDATE bookings"), "{trail:?}");
    // The same trail through studiodesk, as anyone may read it.
    let history = ok(&engineer, &["booking", "history", "1"]);
    let lines: Vec<&str> = history.lines().collect();
    assert!(
        lines[0].ends_with("studiodesk  confirmed placed"),
        "{history}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("eng_kim (engineer)  take 1 of Harbour logged")),
        "{history}"
    );
    assert!(
        lines.iter().any(|l| l.contains("boss (manager)  booking:")
            && l.contains("status confirmed → cancelled")),
        "{history}"
    );
    let psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &manager, "-c"])
        .arg("DELETE FROM audit")
        .output()
        .unwrap();
    assert!(!psql.status.success(), "the manager erased the audit trail");
}

/// Logins are made only on a facility database, only with plain names; a name taken is
/// refused in one line.
#[test]
fn logins_are_checked() {
    let (_, owner) = facility();
    add_user(&owner, "lee", "producer");
    let message = refused(
        &owner,
        &["facility", "user", "add", "lee", "--role", "engineer"],
    );
    assert!(message.contains("exists already"), "{message}");
    let message = refused(
        &owner,
        &[
            "facility",
            "user",
            "add",
            "x; DROP TABLE rooms",
            "--role",
            "engineer",
        ],
    );
    assert!(message.contains("is not a login name"), "{message}");
    // A role that is not one is a usage error, as clap reports them (exit 2).
    let out = run(
        &owner,
        &["facility", "user", "add", "kim", "--role", "admin"],
    );
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("manager, producer or engineer"),
        "{message}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("studio.db").display().to_string();
    ok(&file, &["facility", "set", "name", "Room One"]);
    let message = refused(
        &file,
        &["facility", "user", "add", "kim", "--role", "engineer"],
    );
    assert!(message.contains("postgres://"), "{message}");
}

/// `facility user list --json` on `db`: each login's name and role.
fn logins(db: &str) -> Vec<(String, String)> {
    let listed: serde_json::Value =
        serde_json::from_str(&ok(db, &["facility", "user", "list", "--json"])).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].to_string(), u["role"].to_string()))
        .collect()
}

/// A facility's logins over time: listed with their roles; a new password ends the old one; a
/// login removed can no longer connect, and what it did stays in the audit trail under its name.
/// Only studiodesk's logins can be changed here, never the owner or another application's role.
#[test]
fn logins_are_listed_given_new_passwords_and_removed() {
    let (_, owner) = facility();
    let jo = add_user(&owner, "gone_jo", "engineer");
    let sam = add_user(&owner, "pw_sam", "producer");
    let listed = logins(&owner);
    for login in [("gone_jo", "engineer"), ("pw_sam", "producer")] {
        let login = (format!("{:?}", login.0), format!("{:?}", login.1));
        assert!(listed.contains(&login), "{login:?} in {listed:?}");
    }

    // Sam changes her own password: the old URL stops working, the new one works.
    let changed: serde_json::Value = serde_json::from_str(&ok(
        &sam,
        &["facility", "user", "password", "pw_sam", "--json"],
    ))
    .unwrap();
    let new_sam = changed["url"].as_str().unwrap();
    assert_ne!(new_sam, sam);
    let message = refused(&sam, &["booking", "list"]);
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    ok(new_sam, &["booking", "list"]);
    // An engineer may not change a producer's.
    let message = refused(&jo, &["facility", "user", "password", "pw_sam"]);
    assert_eq!(
        message,
        "studiodesk: refused: an engineer may not change another login's password (that needs \
         the database's owner)"
    );
    let message = refused(new_sam, &["facility", "user", "remove", "gone_jo"]);
    assert!(
        message.contains("a producer may not remove logins"),
        "{message}"
    );

    // Jo logs a take, then leaves.
    ok(&jo, &["log", "take", "1", "--song", "Harbour"]);
    let said = ok(&owner, &["facility", "user", "remove", "gone_jo"]);
    assert!(said.contains("gone_jo (engineer) removed"), "{said}");
    let message = refused(&jo, &["booking", "list"]);
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(!logins(&owner).iter().any(|(name, _)| name == "\"gone_jo\""));
    let history = ok(&owner, &["booking", "history", "1"]);
    assert!(history.contains("gone_jo"), "{history}");

    // The owner and the server's own roles are not facility logins.
    for name in ["studiodesk", "postgres"] {
        let message = refused(&owner, &["facility", "user", "remove", name]);
        assert!(message.contains("no facility login"), "{message}");
        let message = refused(&owner, &["facility", "user", "password", name]);
        assert!(message.contains("no facility login"), "{message}");
    }
    let message = refused(&owner, &["facility", "user", "remove", "gone_jo"]);
    assert!(message.contains("no facility login"), "{message}");
}

/// A room's studio file moved into the facility: every record with its id (holds keep their
/// ranks, a challenge its challenger, takes their booking), read back through the same commands
/// on both stores and compared; a facility holding a studio is refused unless --replace; new
/// records after the import take new ids.
#[test]
fn a_rooms_file_is_imported_record_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("room.db").display().to_string();
    drop(studiodesk::studio::Store::open(file.as_str(), jiff::tz::TimeZone::UTC).unwrap());
    let setup: &[&[&str]] = &[
        &["facility", "set", "timezone", "Europe/London"],
        &[
            "room",
            "add",
            "Studio A",
            "--hourly",
            "85",
            "--half-day",
            "380",
            "--day",
            "700",
            "--currency",
            "GBP",
        ],
        &["person", "add", "Ana Reyes", "--kind", "artist"],
        &[
            "person",
            "add",
            "Lee Hart",
            "--kind",
            "musician",
            "--instruments",
            "guitar",
            "--union",
            "MU",
        ],
        &[
            "project",
            "add",
            "Night Songs",
            "--artist",
            "Ana Reyes",
            "--currency",
            "GBP",
        ],
        &["project", "add", "Other Band", "--currency", "GBP"],
        &[
            "booking",
            "book",
            "--room",
            "Studio A",
            "--project",
            "Night Songs",
            "--start",
            "2027-04-01 10:00",
            "--end",
            "2027-04-01 14:00",
        ],
        &common::hold_args("Night Songs", "2027-04-02 10:00", "2027-04-02 14:00"),
        &common::hold_args("Other Band", "2027-04-02 12:00", "2027-04-02 16:00"),
        &["booking", "challenge", "3"],
        &[
            "hire",
            "add",
            "--booking",
            "1",
            "--person",
            "Lee Hart",
            "--agreement",
            "mu",
            "--instruments",
            "guitar",
            "--worked",
            "3h",
        ],
        &[
            "log",
            "take",
            "1",
            "--song",
            "Harbour",
            "--rating",
            "4",
            "--circled",
        ],
        &["log", "note", "1", "bass DI hums", "--marker"],
        &[
            "log",
            "input",
            "1",
            "--channel",
            "1",
            "--source",
            "Kick",
            "--mic",
            "D112",
        ],
        &[
            "payment",
            "add",
            "--project",
            "Night Songs",
            "--amount",
            "100",
            "--booking",
            "1",
        ],
        &[
            "budget",
            "plan",
            "Night Songs",
            "--category",
            "studio",
            "--amount",
            "2000",
        ],
        &[
            "budget",
            "expense",
            "Night Songs",
            "--category",
            "rentals",
            "--amount",
            "120.50",
        ],
        &["rates", "set", "mu", "standard_fee", "140"],
        &["policy", "set", "hold_expiry_hours", "336"],
    ];
    for args in setup {
        ok(&file, args);
    }
    let views: &[&[&str]] = &[
        &["room", "list", "--json"],
        &["person", "list", "--json"],
        &["project", "list", "--json"],
        &["booking", "list", "--json"],
        &["hire", "list", "--json"],
        &["log", "list", "1", "--json"],
        &["payment", "list", "--json"],
        &["budget", "report", "Night Songs", "--json"],
        &["rates", "list", "--json"],
        &["policy", "list", "--json"],
        &["facility", "list", "--json"],
    ];
    let url = pg::server().fresh_database();
    let out = ok(&url, &["facility", "import", "--from", &file]);
    assert!(out.contains("each read back equal"), "{out}");
    for view in views {
        assert_eq!(ok(&file, view), ok(&url, view), "{view:?}");
    }
    let bookings: serde_json::Value =
        serde_json::from_str(&ok(&url, &["booking", "list", "--json"])).unwrap();
    let ranks: Vec<_> = bookings
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["id"].as_i64().unwrap(), b["rank"].clone()))
        .collect();
    assert_eq!(
        ranks,
        [
            (1, serde_json::Value::Null),
            (2, serde_json::json!(1)),
            (3, serde_json::json!(2))
        ]
    );
    // Again: refused, nothing changed; with --replace, the same again.
    let message = refused(&url, &["facility", "import", "--from", &file]);
    assert!(message.contains("holds a studio already"), "{message}");
    ok(&url, &["facility", "import", "--from", &file, "--replace"]);
    for view in views {
        assert_eq!(ok(&file, view), ok(&url, view), "{view:?}");
    }
    // The facility goes on from there: the next booking is #4.
    let out = ok(
        &url,
        &[
            "booking",
            "hold",
            "--room",
            "Studio A",
            "--project",
            "Other Band",
            "--start",
            "2027-05-02 12:00",
            "--end",
            "2027-05-02 16:00",
            "--json",
        ],
    );
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(b["id"], 4);
}

/// A tiny deterministic generator (xorshift), one per worker.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What a successful command claims, checked against the final state.
#[derive(Debug)]
enum Claim {
    Exists(i64),
    /// Confirmed, so confirmed or (later) cancelled at the end.
    Firm(i64),
    Released(i64),
    Cancelled(i64),
}

/// One worker desk: random holds, bookings, firms, releases, challenges and cancellations for
/// `run_for`, as separate processes. Returns the claims of its successes and its counts.
fn worker(url: &str, seed: u64, run_for: std::time::Duration) -> (Vec<Claim>, [usize; 3]) {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut claims = Vec::new();
    let mut counts = [0usize; 3]; // successes, refusals, (never) other failures
    let start = std::time::Instant::now();
    while start.elapsed() < run_for {
        let room = ["Studio A", "Studio B"][dice.roll(2) as usize];
        let project = ["Night Songs", "Other Band"][dice.roll(2) as usize];
        let day = 1 + dice.roll(4);
        let from = 9 + 2 * dice.roll(4);
        let hours = 2 + dice.roll(4);
        let start_at = format!("2027-06-{day:02} {from:02}:00");
        let end_at = format!("2027-06-{day:02} {:02}:00", from + hours);
        let id = (1 + dice.roll(40)).to_string();
        let (verb, args): (&str, Vec<&str>) = match dice.roll(8) {
            0..=2 => ("hold", vec![]),
            3 => ("book", vec![]),
            4 => ("confirm", vec![&id]),
            5 => ("release", vec![&id]),
            6 => ("challenge", vec![&id]),
            _ => ("cancel", vec![&id]),
        };
        let mut all = vec!["booking", verb];
        if args.is_empty() {
            all.extend([
                "--room",
                room,
                "--project",
                project,
                "--start",
                &start_at,
                "--end",
                &end_at,
            ]);
        } else {
            all.extend(args);
        }
        all.push("--json");
        let out = run(url, &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => {
                counts[0] += 1;
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let booking = |v: &serde_json::Value| v["id"].as_i64().unwrap();
                claims.push(match verb {
                    "hold" => Claim::Exists(booking(&v)),
                    "book" => Claim::Firm(booking(&v["booking"])),
                    "confirm" => Claim::Firm(booking(&v["booking"])),
                    "release" => Claim::Released(booking(&v)),
                    "cancel" => Claim::Cancelled(id.parse().unwrap()),
                    _ => Claim::Exists(id.parse().unwrap()),
                });
            }
            // A refusal is one line naming what is in the way; never the engine's own words.
            Some(1) if stderr.trim().lines().count() == 1 && !stderr.contains("database:") => {
                counts[1] += 1;
            }
            _ => panic!("{all:?} failed badly: {:?} {stderr}", out.status),
        }
    }
    (claims, counts)
}

/// Eight processes at once for a minute on one facility database: random holds, bookings,
/// firms, releases, challenges and cancellations. After: no two confirmed bookings of a room
/// overlap, every hold's rank is 1 + the active holds placed before it on overlapping time (so
/// ranks run 1, 2, 3… without gaps), and every success is stored as it said.
#[test]
fn eight_desks_for_a_minute_keep_the_invariants() {
    let (_, url) = facility();
    ok(
        &url,
        &[
            "room",
            "add",
            "Studio B",
            "--hourly",
            "60",
            "--half-day",
            "250",
            "--day",
            "450",
            "--currency",
            "GBP",
        ],
    );
    ok(&url, &["project", "add", "Other Band", "--currency", "GBP"]);
    let run_for = std::time::Duration::from_secs(60);
    let workers: Vec<_> = (0..8u64)
        .map(|seed| {
            let url = url.clone();
            std::thread::spawn(move || worker(&url, seed + 1, run_for))
        })
        .collect();
    let mut claims = Vec::new();
    let mut totals = [0usize; 3];
    for w in workers {
        let (c, counts) = w.join().unwrap();
        claims.extend(c);
        for (t, n) in totals.iter_mut().zip(counts) {
            *t += n;
        }
    }
    eprintln!(
        "{} commands in a minute: {} done, {} refused",
        totals[0] + totals[1],
        totals[0],
        totals[1]
    );
    assert!(totals[0] > 50 && totals[1] > 10, "{totals:?}");

    let list: serde_json::Value =
        serde_json::from_str(&ok(&url, &["booking", "list", "--json"])).unwrap();
    let list = list.as_array().unwrap();
    let field = |b: &serde_json::Value, f: &str| b[f].as_i64();
    let status = |id: i64| {
        list.iter()
            .find(|b| field(b, "id") == Some(id))
            .map(|b| b["status"].as_str().unwrap().to_string())
    };
    for claim in &claims {
        let ok = match claim {
            Claim::Exists(id) => status(*id).is_some(),
            Claim::Firm(id) => matches!(status(*id).as_deref(), Some("confirmed" | "cancelled")),
            Claim::Released(id) => status(*id).as_deref() == Some("released"),
            Claim::Cancelled(id) => status(*id).as_deref() == Some("cancelled"),
        };
        assert!(
            ok,
            "{claim:?} but the booking is {:?}",
            status(claim_id(claim))
        );
    }
    let overlaps = |a: &serde_json::Value, b: &serde_json::Value| {
        a["room_id"] == b["room_id"]
            && field(a, "start_utc") < field(b, "end_utc")
            && field(b, "start_utc") < field(a, "end_utc")
    };
    let of = |s: &'static str| list.iter().filter(move |b| b["status"] == s);
    for a in of("confirmed") {
        for b in of("confirmed") {
            assert!(
                a["id"] == b["id"] || !overlaps(a, b),
                "confirmed bookings overlap: {a} {b}"
            );
        }
    }
    for h in of("hold") {
        let ahead = of("hold")
            .filter(|o| field(o, "id") < field(h, "id") && overlaps(o, h))
            .count() as i64;
        assert_eq!(field(h, "rank"), Some(1 + ahead), "{h}");
    }
}

fn claim_id(claim: &Claim) -> i64 {
    match claim {
        Claim::Exists(id) | Claim::Firm(id) | Claim::Released(id) | Claim::Cancelled(id) => *id,
    }
}
