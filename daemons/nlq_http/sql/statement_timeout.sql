-- Limits for this transaction only. No JIT: its compile step costs 50-110 ms
-- on the larger questions (bench/nlq.py), more than it saves on queries this
-- size.
SET LOCAL statement_timeout = %(milliseconds)s;
SET LOCAL jit = off;
