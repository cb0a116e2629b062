-- Followed roster sources, for the daemon's race-day cadence.
SELECT provider, provider_event, timing_partner_id, starts_at, attempted_at
FROM roster_sources WHERE follow
