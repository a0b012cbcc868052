-- studiodesk studio schema on PostgreSQL, version 5 (the twin of schema_v5.sql): bookings found
-- by their time across every room.
CREATE INDEX bookings_by_start ON bookings (start_utc);
