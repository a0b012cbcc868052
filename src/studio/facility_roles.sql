-- Who may do what in a facility database, enforced by the server whatever a client does. Run
-- after every migration (it is idempotent), so that tables a migration adds are granted too.
--
--   studiodesk_engineer: takes, the session log, markers and inputs, sound checks, ending a session
--   studiodesk_producer: projects, people, holds and bookings, hires, the budget, quotes and
--                        invoices
--   studiodesk_manager:  all of that, and rooms, rates, policies, the facility, cancellations
--                        and payments
--
-- A login with none of these roles (the database's owner, who made it) may do everything. Every
-- change is written to `audit` (who, when, what) by a trigger no role can bypass or edit.

-- The roles are the server's (shared by its databases); databases migrating at once may race to
-- make them, and the loser finds them made.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['studiodesk_engineer', 'studiodesk_producer', 'studiodesk_manager']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
    IF NOT pg_has_role('studiodesk_manager', 'studiodesk_producer', 'MEMBER') THEN
        BEGIN
            GRANT studiodesk_engineer, studiodesk_producer TO studiodesk_manager;
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END IF;
END
$$;

-- The login's studiodesk role, the highest it has; NULL for the owner (no role: everything).
CREATE OR REPLACE FUNCTION studiodesk_role() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT r FROM (VALUES (1, 'manager'), (2, 'producer'), (3, 'engineer')) AS v(k, r)
    WHERE pg_has_role(session_user, 'studiodesk_' || r, 'MEMBER')
      AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
    ORDER BY k LIMIT 1
$$;

-- Whether the login may act as `wanted` (a manager may act as anyone; the owner may do anything).
CREATE OR REPLACE FUNCTION studiodesk_may(wanted text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT studiodesk_role() IS NULL OR pg_has_role(session_user, 'studiodesk_' || wanted, 'MEMBER')
$$;

-- What a table's grants cannot tell apart: which status change a booking makes.
CREATE OR REPLACE FUNCTION studiodesk_booking_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_utc bigint := extract(epoch FROM now())::bigint;
BEGIN
    IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' AND NOT studiodesk_may('manager') THEN
        RAISE EXCEPTION 'cancel a booking' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.cancel_charge IS DISTINCT FROM OLD.cancel_charge AND NOT studiodesk_may('manager') THEN
        RAISE EXCEPTION 'set a cancellation charge' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'confirmed' AND OLD.status <> 'confirmed' AND NOT studiodesk_may('producer') THEN
        RAISE EXCEPTION 'firm a booking' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Anyone's transaction releases a hold whose time ran out; only a producer releases one early.
    IF NEW.status = 'released' AND OLD.status = 'hold' AND NOT studiodesk_may('producer')
       AND NOT (coalesce(OLD.expires_utc <= now_utc, false)
                OR coalesce(OLD.challenge_deadline_utc <= now_utc, false)) THEN
        RAISE EXCEPTION 'release a hold' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS booking_rules ON bookings;
CREATE TRIGGER booking_rules BEFORE UPDATE ON bookings
    FOR EACH ROW EXECUTE FUNCTION studiodesk_booking_rules();

-- The audit trail: every change, who made it and when. Written only by the trigger below
-- (SECURITY DEFINER: as the owner), read by everyone, changed by no one.
CREATE TABLE IF NOT EXISTS audit (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The transaction: one command's steps on a row read as one change.
    txid       BIGINT NOT NULL DEFAULT txid_current(),
    at_utc     BIGINT NOT NULL DEFAULT extract(epoch FROM clock_timestamp())::bigint,
    login      TEXT NOT NULL DEFAULT session_user,
    role       TEXT,
    table_name TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')),
    row_id     BIGINT,
    booking_id BIGINT,
    old        JSONB,
    new        JSONB
);
CREATE INDEX IF NOT EXISTS audit_by_booking ON audit (booking_id, id);

CREATE OR REPLACE FUNCTION studiodesk_audit() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    r jsonb := coalesce(new_row, old_row);
BEGIN
    INSERT INTO audit (login, role, table_name, op, row_id, booking_id, old, new)
    VALUES (session_user, studiodesk_role(), TG_TABLE_NAME, TG_OP, (r ->> 'id')::bigint,
            CASE WHEN TG_TABLE_NAME = 'bookings' THEN (r ->> 'id')::bigint
                 ELSE (r ->> 'booking_id')::bigint END,
            old_row, new_row);
    -- Open desks listen: one notice per table a transaction changed (the server folds repeats).
    PERFORM pg_notify('studiodesk', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rooms', 'people', 'projects', 'bookings', 'hires', 'rates', 'settings',
        'budget_lines', 'expenses', 'takes', 'log_entries', 'inputs', 'soundcheck_profiles',
        'soundchecks', 'facility', 'fx_rates', 'crew_rates', 'payments', 'documents']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS audit ON %I', t);
        EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %I
                        FOR EACH ROW EXECUTE FUNCTION studiodesk_audit()', t);
    END LOOP;
END
$$;

-- Everyone reads everything (the calendar is the facility's), and may run the release of
-- lapsed holds that opens every transaction (the trigger above keeps it to lapsed ones).
GRANT USAGE ON SCHEMA public TO studiodesk_engineer, studiodesk_producer, studiodesk_manager;
GRANT SELECT ON ALL TABLES IN SCHEMA public
    TO studiodesk_engineer, studiodesk_producer, studiodesk_manager;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public
    TO studiodesk_engineer, studiodesk_producer, studiodesk_manager;
GRANT UPDATE (status, rank, closed_utc, closed_reason, challenge_deadline_utc, challenged_by)
    ON bookings TO studiodesk_engineer;

-- Engineers: the session's own record, and its end.
GRANT INSERT, UPDATE, DELETE ON takes, log_entries, inputs, soundchecks, soundcheck_profiles
    TO studiodesk_engineer;
GRANT UPDATE (actual_end_utc) ON bookings TO studiodesk_engineer;

-- Producers: projects and the people on them, holds and bookings, hires, the budget, quotes and
-- invoices.
GRANT INSERT, UPDATE, DELETE ON projects, people, bookings, hires, budget_lines, expenses
    TO studiodesk_producer;
GRANT INSERT ON documents TO studiodesk_producer;

-- Managers (also producers and engineers): the rooms and their rate cards, the agreements'
-- rates, policies, the facility's settings, exchange and crew rates, payments.
GRANT INSERT, UPDATE, DELETE ON rooms, rates, settings, facility, fx_rates, crew_rates, payments,
    documents TO studiodesk_manager;

-- No one but the owner changes the schema's version or the audit trail.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON studiodesk_schema, audit
    FROM studiodesk_engineer, studiodesk_producer, studiodesk_manager;
