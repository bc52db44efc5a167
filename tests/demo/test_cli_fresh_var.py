"""`shopops demo` on a new var dir, as the README and bench/README tell a user to run it
(`SHOPOPS_VAR_DIR=… shopops demo --scale large`): it brings the app database up first. It stopped
after generating the files with `no such table: ingest_importjob` (found building the large demo)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_on_a_new_var_dir_migrates_then_loads(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SHOPOPS_DATABASE", "SHOPOPS_WAREHOUSE", "DJANGO_SETTINGS"))}
    env["SHOPOPS_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run([sys.executable, "-m", "shopops.cli", "demo", "--days", "7"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "app database not up to date: migrating first" in done.stdout
    assert "demo store (small, 7 days" in done.stdout and " 0 rows" not in done.stdout
    assert (tmp_path / "var" / "shopops.sqlite3").is_file() and (tmp_path / "var" / "warehouse.duckdb").is_file()
