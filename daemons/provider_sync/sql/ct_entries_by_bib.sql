-- Bib -> (entry id, race id) of one ChronoTrack event: how a result finds its entry.
SELECT bib, entry_id, race_id FROM ct_participants
WHERE timing_partner_id = %(partner)s AND event_id = %(event)s AND entry_id IS NOT NULL
