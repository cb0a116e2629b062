SELECT coalesce(max(id), 0) FROM timing_reads;
