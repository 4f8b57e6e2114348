"""Decode recordings, transcribe with faster-whisper, separate speakers with pyannote.audio."""

from journeytape.transcribe.transcript import (
    Recording,
    Segment,
    Speaker,
    Transcript,
    TranscriptError,
    Word,
    load_transcript,
    save_transcript,
)

__all__ = [
    "Recording",
    "Segment",
    "Speaker",
    "Transcript",
    "TranscriptError",
    "Word",
    "load_transcript",
    "save_transcript",
]
