"""Sales ops reads: querysets and read models; nothing here writes."""
