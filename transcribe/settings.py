"""Settings of the transcription stage: one dataclass, built from CLI flags (and later a file).

Fields marked ``result=True`` change what the transcript says; only those are hashed into the
cache key (``settings_key``) and written into the transcript, so changing e.g. the number of
threads never forces a re-run, while changing the model or the language always does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from journeytape.files import sha256_file, sha256_json

#: bump when a code change alters results for the same settings (invalidates cached outputs)
PIPELINE_REVISION = 1

DEFAULT_LANGUAGES = ("en", "nl", "de")
OUTPUT_FORMATS = ("json", "txt", "md", "srt", "vtt", "rttm")


#: 30 s windows the batched decoder decodes together. 2, not 8: after a batch's first file
#: torch and pyannote stay resident (~850 MB) and the decoder's transient comes on top; on a
#: short file followed by a 60-minute interview the process peaked at 2327 MB with 8, 2032 with
#: 4 and 1835 MB with 2, for +8 % CPU, with identical words and turns (docs/speed.md).
ASR_BATCH_SIZE = 2


def _r(default: Any = None, **kw: Any) -> Any:
    """A field that changes results (part of the cache key)."""
    if "default_factory" in kw:
        return field(metadata={"result": True}, **kw)
    return field(default=default, metadata={"result": True})


@dataclass
class TranscribeSettings:
    # -- speech recognition ----------------------------------------------------------------
    model: str = _r("base")
    #: fixed language code, or None to detect among ``languages``
    language: str | None = _r(None)
    languages: tuple[str, ...] = _r(default_factory=lambda: DEFAULT_LANGUAGES)
    compute_type: str = _r("int8")
    beam_size: int = _r(5)
    batch_size: int = _r(ASR_BATCH_SIZE)  # >1 uses faster-whisper's BatchedInferencePipeline
    vad: bool = _r(True)
    initial_prompt: str | None = _r(None)
    #: words Whisper should expect, per language ({"nl": "servicedesk, intranet, …"}): the
    #: interview guide's checklist (``--hotwords-guide``); part of the cache key
    hotwords: dict[str, str] | None = _r(None)
    # -- speaker separation ----------------------------------------------------------------
    diarize: bool = _r(True)
    num_speakers: int | None = _r(None)
    min_speakers: int | None = _r(None)
    max_speakers: int | None = _r(None)
    interviewer_voice: str | None = _r(None)  # path to a short sample of the interviewer
    # -- runtime only (do not change results) ----------------------------------------------
    threads: int = 0  # 0 = all cores
    formats: tuple[str, ...] = OUTPUT_FORMATS

    def result_settings(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("result")}
        out = {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}
        if not self.hotwords:
            # added later: without hotwords the key stays what it was (no needless re-runs)
            out.pop("hotwords", None)
        if self.interviewer_voice:
            # the sample's content, not just its path, decides the roles: a replaced sample
            # must trigger a re-run
            try:
                out["interviewer_voice_sha256"] = sha256_file(self.interviewer_voice)
            except OSError:
                out["interviewer_voice_sha256"] = None
        out["pipeline_revision"] = PIPELINE_REVISION
        return out

    def key(self, extra: dict[str, Any] | None = None) -> str:
        """Cache key of these settings (plus e.g. the resolved model's checksum)."""
        return sha256_json({**self.result_settings(), **(extra or {})})
