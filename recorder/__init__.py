"""Recording consented interviews from a microphone, crash-safe (see docs/record.md)."""
