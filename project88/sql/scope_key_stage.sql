-- scope-key: the NL service's partner scope key arrives by COPY, hex-encoded (never in
-- statement text, so never in a server log); the staging table vanishes at COMMIT.
CREATE TEMP TABLE scope_key_new (secret_hex TEXT NOT NULL) ON COMMIT DROP;
