-- studiodesk studio schema, version 2: sound checks kept with the session.

-- Profiles the user changed (the shipped ones live in the program); JSON of the profile.
CREATE TABLE soundcheck_profiles (
    name TEXT PRIMARY KEY,
    json TEXT NOT NULL
);

CREATE TABLE soundchecks (
    id          INTEGER PRIMARY KEY,
    booking_id  INTEGER REFERENCES bookings(id),
    created_utc INTEGER NOT NULL,
    profile     TEXT NOT NULL,
    source      TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
    report      TEXT NOT NULL
);
