-- demo-data: staging for provider credentials. The encryption key arrives by COPY (never in
-- statement text, so never in a server log) and both tables vanish at COMMIT at the latest.
CREATE TEMP TABLE demo_credentials (
    id                INTEGER NOT NULL,
    timing_partner_id INTEGER NOT NULL,
    provider_id       INTEGER NOT NULL,
    account_name      TEXT,
    api_key           TEXT NOT NULL,
    secret            TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE demo_secret (key TEXT NOT NULL) ON COMMIT DROP;
