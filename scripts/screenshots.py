"""Retake the screenshots in docs/img/ from a running demo server.

    make run                                    # in one shell (demo on first run)
    .venv/bin/python scripts/screenshots.py     # in another (playwright: installed by make test)

Options: ``--url`` (default http://127.0.0.1:8000), ``--user``/``--password`` (default the demo's
director), ``--out`` (default docs/img), ``--only NAME…`` (e.g. ``traffic cockpit-phone``).
Pages are taken at 1366 px in zh-Hans and English and the phone ones at 390 × 844, in
Debian's Chromium, with the store time zone; a page that answers an error status stops the run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SHOPOPS_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# name → (path, chart or element to wait for, sizes, languages)
SHOTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "cockpit": ("/", "#trend-chart canvas", "desktop", ("zh", "en")),
    "traffic": ("/traffic/", "main", "desktop", ("zh", "en")),
    "products": ("/products/", "main table", "desktop", ("zh", "en")),
    "stores": ("/stores/", "main table", "desktop", ("zh", "en")),
    "cockpit-phone": ("/", "#trend-chart canvas", "phone", ("zh",)),
    "finding-phone": ("@finding", "main", "phone", ("zh", "en")),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="director")
    parser.add_argument("--password", default="shopops-demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--only", nargs="*", choices=sorted(SHOTS), default=None)
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("screenshots: playwright is not installed here (make test installs it into .venv)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = args.only or list(SHOTS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for language in ("zh", "en"):
                context = browser.new_context(viewport=DESKTOP, locale="zh-CN" if language == "zh" else "en-US",
                                              timezone_id="Asia/Shanghai")
                context.add_cookies([{"name": "django_language", "value": "zh-hans" if language == "zh" else "en",
                                      "url": args.url}])
                page = context.new_page()
                page.goto(f"{args.url}/login/")
                page.fill("input[name=username]", args.user)
                page.fill("input[name=password]", args.password)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                if "/login/" in page.url:
                    print(f"screenshots: cannot log in as {args.user} at {args.url}", file=sys.stderr)
                    return 1
                for name in wanted:
                    path, ready, size, languages = SHOTS[name]
                    if language not in languages:
                        continue
                    page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
                    if path == "@finding":
                        page.goto(f"{args.url}/insights/")
                        link = page.locator("tr[data-finding] th a").first
                        if not link.count():
                            print("screenshots: the inbox has no finding; skipped finding-phone", file=sys.stderr)
                            continue
                        path = link.get_attribute("href")
                    response = page.goto(f"{args.url}{path}")
                    if response is None or response.status >= 400:
                        print(f"screenshots: {path} answered {response.status if response else 'nothing'}", file=sys.stderr)
                        return 1
                    page.wait_for_selector(ready, state="attached")
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(600)  # chart animations
                    target = args.out / f"{name}-{language}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"screenshots: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
                context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
