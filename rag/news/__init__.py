"""What makes news different: dates, conflicting figures, speakers, near-duplicates, coverage, timeline."""
