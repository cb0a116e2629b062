-- The entries of one ChronoTrack event held now, to find those the provider no longer lists.
SELECT entry_id::text FROM ct_participants
WHERE timing_partner_id = %(partner)s AND event_id = %(event)s AND entry_id IS NOT NULL
