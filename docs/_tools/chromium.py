"""How Debian's Chromium runs headless on the course's machines.

One list for the Lighthouse harness (``lighthouse.py``) and the browser tests.
"""

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
