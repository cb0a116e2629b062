-- demo-data: the run's credential encryption key, as COPY data (not statement text).
COPY demo_secret (key) FROM STDIN
