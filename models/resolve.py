"""Turning ``--model`` into a local CTranslate2 folder without touching the network.

An embedded model from the registry (``base``, ``tiny.en``), an existing local folder, or a
hub id already in the local Hugging Face cache; anything else fails at once with the fix
(journeytape never downloads at run time, and a hub call offline would hang).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .registry import ModelError, get_spec, known_names, model_path

#: faster-whisper's own size names that map to hub ids; we can only use them if cached locally
_FW_SIZES = {
    "tiny",
    "tiny.en",
    "base",
    "base.en",
    "small",
    "small.en",
    "medium",
    "medium.en",
    "large-v1",
    "large-v2",
    "large-v3",
    "large",
    "distil-large-v2",
    "distil-medium.en",
    "distil-small.en",
    "distil-large-v3",
    "distil-large-v3.5",
    "large-v3-turbo",
    "turbo",
}


@dataclass(frozen=True)
class ResolvedModel:
    path: Path
    #: how it was found: "registry", "path" or "hub-cache"
    source: str
    name: str


def resolve_asr_model(spec: str) -> ResolvedModel:
    """Turn ``--model`` into a local CTranslate2 folder, never touching the network.

    Order: a registered embedded model (``base``, ``tiny.en``), an existing local folder, a
    hub id already in the local Hugging Face cache. Anything else raises :class:`ModelError`.
    """
    if get_spec(spec) is not None and get_spec(spec).kind == "asr":  # type: ignore[union-attr]
        return ResolvedModel(model_path(spec), "registry", get_spec(spec).name)  # type: ignore[union-attr]
    p = Path(spec).expanduser()
    if p.exists():
        if not (p / "model.bin").is_file() or not (p / "config.json").is_file():
            raise ModelError(
                f"{p} is not a CTranslate2 Whisper model folder (needs model.bin and "
                "config.json). Convert a Whisper model with `ct2-transformers-converter` or "
                "pass one of: " + ", ".join(n for n in known_names() if _is_asr(n))
            )
        return ResolvedModel(p.resolve(), "path", p.name)
    if _looks_like_path(spec):
        raise ModelError(
            f"model folder {p} does not exist. Check the path, or pass one of: "
            + ", ".join(n for n in known_names() if _is_asr(n))
        )
    repo_id = f"Systran/faster-whisper-{spec}" if spec in _FW_SIZES else spec
    if "/" in repo_id:
        try:
            from huggingface_hub import snapshot_download
            from huggingface_hub.errors import LocalEntryNotFoundError

            local = snapshot_download(repo_id, local_files_only=True)
            return ResolvedModel(Path(local), "hub-cache", repo_id)
        except (LocalEntryNotFoundError, ValueError, OSError):
            pass
        except ImportError:  # pragma: no cover - huggingface_hub ships with faster-whisper
            pass
        raise ModelError(
            f"model {spec!r} is a model-hub id and is not on this machine; journeytape never "
            "downloads at run time. Fix: on a machine with internet run "
            f"`huggingface-cli download {repo_id} --local-dir DIR`, copy DIR here and pass "
            "`--model DIR`; or use an embedded model: "
            + ", ".join(n for n in known_names() if _is_asr(n))
        )
    raise ModelError(
        f"model {spec!r} is neither an embedded model, an existing folder, nor a hub id. "
        "Embedded: " + ", ".join(n for n in known_names() if _is_asr(n))
    )


def _looks_like_path(spec: str) -> bool:
    """A hub id is exactly ``owner/name``; anything else with a separator is a path."""
    return (
        spec.startswith(("/", "./", "../", "~", "\\"))
        or spec.count("/") > 1
        or "\\" in spec
        or spec in (".", "..")
    )


def _is_asr(name: str) -> bool:
    s = get_spec(name)
    return s is not None and s.kind == "asr"
