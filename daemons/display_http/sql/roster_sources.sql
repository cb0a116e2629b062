-- Where the display's roster comes from, for /status: one row per provider source
-- (`project88 roster sync`, kept fresh by provider_sync), soonest event first.
SELECT provider, provider_event, provider || ':' || provider_event AS source,
       timing_partner_id, label, starts_at, follow, runners, synced_at, attempted_at, error
FROM roster_sources
ORDER BY starts_at NULLS LAST, provider, provider_event;
