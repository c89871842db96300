"""The documentation stays inside the repository and its links resolve."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+\.(?:md|yaml|json|png|pdf|ipynb))(?:#[^)]*)?\)")


def test_every_relative_link_resolves():
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_nothing_a_user_reads_points_outside_the_repository():
    texts = {p: p.read_text() for p in PAGES}
    texts.update({p: p.read_text() for p in (ROOT / "symflow").rglob("*.py")})
    for path, text in texts.items():
        for bad in ("../shared", "MATH.md", "/work/"):
            assert bad not in text, f"{path.relative_to(ROOT)} mentions {bad}"


def test_every_docs_page_is_reachable_from_the_index_or_the_readme():
    linked = set(LINK.findall((ROOT / "docs" / "index.md").read_text()))
    linked |= {Path(t).name for t in LINK.findall((ROOT / "README.md").read_text())}
    for page in (ROOT / "docs").glob("*.md"):
        assert page.name == "index.md" or page.name in linked, page.name


def test_every_cited_key_is_in_the_bibliography():
    refs = (ROOT / "docs" / "references.md").read_text()
    keys = set(re.findall(r"\*\*\[([A-Z]+\d*)\]\*\*", refs))
    for page in PAGES:
        for key in re.findall(r"\[((?:MGP|MPG|GBRG|KH)\d*)\]", page.read_text()):
            assert key in keys, f"{page.name} cites [{key}], not in docs/references.md"
