"""Re-extraction throughput: records/s of ``archiver reextract``, one process against all cores."""
