from pathlib import Path

import gen_api  # tools/gen_api.py

ROOT = Path(__file__).resolve().parents[2]


def test_api_reference_lists_every_module():
    assert (ROOT / "book/api.md").read_text() == gen_api.render(), (
        "book/api.md is out of date; run `.venv/bin/python tools/gen_api.py`")
