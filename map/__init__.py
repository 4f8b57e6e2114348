"""The study-level journey map and interview-quality checks, from reviewed tags."""
