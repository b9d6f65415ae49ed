"""Every problem of a file is reported at once, each at its YAML line."""

from __future__ import annotations

import re

import pytest
from config_examples import BROKEN

from motcua.config import ConfigError, load_config
from motcua.config.loader import ConfigIssue


def _marked_lines() -> dict[int, str]:
    marks = {}
    for number, line in enumerate(BROKEN.read_text(encoding="utf-8").splitlines(), start=1):
        found = re.search(r"# ERROR: (.+)$", line)
        if found and not line.startswith("#"):
            marks[number] = found[1]
    return marks


def _load_errors(path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def test_broken_example_reports_every_marked_line_and_nothing_else() -> None:
    marks = _marked_lines()
    assert len(marks) >= 6
    issues = _load_errors(BROKEN)
    assert {issue.line for issue in issues} == set(marks)
    assert all(issue.file == str(BROKEN) for issue in issues)


@pytest.mark.parametrize(
    ("what", "key", "message"),
    [
        ("office id pattern", "office.id", "pattern"),
        ("unknown time zone", "office.timezone", "Asia/Hanoi"),
        ("unknown key", "office.phone", "unknown key"),
        ("wrong type", "queue.interleave_every", "valid integer"),
        ("overlapping windows", "services[0].hours.mon", "overlap"),
        ("window ends before it starts", "services[2].hours.mon[1]", "start before it ends"),
        ("bad time format", "services[2].hours.tue[0]", "HH:MM"),
        ("service code pattern", "services[4].code", "pattern"),
        ("duplicate prefix", "services[6].prefix", "duplicate prefix 'A'"),
        ("quota below 1", "services[7].daily_quota", "greater than or equal to 1"),
        ("unknown service", "counters[3].services[1]", "unknown service 'BHXH'"),
        ("weight below 1", "counters[4].services[1].weight", "greater than or equal to 1"),
        ("title missing", "officers[1].title", "missing"),
        ("duplicate officer id", "officers[5].id", "duplicate officer id 'cb-lan'"),
        ("unknown printer", "devices.kiosks[1].printer", "unknown printer 'printer-9'"),
        ("paper width", "devices.printers[1].paper_width_mm", "58 or 80"),
        ("unknown counter", "devices.led_boards[0].boards[2].counter", "unknown counter '6'"),
        ("duplicate device id", "devices.rating_pads[4].id", "duplicate device id 'hall-tv'"),
        ("a URL instead of a variable name", "devices.cameras[1].url_env", "pattern"),
        ("duplicate key", "announcer.voice", "duplicate key"),
        ("repeat out of range", "announcer.repeat", "less than or equal to 3"),
        ("not an mqtt URL", "broker.url", "mqtt://"),
    ],
)
def test_broken_example_issue(what: str, key: str, message: str) -> None:
    line = next(number for number, mark in _marked_lines().items() if mark == what)
    issues = [issue for issue in _load_errors(BROKEN) if issue.line == line]
    assert any(issue.key == key and message in issue.message for issue in issues), issues


def test_error_text_lists_every_issue_as_file_line_key_message() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(BROKEN)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.errors)
    assert f"{BROKEN}:11: office.phone: unknown key" in lines


def test_yaml_syntax_error_reports_its_line(write_config) -> None:
    path = write_config("office:\n  id: a\n  name: [unclosed\n  level: x\n")
    (issue,) = _load_errors(path)
    assert issue.file == str(path)
    assert issue.line in (3, 4)
    assert "YAML syntax error" in issue.message


def test_tab_indentation_is_a_syntax_error_with_its_line(write_config) -> None:
    path = write_config("office:\n  id: a\n\tname: b\n")
    (issue,) = _load_errors(path)
    assert issue.line == 3


@pytest.mark.parametrize(("text", "message"), [("", "empty"), ("# nothing\n", "empty"), ("- a\n- b\n", "mapping")])
def test_files_without_sections(write_config, text: str, message: str) -> None:
    (issue,) = _load_errors(write_config(text))
    assert message in issue.message


def test_missing_file(tmp_path) -> None:
    (issue,) = _load_errors(tmp_path / "nowhere.yaml")
    assert "cannot read" in issue.message


def test_no_path_and_no_env() -> None:
    (issue,) = _load_errors(None)
    assert "MOTCUA_CONFIG" in issue.message


def test_missing_sections_are_reported_on_line_one(write_config) -> None:
    text = "office:\n  id: x\n  name: X\n  agency_code: A\n  level: Cấp xã\n  address: Y\n"
    issues = _load_errors(write_config(text))
    assert {(issue.key, issue.line) for issue in issues} == {("services", 1), ("counters", 1)}


def test_unquoted_clock_times_stay_times(write_config, demo_data) -> None:
    """YAML 1.1 reads 12:30 as the base-60 number 750; the loader must not."""
    text = write_config(demo_data).read_text(encoding="utf-8").replace("time: 00:00", "time: 12:30")
    text = text.replace("time: '00:00'", "time: 12:30")
    cfg = load_config(write_config(text))
    assert cfg.reset.time.isoformat() == "12:30:00"


def test_error_in_an_anchored_mapping_points_at_the_anchor(write_config, demo_data) -> None:
    text = (
        "services:\n"
        "  - {code: A1, name: a, field: f, prefix: A, hours: &h {mon: ['09:00-08:00']}}\n"
        "  - {code: B1, name: b, field: f, prefix: B, hours: *h}\n"
    )
    issues = _load_errors(write_config(text))
    hours = [issue for issue in issues if "hours" in issue.key]
    assert {issue.key for issue in hours} == {"services[0].hours.mon[0]", "services[1].hours.mon[0]"}
    assert {issue.line for issue in hours} == {2}
