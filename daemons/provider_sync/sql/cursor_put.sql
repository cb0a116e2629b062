-- Saved only once every page of a listing is in: a killed run starts again from the
-- previous cursor, and its re-read rows are no-ops.
INSERT INTO sync_cursors (timing_partner_id, provider_id, listing, provider_scope, cursor,
                          full_listing_at)
VALUES (%(partner)s, %(provider)s, %(listing)s, %(scope)s, %(cursor)s,
        CASE WHEN %(full)s THEN now() END)
ON CONFLICT (timing_partner_id, provider_id, listing, provider_scope) DO UPDATE
SET cursor = EXCLUDED.cursor,
    full_listing_at = COALESCE(EXCLUDED.full_listing_at, sync_cursors.full_listing_at),
    updated_at = now()
