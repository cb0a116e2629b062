-- A read-only transaction on the results database, and what its partner scope
-- token must be signed over: this connection's pid and this transaction's
-- start (sql/production/0006_*).
BEGIN TRANSACTION READ ONLY;
SELECT p88_scope_nonce();
