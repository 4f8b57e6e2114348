"""Auto-tagging transcripts against an interview guide, review and export (see README)."""
