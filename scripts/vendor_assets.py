"""Copy the front-end libraries installed by npm into the web app's static files.

    npm ci --no-audit --no-fund      # or: npm install --no-audit --no-fund
    python scripts/vendor_assets.py

The files land in ``src/shopops/web/static/vendor/`` (git-ignored): third-party code is
installed from the npm registry at setup, never committed and never loaded from a CDN.
Versions are pinned in ``package.json`` / ``package-lock.json``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = ROOT / "src" / "shopops" / "web" / "static" / "vendor"

# (file inside node_modules, name under static/vendor/)
ASSETS: tuple[tuple[str, str], ...] = (
    ("echarts/dist/echarts.min.js", "echarts.min.js"),
    ("echarts/LICENSE", "echarts.LICENSE.txt"),
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("htmx.org/LICENSE", "htmx.LICENSE.txt"),
)


def vendor(node_modules: Path = NODE_MODULES, target: Path = VENDOR_DIR) -> list[Path]:
    """Copy every asset; raise SystemExit with an actionable message when one is missing."""
    if not node_modules.is_dir():
        raise SystemExit(
            f"vendor_assets: {node_modules} does not exist.\n"
            "Install the front-end libraries first, from the repository root:\n"
            "    npm ci --no-audit --no-fund\n"
            "then run this script again."
        )
    missing = [src for src, _ in ASSETS if not (node_modules / src).is_file()]
    if missing:
        raise SystemExit(
            "vendor_assets: these files are missing from node_modules: "
            + ", ".join(missing)
            + "\nnode_modules looks incomplete or out of date; run `npm ci --no-audit --no-fund` "
            "from the repository root, then run this script again."
        )
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for src, name in ASSETS:
        dest = target / name
        shutil.copyfile(node_modules / src, dest)
        copied.append(dest)
    return copied


def main() -> int:
    for path in vendor():
        print(f"vendored {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
