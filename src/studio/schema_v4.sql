-- studiodesk studio schema, version 4: block bookings, the facility's settings (the studio's time
-- zone), exchange rates, and what each agreement pays musicians when a session is cancelled.

-- A block: `days` consecutive days at the same local times. start_utc is the first day's start,
-- end_utc the last day's end; the room is kept between the days (the gear stays set up).
ALTER TABLE bookings ADD COLUMN days INTEGER NOT NULL DEFAULT 1 CHECK (days BETWEEN 1 AND 31);
-- A block's first day's end (its days repeat the first day's local times); NULL for one booking.
ALTER TABLE bookings ADD COLUMN first_end_utc INTEGER;

-- Facility settings as text: timezone (IANA name), studio name, address, VAT rate, …
CREATE TABLE facility (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Exchange rates the user set: 1 unit of from_currency is rate_micro / 1 000 000 of to_currency.
CREATE TABLE fx_rates (
    from_currency TEXT NOT NULL CHECK (length(from_currency) = 3),
    to_currency   TEXT NOT NULL CHECK (length(to_currency) = 3 AND to_currency != from_currency),
    rate_micro    INTEGER NOT NULL CHECK (rate_micro > 0),
    set_utc       INTEGER NOT NULL,
    PRIMARY KEY (from_currency, to_currency)
);

-- Engineers' and assistants' rates: a person's own (person_id) or the house rate (NULL).
CREATE TABLE crew_rates (
    role      TEXT NOT NULL CHECK (role IN ('engineer', 'assistant')),
    person_id INTEGER REFERENCES people(id),
    currency  TEXT NOT NULL CHECK (length(currency) = 3),
    hourly    INTEGER NOT NULL CHECK (hourly >= 0),
    half_day  INTEGER NOT NULL CHECK (half_day >= 0),
    day       INTEGER NOT NULL CHECK (day >= 0)
);
CREATE UNIQUE INDEX crew_rates_one ON crew_rates (role, ifnull(person_id, 0));
ALTER TABLE bookings ADD COLUMN assistant_id INTEGER REFERENCES people(id);

-- Who the project bills: its client (the artist when none is named).
ALTER TABLE projects ADD COLUMN client_id INTEGER REFERENCES people(id);

-- Money received from the client, in the project's currency: deposits and payments.
CREATE TABLE payments (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    booking_id INTEGER REFERENCES bookings(id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    note       TEXT NOT NULL DEFAULT '',
    at_utc     INTEGER NOT NULL
);
CREATE INDEX payments_by_project ON payments (project_id);

-- Quotes and invoices as issued: each series numbered consecutively, a number never reused;
-- total is the document's total with tax, in the project's currency.
CREATE TABLE documents (
    kind       TEXT NOT NULL CHECK (kind IN ('invoice', 'quote')),
    number     INTEGER NOT NULL CHECK (number >= 1),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    issued_utc INTEGER NOT NULL,
    total      INTEGER NOT NULL,
    json       TEXT NOT NULL,
    PRIMARY KEY (kind, number)
);

-- The invoice that billed a session or an expense: an invoice bills only what none has before.
ALTER TABLE bookings ADD COLUMN invoice_number INTEGER;
ALTER TABLE expenses ADD COLUMN invoice_number INTEGER;
