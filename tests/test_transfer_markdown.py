"""Markdown export: theories grouped by status, readable in a forum post, user text kept literal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import FakeClock, character_id, write
from test_transfer_json import build_rich_journal, export_bytes, transfer

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.transfer import escape_markdown
from etoile_app.services.journal import Journal


def small_journal(journal: Journal, clock: FakeClock) -> None:
    jack, mishi, gen = (character_id(journal, k) for k in ("jack", "mishi", "genevieve"))
    write(
        journal,
        "Jack and Cheyenne become a couple",
        category=Category.ROMANCE,
        character_ids=(jack,),
        tags=("romance/jack-cheyenne", "romance"),
        confidence=70,
        resolve_by=date(2026, 12, 31),
    )
    clock.advance(minutes=1)
    hostile = write(
        journal,
        "# Mishi *wins* | <img src=x> [link](http://x) `code` ~gone~ _under_ \\ &amp;",
        category=Category.VILLAIN_ARC,
        character_ids=(mishi, gen),
        tags=("villain_arc",),
        confidence=40,
    )
    journal.theories.resolve(
        hostile.id, TheoryStatus.CONFIRMED, "Called it\nin episode 3 <b>!</b>", on=date(2026, 2, 20)
    )
    clock.advance(minutes=1)
    busted = write(journal, "A time jump", confidence=80)
    journal.theories.resolve(busted.id, TheoryStatus.BUSTED, on=date(2026, 2, 1))
    clock.advance(minutes=1)
    binned = write(journal, "Binned and gone")
    journal.theories.delete(binned.id)
    clock.advance(minutes=1)
    write(journal, "Plain open call", confidence=5)


def test_exact_output_for_a_small_journal(journal: Journal, clock: FakeClock) -> None:
    small_journal(journal, clock)
    text = export_bytes(journal, clock, "md").decode("utf-8")
    today = clock.now.astimezone().date().isoformat()
    assert text == (
        "# My Étoile theories\n"
        "\n"
        f"4 theories from the Étoile Theory Journal, {today}.\n"
        "\n"
        "## Open (2)\n"
        "\n"
        "- **Jack and Cheyenne become a couple** — 70 %\n"
        "    - Category: Romance\n"
        "    - Characters: Jack\n"
        "    - Tags: romance, romance/jack-cheyenne\n"
        "    - Resolve by: 2026-12-31\n"
        "- **Plain open call** — 5 %\n"
        "    - Category: Other\n"
        "\n"
        "## Confirmed (1)\n"
        "\n"
        "- **\\# Mishi \\*wins\\* \\| \\<img src=x\\> \\[link\\](http://x) "
        "\\`code\\` \\~gone\\~ \\_under\\_ \\\\ "
        "&amp;amp;** — 40 %\n"
        "    - Category: Villain arc\n"
        "    - Characters: Geneviève Lavigne, Mishi\n"
        "    - Tags: villain\\_arc\n"
        "    - Resolved on 2026-02-20: Called it in episode 3 \\<b\\>!\\</b\\>\n"
        "\n"
        "## Busted (1)\n"
        "\n"
        "- **A time jump** — 80 %\n"
        "    - Category: Other\n"
        "    - Resolved on 2026-02-01\n"
    )


def test_groups_come_in_status_order_and_empty_ones_are_left_out(
    journal: Journal, clock: FakeClock, tmp_path: Path
) -> None:
    build_rich_journal(journal, clock)
    text = export_bytes(journal, clock, "md").decode("utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Open (5)", "## Confirmed (2)", "## Busted (1)", "## Void (2)"]
    assert "Geneviève leaves Paris" not in text
    path = tmp_path / "theories.md"
    assert transfer(journal, clock).export_file(path, "md").theories == 10
    assert path.read_text(encoding="utf-8") == text


def test_an_empty_journal_says_so(journal: Journal, clock: FakeClock) -> None:
    text = export_bytes(journal, clock, "md").decode("utf-8")
    assert text.splitlines()[2].startswith("0 theories from the Étoile Theory Journal")
    assert "##" not in text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# heading", "\\# heading"),
        ("*bold* _em_", "\\*bold\\* \\_em\\_"),
        ("a | b", "a \\| b"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("![img](x)", "!\\[img\\](x)"),
        ("`code`", "\\`code\\`"),
        ("back\\slash", "back\\\\slash"),
        ("&copy; &#169; & AT&T", "&amp;copy; &amp;\\#169; & AT&T"),
        ("two\nlines\r\n  and   spaces ", "two lines and spaces"),
        ("'; DROP TABLE theories; --", "'; DROP TABLE theories; --"),
        ("Geneviève’s “swap”", "Geneviève’s “swap”"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_rendered_output_shows_user_text_as_text(journal: Journal, clock: FakeClock) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    small_journal(journal, clock)
    text = export_bytes(journal, clock, "md").decode("utf-8")
    html = markdown_it.MarkdownIt("commonmark").render(text)
    assert "<img" not in html and "<b>" not in html and "<a " not in html and "<code>" not in html
    assert html.count("<h1>") == 1 and html.count("<h2>") == 3
    assert html.count("<strong>") == 4  # the four titles, nothing else
    assert "<em>" not in html and "<table>" not in html
    assert "&lt;img src=x&gt;" in html
    assert "# Mishi *wins* | " in html
    assert "<ul>\n<li>Category: Villain arc</li>" in html  # details nest under their theory
