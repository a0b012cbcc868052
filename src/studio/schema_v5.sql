-- studiodesk studio schema, version 5: bookings found by their time across every room (the
-- calendar's week and a listing between two dates, in a facility of many rooms and years).
CREATE INDEX bookings_by_start ON bookings (start_utc);
