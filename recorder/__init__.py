"""Recording consented interviews from a microphone, crash-safe (see README, "Recording")."""
