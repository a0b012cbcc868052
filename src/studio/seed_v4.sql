-- studiodesk studio schema, version 4: the shipped rows (the same on both stores).

INSERT INTO rates (agreement, name, value, unit, source) VALUES
    ('afm', 'cancel_notice', 10080, 'min', 'AFM: a session cancelled less than 7 days ahead is paid'),
    ('afm', 'cancel_pay', 10000, 'bp', 'AFM: a session cancelled late is paid in full (scale, pension, H&W)'),
    ('mu', 'cancel_notice', 10080, 'min', 'DEFAULT, check your agreement: MU session cancelled less than 7 days ahead is paid'),
    ('mu', 'cancel_pay', 10000, 'bp', 'DEFAULT, check your agreement: MU late cancellation paid at the full session fee');

INSERT INTO settings (name, value, source) VALUES
    ('deposit_firm_bp', 0, 'a hold becomes firm when a deposit of this share of its cost is paid (0: off)'),
    ('vat_bp', 2000, 'VAT (or sales tax) on invoices and quotes: 20 %');
