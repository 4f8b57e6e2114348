"""Auto-tagging transcripts against an interview guide (see docs/tagging.md)."""
