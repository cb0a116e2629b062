-- demo-data: provider credentials, encrypted with the run's key (pgcrypto), then the staging
-- tables (plaintext and key) are dropped at once.
INSERT INTO partner_provider_credentials (id, timing_partner_id, provider_id, account_name,
    api_key_encrypted, secret_encrypted, created_at, updated_at)
SELECT c.id, c.timing_partner_id, c.provider_id, c.account_name,
       pgp_sym_encrypt(c.api_key, s.key), pgp_sym_encrypt(c.secret, s.key),
       c.created_at, c.updated_at
FROM demo_credentials AS c CROSS JOIN demo_secret AS s
ORDER BY c.id;
DROP TABLE demo_credentials, demo_secret;
