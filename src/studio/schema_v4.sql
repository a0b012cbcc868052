-- studiodesk studio schema, version 4: block bookings, the facility's settings (the studio's time
-- zone), exchange rates, and what each agreement pays musicians when a session is cancelled.

-- A block: `days` consecutive days at the same local times. start_utc is the first day's start,
-- end_utc the last day's end; the room is kept between the days (the gear stays set up).
ALTER TABLE bookings ADD COLUMN days INTEGER NOT NULL DEFAULT 1 CHECK (days BETWEEN 1 AND 31);

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

INSERT INTO rates (agreement, name, value, unit, source) VALUES
    ('afm', 'cancel_notice', 10080, 'min', 'AFM: a session cancelled less than 7 days ahead is paid'),
    ('afm', 'cancel_pay', 10000, 'bp', 'AFM: a session cancelled late is paid in full (scale, pension, H&W)'),
    ('mu', 'cancel_notice', 10080, 'min', 'DEFAULT, check your agreement: MU session cancelled less than 7 days ahead is paid'),
    ('mu', 'cancel_pay', 10000, 'bp', 'DEFAULT, check your agreement: MU late cancellation paid at the full session fee');
