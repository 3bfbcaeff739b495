"""Every screen walked with hostile text from a scenario file: markup in the title, descriptions and the exercise's
injects (titles, questions, handouts) is shown as written, never run or parsed (issue 17)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from tests.ui.conftest import TINY, wait_for
from tui import create_app

HOSTILE = "[/] [@click=app.quit]boom[/] [b"


def _hostile_scenario(tmp_path: Path) -> str:
    data = yaml.safe_load(Path(TINY).read_text(encoding="utf-8"))
    data["title"] = HOSTILE
    data["description"] = HOSTILE
    data["zones"][0]["description"] = HOSTILE
    data["objective"]["description"] = HOSTILE
    data["exercise"] = {"objectives": [HOSTILE], "injects": [
        {"id": "hostile", "at": "day 1 00:30", "title": f"t {HOSTILE}", "questions": [f"q {HOSTILE}"],
         "handout": f"h {HOSTILE}"}]}
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def _screen_text(app) -> str:
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r">([^<>]*)</text>", svg))).replace("\xa0", " ")


async def test_every_screen_shows_hostile_text_as_written(tmp_path):
    app = create_app(_hostile_scenario(tmp_path), workers=1, runs=5)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "[@click=app.quit]boom[/]" in _screen_text(app)  # Setup's scenario line
        for key, screen in (("c", "compare"), ("f", "fundamentals"), ("p", "sensitivity")):
            await pilot.press(key)
            s = app.get_screen(screen)
            await wait_for(pilot, lambda s=s: not getattr(s, "running", False), timeout=120)
            assert app.is_running and app.screen is s
        await pilot.press("r")
        await pilot.pause()
        assert app.is_running
        await pilot.press("t")
        fac = app.get_screen("facilitator")
        for _ in range(6):
            await pilot.press("n")
            if any(i.kind == "hostile" for i in fac.fac.injects):
                break
        text = _screen_text(app)
        assert f"t {HOSTILE}" in text.replace("\n", "") or "[@click=app.quit]boom[/]" in text
        await pilot.press("v")
        await pilot.pause()
        assert "[@click=app.quit]boom[/]" in _screen_text(app)  # the player view's inject panel and handout
        await pilot.click("#fac-player")
        await pilot.press("question_mark", "escape")
        assert app.is_running
