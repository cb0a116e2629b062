-- The source's state for /status and the cadence: after every attempt.
INSERT INTO roster_sources (provider, provider_event, timing_partner_id, label, starts_at,
                            follow, runners, synced_at, attempted_at, error)
VALUES (%(provider)s, %(event)s, %(partner)s, %(label)s, %(starts_at)s, true, %(runners)s,
        CASE WHEN %(ok)s THEN now() END, now(), %(error)s)
ON CONFLICT (provider, provider_event) DO UPDATE
SET timing_partner_id = EXCLUDED.timing_partner_id,
    label = COALESCE(EXCLUDED.label, roster_sources.label),
    starts_at = COALESCE(EXCLUDED.starts_at, roster_sources.starts_at),
    runners = CASE WHEN %(ok)s THEN EXCLUDED.runners ELSE roster_sources.runners END,
    synced_at = COALESCE(EXCLUDED.synced_at, roster_sources.synced_at),
    attempted_at = now(), error = EXCLUDED.error
