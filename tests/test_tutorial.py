"""examples/tutorial.ipynb runs, and the outputs it shows are the ones it computes."""

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def _texts(nb) -> list[str]:
    """The text outputs of every code cell (images and stderr left out: they vary by machine)."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.outputs:
            if o.get("name") == "stderr":
                continue
            text = o.get("text") or o.get("data", {}).get("text/plain", "")
            if text and not str(text).startswith("<Figure"):
                out.append(str(text))
    return out


def test_the_tutorial_runs_and_shows_what_it_computes(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    path = tmp_path / "examples" / "tutorial.ipynb"
    committed = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    NotebookClient(fresh, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert _texts(fresh) == _texts(committed)
    assert any("14 laws; r(r+1)/2 = 15" in t for t in _texts(fresh))
    assert any("7 laws, 6 written down" in t for t in _texts(fresh))
    assert any("loss 1/2 | saddle (descent at order p + 1) | ∇L = 0 exactly: True" in t
               for t in _texts(fresh))
