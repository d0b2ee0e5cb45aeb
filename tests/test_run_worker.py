"""What a runner worker imports when it starts."""

import subprocess
import sys


def run_in_a_worker(code: str) -> str:
    script = "import multiprocessing, sys\nfrom analysis.runner.execute import init_worker\n"
    script += "init_worker(multiprocessing.Queue())\n" + code
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_worker_has_papermill_but_not_the_iri_grammars():
    out = run_in_a_worker("print('papermill' in sys.modules, sys.modules['rfc3987_syntax'])")
    assert out == "True None"


def test_notebooks_are_still_validated_in_a_worker():
    code = (
        "import nbformat\n"
        "nb = nbformat.v4.new_notebook()\n"
        "nbformat.validate(nb)\n"
        "nb.cells.append({'cell_type': 'code'})\n"
        "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('invalid')\n"
    )
    assert run_in_a_worker(code) == "invalid"
