"""Lighthouse scores and page weight of the built site: a benchmark, not a test.

    python3 docs/_tools/lighthouse.py HTML_DIR LIGHTHOUSE_CLI OUT_JSON [PAGE ...]
    (or: nox -s lighthouse [-- all | PAGE ...], after nox -s docs)

Serves HTML_DIR on 127.0.0.1, runs Lighthouse (npm lighthouse@12.2.3, Debian's Chromium
via CHROME_PATH) on each page with its default mobile settings, and writes one JSON
summary: the four category scores and the bytes transferred per page, beside the targets
(performance >= 95; accessibility, best practices and SEO 100; a page <= 250 KB
transferred). Text files are served gzip-compressed, as Read the Docs serves them.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO, TypedDict

from chromium import CHROMIUM_FLAGS

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The simulated timings behind the performance score (ms; layout shift is unitless).
METRICS = {
    "first_contentful_paint_ms": "first-contentful-paint",
    "largest_contentful_paint_ms": "largest-contentful-paint",
    "speed_index_ms": "speed-index",
    "total_blocking_time_ms": "total-blocking-time",
    "cumulative_layout_shift": "cumulative-layout-shift",
}
TARGETS = {
    "performance": 95,
    "accessibility": 100,
    "best-practices": 100,
    "seo": 100,
    "bytes": 250_000,
}

# One page's summary: the category scores (0-100), bytes transferred, METRICS, and the
# binary audits that failed (id: title).
PageReport = TypedDict(
    "PageReport",
    {
        "performance": int,
        "accessibility": int,
        "best-practices": int,
        "seo": int,
        "bytes": int,
        "metrics": dict[str, float],
        "failing_audits": dict[str, str],
    },
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site as Read the Docs does: text compressed with gzip when asked for."""

    COMPRESS = (".html", ".css", ".js", ".json", ".svg", ".txt", ".map")
    # Keep-alive, as any real host has (Read the Docs serves HTTP/2): with the standard
    # library's default HTTP/1.0 every file costs a new connection, and Lighthouse's
    # simulated slow network charges a handshake for each, differently from run to run.
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = Path(self.translate_path(self.path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.is_file() and path.suffix in self.COMPRESS):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def audit(cli: Path, url: str) -> PageReport:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run(
            [
                "node",
                str(cli),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={out}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
        )
        report = json.loads(out.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = {
        audit_id: a["title"]
        for audit_id, a in report["audits"].items()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
    }
    metrics = {
        name: round(report["audits"][audit_id]["numericValue"], 3)
        for name, audit_id in METRICS.items()
    }
    return {
        "performance": scores["performance"],
        "accessibility": scores["accessibility"],
        "best-practices": scores["best-practices"],
        "seo": scores["seo"],
        "bytes": int(report["audits"]["total-byte-weight"]["numericValue"]),
        "metrics": metrics,
        "failing_audits": failing,
    }


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    html, cli, out, *pages = args
    pages = pages or ["index.html"]
    handler = functools.partial(_Quiet, directory=html)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    results: dict[str, PageReport] = {}
    try:
        for page in pages:
            results[page] = audit(Path(cli), f"{base}/{page}")
    finally:
        httpd.shutdown()
        httpd.server_close()
    summary = {"targets": TARGETS, "settings": "Lighthouse 12.2.3, mobile defaults", **results}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(summary, indent=2) + "\n")
    for page, r in results.items():
        print(
            f"{page:55s} perf {r['performance']:3d}  a11y {r['accessibility']:3d}  "
            f"best {r['best-practices']:3d}  seo {r['seo']:3d}  {r['bytes'] / 1e3:4.0f} KB  "
            f"FCP {r['metrics']['first_contentful_paint_ms'] / 1000:.1f} s  "
            f"LCP {r['metrics']['largest_contentful_paint_ms'] / 1000:.1f} s"
        )
        for audit_id, title in r["failing_audits"].items():
            print(f"    failing: {audit_id}: {title}")
    missed = [
        page
        for page, r in results.items()
        if r["bytes"] > TARGETS["bytes"] or any(r[name] < TARGETS[name] for name in CATEGORIES)  # type: ignore[literal-required]
    ]
    print(f"{len(results) - len(missed)} of {len(results)} pages meet every target")
    for page in missed:
        print(f"    below a target: {page}")
    print(f"summary written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
