"""The registry of embedded models: what they are, which package ships them, how to get them."""

from journeytape.models.registry import (
    REGISTRY,
    ModelError,
    ModelSpec,
    ResolvedModel,
    model_file,
    model_path,
    resolve_asr_model,
)

__all__ = [
    "REGISTRY",
    "ModelError",
    "ModelSpec",
    "ResolvedModel",
    "model_file",
    "model_path",
    "resolve_asr_model",
]
