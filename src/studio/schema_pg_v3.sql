-- studiodesk studio schema on PostgreSQL, version 3 (the twin of schema_v3.sql): the rate card's overtime multiplier.

-- Overtime's hourly rate as a share of the hourly rate, in basis points (10000 = 1.0×, 15000 = 1.5×).
ALTER TABLE rooms ADD COLUMN overtime_bp BIGINT NOT NULL DEFAULT 10000
    CHECK (overtime_bp BETWEEN 10000 AND 30000);
