"""The README stays one screen, and no link in the documentation leads nowhere.

The README is the first screen a newcomer sees (what, set-up, a tour, links); the manual lives in
docs/. Pages get moved and renamed (issue #16), so every relative link in README.md and
docs/*.md must point at a file of the repository, and every ``#anchor`` into a Markdown page at
one of its headings (GitHub's rule for turning a heading into an anchor).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the README's budget (issue #16: "under 12 KB"); today's README is ~7.4 KB
README_MAX_BYTES = 12_000
#: [text](target) and ![alt](target), target up to the first space or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")


def _pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _prose(text: str) -> list[str]:
    """The lines outside fenced code blocks (a ``# comment`` in a bash block is no heading)."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            out.append(line)
    return out


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for line in _prose(page.read_text("utf-8")):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = _slug(m.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken_links(pages: list[Path], root: Path = REPO) -> list[str]:
    """``page: target`` for every relative link whose file (or heading) does not exist."""
    bad = []
    for page in pages:
        for line in _prose(page.read_text("utf-8")):
            for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):  # not in `code`
                if re.match(r"^[a-z]+:", target):  # https:, mailto: — not ours to check
                    continue
                path, _, anchor = target.partition("#")
                dest = (page.parent / path).resolve() if path else page
                if not dest.exists():
                    bad.append(f"{page.relative_to(root)}: {target} (no such file)")
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    bad.append(f"{page.relative_to(root)}: {target} (no such heading)")
    return bad


def test_readme_fits_a_screen():
    size = len((REPO / "README.md").read_bytes())
    assert size < README_MAX_BYTES, (
        f"README.md is {size} bytes (budget {README_MAX_BYTES}): move the detail into docs/"
    )


def test_every_relative_link_in_the_docs_resolves():
    assert broken_links(_pages()) == []


def test_the_link_check_sees_a_broken_link_and_a_missing_heading(tmp_path):
    """The check itself can fail: a page linking a missing file and a missing heading."""
    (tmp_path / "there.md").write_text("# Here it is\n\n```bash\n# not a heading\n```\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#here-it-is) [gone](missing.md) [no](there.md#not-a-heading) "
        "[web](https://example.org/x.md)\n"
    )
    assert broken_links([page], root=tmp_path) == [
        "page.md: missing.md (no such file)",
        "page.md: there.md#not-a-heading (no such heading)",
    ]


def test_slugs_follow_githubs_rule():
    assert _slug("The transcript JSON (`NAME.transcript.json`, schema 1.x)") == (
        "the-transcript-json-nametranscriptjson-schema-1x"
    )
    assert _slug("Why torch 2.14.1 (the default CUDA build from PyPI)") == (
        "why-torch-2141-the-default-cuda-build-from-pypi"
    )
