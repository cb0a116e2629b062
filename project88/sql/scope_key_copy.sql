-- scope-key: the key, as COPY data (not statement text).
COPY scope_key_new (secret_hex) FROM STDIN
