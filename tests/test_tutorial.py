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
        stream = ""  # a cell's printed text, however the kernel chunked it
        for o in cell.outputs:
            if o.get("name") == "stderr":
                continue
            if o.get("output_type") == "stream":
                stream += str(o.get("text", ""))
                continue
            text = o.get("data", {}).get("text/plain", "")
            if text and not str(text).startswith("<Figure"):
                out.append(str(text))
        if stream:
            out.append(stream)
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
    # the witness, checked in the notebook with SymPy: ∂φ v = 0, ∂h v = 0, ∂M[v] ≠ 0
    assert any("∂φ(θ0) v  = [0, 0, 0, 0]" in t for t in _texts(fresh))
    assert any("∂h(θ0) v  = [0, 0, 0]" in t for t in _texts(fresh))
    assert any("∂M(θ0)[v] ≠ 0: True" in t for t in _texts(fresh))
    # gradient descent: the drift of h halves with the step (O(η) over a fixed time)
    drift = next(t for t in _texts(fresh) if t.startswith("η = 0.1"))
    values = [float(line.split("drift of h ")[1].split()[0]) for line in drift.splitlines()]
    assert all(1.8 < a / b < 2.2 for a, b in zip(values, values[1:], strict=False))
    assert any("loss 1/2 | saddle (descent at order p + 1) | ∇L = 0 exactly: True" in t
               for t in _texts(fresh))
