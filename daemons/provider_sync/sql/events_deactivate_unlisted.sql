-- After a partner's full events listing: upcoming catalogue events the provider no
-- longer lists (deleted or moved at the provider) stop being scheduled. An event
-- listed again is active again (upsert_events).
UPDATE events SET is_active = false
WHERE timing_partner_id = %(partner)s AND provider_id = %(provider)s AND is_active
  AND event_date >= current_date AND provider_event_id <> ALL (%(listed)s::text[])
RETURNING id
