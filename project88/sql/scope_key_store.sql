-- scope-key: the key that signs the NL service's partner scope (sql/production/0006_*),
-- written only when it differs; a row back means it changed.
INSERT INTO p88_scope_key (only_row, secret)
SELECT true, decode(n.secret_hex, 'hex') FROM scope_key_new AS n
ON CONFLICT (only_row) DO UPDATE SET secret = EXCLUDED.secret, changed_at = now()
WHERE p88_scope_key.secret IS DISTINCT FROM EXCLUDED.secret
RETURNING changed_at;
