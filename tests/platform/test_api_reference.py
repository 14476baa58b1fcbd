from pathlib import Path

import gen_api  # tools/gen_api.py
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_api_reference_lists_every_module():
    for path, text in gen_api.render().items():
        assert (ROOT / path).exists() and (ROOT / path).read_text() == text, (
            f"{path} is out of date; run `.venv/bin/python tools/gen_api.py`")


def test_api_section_pages_are_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [c for part in toc["parts"] for c in part["chapters"]]
    api = next(c for c in entries if c["file"] == "book/api")
    assert [s["file"] for s in api.get("sections", [])] == gen_api.toc_sections()
