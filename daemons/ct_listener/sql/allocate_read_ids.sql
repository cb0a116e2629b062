-- Ids for a batch, taken up front so a direct COPY can carry them and the
-- NOTIFY can name them without a RETURNING.
SELECT nextval(pg_get_serial_sequence('timing_reads', 'id'))
FROM generate_series(1, %(n)s)
