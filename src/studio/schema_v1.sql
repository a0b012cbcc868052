-- studiodesk studio schema, version 1. Money: integer minor units; percentages: basis points
-- (1 % = 100); instants: UTC seconds; durations: minutes.

CREATE TABLE rooms (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    hourly       INTEGER NOT NULL CHECK (hourly >= 0),
    half_day     INTEGER NOT NULL CHECK (half_day >= 0),
    day          INTEGER NOT NULL CHECK (day >= 0),
    setup_min    INTEGER NOT NULL DEFAULT 0 CHECK (setup_min >= 0),
    teardown_min INTEGER NOT NULL DEFAULT 0 CHECK (teardown_min >= 0)
);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    kind        TEXT NOT NULL CHECK (kind IN ('client', 'artist', 'engineer', 'producer', 'musician')),
    instruments TEXT NOT NULL DEFAULT '',
    union_name  TEXT NOT NULL DEFAULT 'none' CHECK (union_name IN ('AFM', 'MU', 'none')),
    contact     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE projects (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(title)) > 0),
    artist_id      INTEGER REFERENCES people(id),
    producer_id    INTEGER REFERENCES people(id),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    contingency_bp INTEGER NOT NULL DEFAULT 1000 CHECK (contingency_bp >= 0)
);

CREATE TABLE bookings (
    id                     INTEGER PRIMARY KEY,
    project_id             INTEGER NOT NULL REFERENCES projects(id),
    room_id                INTEGER NOT NULL REFERENCES rooms(id),
    engineer_id            INTEGER REFERENCES people(id),
    start_utc              INTEGER NOT NULL,
    end_utc                INTEGER NOT NULL CHECK (end_utc > start_utc),
    status                 TEXT NOT NULL CHECK (status IN ('hold', 'confirmed', 'released', 'cancelled')),
    rank                   INTEGER CHECK ((status = 'hold') = (rank IS NOT NULL)),
    created_utc            INTEGER NOT NULL,
    expires_utc            INTEGER,
    challenge_deadline_utc INTEGER,
    challenged_by          INTEGER REFERENCES bookings(id),
    closed_utc             INTEGER,
    closed_reason          TEXT,
    actual_end_utc         INTEGER,
    cancel_charge          INTEGER NOT NULL DEFAULT 0 CHECK (cancel_charge >= 0),
    note                   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bookings_by_room ON bookings (room_id, start_utc);

CREATE TABLE hires (
    id          INTEGER PRIMARY KEY,
    booking_id  INTEGER NOT NULL REFERENCES bookings(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    role        TEXT NOT NULL CHECK (role IN ('side', 'leader', 'contractor', 'background_vocalist')),
    instruments TEXT NOT NULL CHECK (length(trim(instruments)) > 0),
    agreement   TEXT NOT NULL CHECK (agreement IN ('mu', 'afm', 'free')),
    session     TEXT NOT NULL DEFAULT 'standard' CHECK (session IN ('standard', 'long', 'short')),
    worked_min  INTEGER NOT NULL CHECK (worked_min > 0),
    overdub     INTEGER NOT NULL DEFAULT 0 CHECK (overdub IN (0, 1)),
    porterage   TEXT NOT NULL DEFAULT '',
    cartage     INTEGER NOT NULL DEFAULT 0 CHECK (cartage >= 0),
    flat_fee    INTEGER CHECK (flat_fee >= 0),
    hourly      INTEGER CHECK (hourly >= 0)
);

-- Rate tables: the agreements' numbers, as data. Shipped defaults in seed_v1.sql; `studiodesk
-- rates set` edits them. Units: 'minor' (money), 'bp' (basis points), 'min' (minutes).
CREATE TABLE rates (
    agreement TEXT NOT NULL,
    name      TEXT NOT NULL,
    value     INTEGER NOT NULL CHECK (value >= 0),
    unit      TEXT NOT NULL CHECK (unit IN ('minor', 'bp', 'min')),
    source    TEXT NOT NULL,
    PRIMARY KEY (agreement, name)
);

-- Policies: cancellation charges and hold handling.
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE budget_lines (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    category   TEXT NOT NULL CHECK (category IN
        ('studio', 'engineer', 'musicians', 'rentals', 'mixing', 'mastering', 'other')),
    planned    INTEGER NOT NULL CHECK (planned >= 0),
    PRIMARY KEY (project_id, category)
);

CREATE TABLE expenses (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    category   TEXT NOT NULL CHECK (category IN
        ('studio', 'engineer', 'musicians', 'rentals', 'mixing', 'mastering', 'other')),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    note       TEXT NOT NULL DEFAULT '',
    at_utc     INTEGER NOT NULL
);

CREATE TABLE takes (
    id         INTEGER PRIMARY KEY,
    booking_id INTEGER NOT NULL REFERENCES bookings(id),
    song       TEXT NOT NULL CHECK (length(trim(song)) > 0),
    take_no    INTEGER NOT NULL CHECK (take_no >= 1),
    start_utc  INTEGER NOT NULL,
    duration_s REAL NOT NULL DEFAULT 0 CHECK (duration_s >= 0),
    files      TEXT NOT NULL DEFAULT '',
    rating     INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    circled    INTEGER NOT NULL DEFAULT 0 CHECK (circled IN (0, 1)),
    take_type  TEXT NOT NULL DEFAULT 'default' CHECK (take_type IN
        ('default', 'no_good', 'false_start', 'wild_track', 'pickup', 'rehearsal')),
    notes      TEXT NOT NULL DEFAULT '',
    UNIQUE (booking_id, song, take_no)
);

CREATE TABLE log_entries (
    id         INTEGER PRIMARY KEY,
    booking_id INTEGER NOT NULL REFERENCES bookings(id),
    at_utc     INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('note', 'marker')),
    text       TEXT NOT NULL
);

CREATE TABLE inputs (
    booking_id INTEGER NOT NULL REFERENCES bookings(id),
    channel    INTEGER NOT NULL CHECK (channel >= 1),
    source     TEXT NOT NULL,
    mic        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (booking_id, channel)
);
