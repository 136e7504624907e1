"""The flood component's GPU path (numba-cuda): its kernels against the CPU path, step by step —
in numba-cuda's simulator on every machine, and on a real GPU when there is one (skipped, with
the reason, otherwise)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from recoque.core.settings import PROJECT_ROOT
from recoque.twin import flood_cuda


def test_gpu_kernels_match_the_cpu_path_in_the_cuda_simulator():
    pytest.importorskip("numba_cuda", reason="numba-cuda is not installed (pip install .[test])")
    env = os.environ | {"NUMBA_ENABLE_CUDASIM": "1"}   # chosen when numba.cuda is first imported: own process
    done = subprocess.run([sys.executable, "-m", "tests.twin.cuda_check"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "steps 25, largest difference" in done.stdout


@pytest.mark.skipif(not flood_cuda.available(), reason="no CUDA GPU here: the GPU path is checked in the simulator only")
def test_gpu_kernels_match_the_cpu_path_on_a_gpu():
    from tests.twin import cuda_check

    # FMA contraction on the GPU rounds differently: the two paths agree to a micrometre over 400 steps
    assert cuda_check.main(shape=(300, 410), steps=400, tolerance=1e-6) == 0
