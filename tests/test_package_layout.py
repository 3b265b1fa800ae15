"""nnlib's two halves: the NumPy core imports without PyTorch, and the PyTorch code lives in
nnlib.torch (with the one widget that attacks a PyTorch model)."""
import pkgutil
import subprocess
import sys
from pathlib import Path

import nnlib

NNLIB = Path(nnlib.__file__).resolve().parent
TORCH_WIDGETS = {"nnlib.widgets.adversarial"}


def numpy_modules() -> list[str]:
    """Every module of nnlib outside nnlib.torch (and the PyTorch widget)."""
    names = [info.name for info in pkgutil.walk_packages([str(NNLIB)], prefix="nnlib.")]
    return sorted(n for n in names if not n.startswith("nnlib.torch") and n not in TORCH_WIDGETS)


def test_every_numpy_module_imports_in_a_process_where_torch_cannot_be_imported():
    modules = numpy_modules()
    assert {"nnlib.layers", "nnlib.conv", "nnlib.widgets.kernels", "nnlib.metrics"} <= set(modules)
    script = "\n".join([
        "import importlib, sys",
        "class NoTorch:  # any 'import torch' now fails, as on a machine without it",
        "    def find_spec(self, name, path=None, target=None):",
        "        if name.split('.')[0] == 'torch':",
        "            raise ModuleNotFoundError(f'No module named {name!r} (blocked by the test)')",
        "sys.meta_path.insert(0, NoTorch())",
        f"for name in {modules!r}:",
        "    importlib.import_module(name)",
        "assert 'torch' not in sys.modules",
        "print('ok')",
    ])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", (
        f"expected every NumPy module of nnlib to import without torch, got:\n{result.stderr[-2000:]}")


def test_the_pytorch_modules_live_in_nnlib_torch_only():
    flat = sorted(p.name for p in NNLIB.glob("torch_*.py"))
    assert not flat, f"expected the PyTorch modules in nnlib/torch/, found {flat} at the top of nnlib/"
    imports_torch = [p.relative_to(NNLIB).as_posix() for p in NNLIB.rglob("*.py")
                     if "import torch" in p.read_text() and "torch" not in p.relative_to(NNLIB).parts[:-1]]
    assert imports_torch == ["widgets/adversarial.py"], (
        f"expected only nnlib/torch/ (and the adversarial widget) to import torch, got {imports_torch}")


def test_no_module_reaches_into_another_modules_private_names():
    offenders = [f"{p.relative_to(NNLIB)}: {line.strip()}" for p in NNLIB.rglob("*.py")
                 for line in p.read_text().splitlines()
                 if line.lstrip().startswith("from .") and "import" in line
                 and any(name.strip().startswith("_") for name in line.split("import", 1)[1].strip("() ").split(","))]
    assert not offenders, f"expected imports of public names only, got {offenders}"
