"""How problems are reported: all at once, each with file, dotted path, line and a way out."""

from __future__ import annotations

import pytest

from dolisync.config.reader import Collector
from dolisync.errors import ConfigError, Problem
from dolisync.tomlpaths import LineIndex
from tests.config.conftest import MINIMAL, Fail, Load


def test_many_problems_are_reported_in_one_error(load: Load) -> None:
    text = """
        [dolibarr]
        url = "ftp://erp.example.com"
        tiemout = 30
        page_size = 0

        [store]
        url = "mysql://db/x"

        [sync]
        interval = "often"
        entities = ["tickets", "tickets"]

        [logging]
        level = "loud"

        [extras]
        colour = "blue"
        """
    with pytest.raises(ConfigError) as caught:
        load(text)
    error = caught.value
    located = {(problem.path, problem.line) for problem in error.problems}
    assert located == {
        ("dolibarr.url", 2),
        ("dolibarr.tiemout", 3),
        ("dolibarr.page_size", 4),
        ("store.url", 7),
        ("sync.interval", 10),
        ("sync.entities[1]", 11),
        ("logging.level", 14),
        ("extras", 16),
    }
    lines = [problem.line or 0 for problem in error.problems]
    assert lines == sorted(lines)
    assert "invalid configuration (8 problems)" in str(error)
    assert "config.example.toml" in (error.hint or "")


def test_unknown_key_suggests_the_closest_one(fail: Fail) -> None:
    problem = fail(MINIMAL + "tiemout = 30\n")["dolibarr.tiemout"]
    assert problem.message == "unknown key (did you mean 'timeout'?)"
    assert str(problem).endswith(
        "dolisync.toml:3: dolibarr.tiemout: unknown key (did you mean 'timeout'?)"
    )


def test_unknown_key_without_close_match_lists_allowed_keys(fail: Fail) -> None:
    problem = fail(MINIMAL + "[logging]\nzzz = 1\n")["logging.zzz"]
    assert problem.message == "unknown key; allowed keys: level, format"
    assert problem.line == 4


def test_unknown_section_suggests_the_closest_one(fail: Fail) -> None:
    problems = fail(MINIMAL + "[synk]\ninterval = 5\n")
    assert problems["synk"].message == "unknown key (did you mean 'sync'?)"
    assert problems["synk"].line == 3


def test_section_that_is_not_a_table(fail: Fail) -> None:
    problems = fail('logging = "debug"\n' + MINIMAL)
    assert problems["logging"].message == "must be a table, not a string"
    assert problems["logging"].line == 1


def test_problem_in_a_dotted_key_gets_its_line(fail: Fail) -> None:
    problems = fail('dolibarr.url = "https://erp.example.com"\ndolibarr.page_size = -1\n')
    assert problems["dolibarr.page_size"].line == 2


def test_problem_in_an_inline_table_points_at_the_table_line(fail: Fail) -> None:
    problems = fail('dolibarr = { url = "https://e.example", timeout = "never" }\n')
    assert problems["dolibarr.timeout"].line == 1


def test_multiline_strings_do_not_confuse_line_numbers(fail: Fail) -> None:
    text = 'description = """\n[sync]\npage_size = 3\n"""\n' + MINIMAL.strip() + "\npage_size = 0\n"
    problems = fail(text)
    assert problems["description"].line == 1
    assert problems["dolibarr.page_size"].line == 7


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[dolibarr]\nurl = "https://e.example"\ntimeout = \n', 3, "Invalid value"),
        ('[dolibarr]\nurl = "unterminated\n', 2, "Illegal character"),
        ("[dolibarr]\n[dolibarr]\n", 2, "Cannot declare"),
        ('[dolibarr]\nurl = "https://e.example"\nx = [1,\n', 3, "at the end of the file"),
    ],
)
def test_toml_syntax_error_becomes_one_problem_with_a_line(
    load: Load, text: str, line: int, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text)
    (problem,) = caught.value.problems
    assert problem.line == line
    assert problem.message.startswith("invalid TOML: ")
    assert words in problem.message
    assert "(column " in problem.message or "end of the file" in problem.message
    assert problem.file is not None


def test_rules_are_validated_with_the_rest_of_the_config(fail: Fail) -> None:
    document = (
        MINIMAL + '[[rules]]\nname = "first"\n[[rules]]\nname = "second"\nanything = [1, 2]\n'
        "[sync]\ninterval = -1\n"
    )
    problems = fail(document)
    # the rules parser's problems arrive with the others, with their dotted path and line
    written = document.strip().splitlines()
    assert problems["rules[1].anything"].line == written.index("anything = [1, 2]") + 1
    assert "sync.interval" in problems


def test_valid_rules_are_parsed_and_kept_as_written(load: Load) -> None:
    config = load(
        MINIMAL + '[[rules]]\nname = "note"\non = ["ticket.created"]\n'
        '[[rules.then]]\naction = "post_message"\n'
        'text = "seen {ticket.ref}"\n'
    )
    assert [rule.name for rule in config.rules] == ["note"]
    assert config.rules_raw[0]["name"] == "note"


def test_rules_must_be_a_list_of_tables(fail: Fail) -> None:
    problems = fail("rules = [1, { name = 'x' }]\n" + MINIMAL)
    assert problems["rules[0]"].message == "must be a table, not an integer"
    assert fail('rules = "none"\n' + MINIMAL)["rules"].line == 1


def test_line_index_follows_arrays_of_tables_and_their_subtables() -> None:
    index = LineIndex(
        "[[rules]]\n"  # 1
        'name = "a"\n'  # 2
        "[[rules]]\n"  # 3
        'name = "b"\n'  # 4
        "[rules.when]\n"  # 5
        'status = "open"\n'  # 6
        "[[rules.actions]]\n"  # 7
        'set = "x"\n'  # 8
        "[[rules.actions]]\n"  # 9
        "'quoted key' = 1\n"  # 10
    )
    assert index.line_of("rules[0].name") == 2
    assert index.line_of("rules[1].name") == 4
    assert index.line_of("rules[1].when.status") == 6
    assert index.line_of("rules[1].when.status[3]") == 6
    assert index.line_of("rules[1].actions[0].set") == 8
    assert index.line_of('rules[1].actions[1]."quoted key"') == 10
    assert index.line_of("rules[1].actions[1].missing") == 9
    assert index.line_of("nowhere") is None


def test_collector_fills_in_file_and_line_of_problems_found_elsewhere() -> None:
    collector = Collector(file="cfg.toml", lines=LineIndex('[[rules]]\nname = "a"\nwhen = {}\n'))
    collector.add([Problem(path="rules[0].when.status", message="unknown status")])
    assert collector.problems == [
        Problem(path="rules[0].when.status", message="unknown status", file="cfg.toml", line=3)
    ]
