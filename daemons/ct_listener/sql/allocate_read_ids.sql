-- Ids for a batch, taken up front so a direct COPY can carry them and the
-- NOTIFY can name them without a RETURNING. The savepoint lets a COPY that
-- meets an already stored key be undone without losing the transaction; it
-- shares this round trip because every round trip costs the writer thread a
-- wait for the interpreter lock.
SAVEPOINT direct_copy;
SELECT nextval(pg_get_serial_sequence('timing_reads', 'id'))
FROM generate_series(1, %(n)s)
