"""What `sam build` produced is what Lambda on arm64 (Graviton) can run.

`sam build` without a container runs on this x86_64 machine; a compiled dependency built or
downloaded for the build machine would import fine here and fail in Lambda. These tests read
.aws-sam/build (run `sam build` first; `make build` does both) and check:

- every ELF file (C extensions, shared libraries) in every built function and layer is AArch64;
- the shared layer has the `zik` package at python/zik (Lambda mounts it at /opt/python), with
  its JSON schemas;
- every function of template.yaml was built, with its handler module.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
BUILD = ROOT / ".aws-sam" / "build"
LAYER_SOURCE = ROOT / "layers" / "shared"

ELF_MAGIC = b"\x7fELF"
ELF_LITTLE_ENDIAN = 1  # e_ident[EI_DATA]
EM_X86_64 = 62
EM_AARCH64 = 183
MACHINE_NAMES = {EM_X86_64: "x86_64", EM_AARCH64: "AArch64"}


class _TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


_TemplateLoader.add_multi_constructor("!", _any_tag)


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    template = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_TemplateLoader)
    return {
        logical_id: resource.get("Properties") or {}
        for logical_id, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == kind
    }


FUNCTIONS = _resources("AWS::Serverless::Function")
LAYERS = _resources("AWS::Serverless::LayerVersion")


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    if not BUILD.is_dir():
        pytest.skip(f"{BUILD.relative_to(ROOT)} is absent: run `sam build` (or `make build`) first")


def _artefact_dirs() -> list[Path]:
    return [BUILD / logical_id for logical_id in [*FUNCTIONS, *LAYERS]]


def _elf_machine(path: Path) -> int | None:
    """The e_machine of an ELF file, or None if the file is not ELF."""
    with path.open("rb") as f:
        header = f.read(20)
    if len(header) < 20 or header[:4] != ELF_MAGIC:
        return None
    assert header[5] == ELF_LITTLE_ENDIAN, f"{path}: big-endian ELF, Lambda arm64 is little-endian"
    (machine,) = struct.unpack_from("<H", header, 18)
    return machine


def test_every_function_and_layer_was_built() -> None:
    missing = [str(d.relative_to(ROOT)) for d in _artefact_dirs() if not d.is_dir()]
    assert not missing, f"not built (stale or partial .aws-sam/build?): {missing}"


def test_every_elf_file_is_aarch64() -> None:
    wrong = []
    for directory in _artefact_dirs():
        for path in sorted(directory.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            machine = _elf_machine(path)
            if machine is not None and machine != EM_AARCH64:
                name = MACHINE_NAMES.get(machine, f"e_machine {machine}")
                wrong.append(f"{path.relative_to(BUILD)}: {name}")
    assert not wrong, "built for the wrong machine (Lambda runs these on arm64):\n" + "\n".join(wrong)


def test_shared_layer_has_the_zik_package_and_its_schemas() -> None:
    package = BUILD / "SharedLayer" / "python" / "zik"
    assert (package / "http.py").is_file(), f"{package.relative_to(ROOT)}/http.py is missing"

    source_schemas = LAYER_SOURCE / "zik" / "schemas"
    expected = {p.relative_to(source_schemas) for p in source_schemas.rglob("*.json")}
    built_schemas = {p.relative_to(package / "schemas") for p in (package / "schemas").rglob("*.json")}
    assert expected, f"no schemas under {source_schemas.relative_to(ROOT)}"
    assert sorted(map(str, expected - built_schemas)) == [], "schemas missing from the built layer"


def test_shared_layer_carries_every_data_file_the_rules_read() -> None:
    """The prompts, the price table, the offline rules' words (quests/kinds/*.toml, the chat's phrasings, the insight
    lexicon, the search's word forms): whatever the package reads that is not Python."""
    source = LAYER_SOURCE / "zik"
    package = BUILD / "SharedLayer" / "python" / "zik"
    data = {p.relative_to(source) for p in source.rglob("*") if p.is_file() and p.suffix in (".json", ".toml", ".md") and "__pycache__" not in p.parts}
    assert {p.suffix for p in data} >= {".json", ".toml", ".md"}
    assert sorted(str(p) for p in data if not (package / p).is_file()) == [], "data files missing from the built layer"


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_has_its_handler_module(logical_id: str) -> None:
    handler = FUNCTIONS[logical_id].get("Handler", "")
    module = handler.rpartition(".")[0]
    assert module == "app", f"{logical_id}: handler {handler!r}, expected app.<function>"
    app = BUILD / logical_id / "app.py"
    assert app.is_file(), f"{app.relative_to(ROOT)} is missing"


# Lambda's limit on a function's code and all its layers, unzipped.
LAMBDA_UNZIPPED_LIMIT = 262_144_000
GLOBAL_LAYERS = [
    ref for ref in ((yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_TemplateLoader).get("Globals") or {}).get("Function") or {}).get("Layers") or []
]


def _size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file() and not path.is_symlink())


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_and_its_layers_fit_lambdas_unzipped_limit(logical_id: str) -> None:
    for layers in _layer_choices(logical_id):
        sizes = {name: _size(BUILD / name) for name in [logical_id, *GLOBAL_LAYERS, *layers]}
        total = sum(sizes.values())
        assert total <= LAMBDA_UNZIPPED_LIMIT, f"{logical_id}: {total / 1e6:.1f} MB unzipped ({sizes}); Lambda takes {LAMBDA_UNZIPPED_LIMIT / 1e6:.0f} MB"


def _layer_choices(logical_id: str) -> list[list[str]]:
    """The function's layers in every deployment its conditions allow (``!If [condition, A, B]``: A, or B)."""
    choices: list[list[str]] = [[]]
    for layer in FUNCTIONS[logical_id].get("Layers") or []:
        alternatives = [name for name in layer[1:] if name != "AWS::NoValue"] if isinstance(layer, list) else [layer]
        choices = [[*chosen, name] for chosen in choices for name in alternatives] if alternatives else choices
    return choices


def test_the_try_on_edit_can_carry_either_the_ai_vendors_or_the_offline_edit() -> None:
    assert sorted(map(sorted, _layer_choices("TryonEditFunction"))) == [["ImageLayer", "VendorLayer"], ["ImageLayer", "VisionLayer"]]


def test_the_image_layer_leaves_room_for_an_image_function() -> None:
    """The studio's image functions carry the shared layer and the image layer (Pillow): with their code, the
    AI vendors' SDKs or the offline edit's OpenCV, they must stay within Lambda's limit."""
    room = LAMBDA_UNZIPPED_LIMIT - sum(_size(BUILD / layer) for layer in (*GLOBAL_LAYERS, "ImageLayer"))
    assert room >= 20_000_000, f"only {room / 1e6:.1f} MB left beside SharedLayer and ImageLayer"
