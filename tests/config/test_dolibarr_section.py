"""[dolibarr]: the URL, the source name, timeouts, TLS and page size."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolisync.config import normalise_dolibarr_url
from tests.config.conftest import Fail, Load


@pytest.mark.parametrize(
    "given",
    [
        "https://erp.example.com/dolibarr",
        "https://erp.example.com/dolibarr/",
        "https://erp.example.com/dolibarr/api",
        "https://erp.example.com/dolibarr/api/index.php",
        "https://erp.example.com/dolibarr/api/index.php/",
        "  HTTPS://ERP.Example.com/dolibarr//  ",
    ],
)
def test_every_usual_form_becomes_the_api_root(given: str) -> None:
    assert normalise_dolibarr_url(given) == "https://erp.example.com/dolibarr/api/index.php"


def test_root_install_and_port_are_kept() -> None:
    assert normalise_dolibarr_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/api/index.php"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ftp://erp.example.com", "must start with http:// or https://"),
        ("erp.example.com/dolibarr", "must start with http:// or https://"),
        ("https://bob:hunter2@erp.example.com", "must not contain a user name or password"),
        ("https://erp.example.com/?DOLAPIKEY=abc", "must not contain a query string"),
        ("https://erp.example.com/dolibarr#top", "must not contain a query string"),
        ("https:///dolibarr", "has no host name"),
        ("https://erp.example.com:99999/", "invalid port"),
        ("https://erp.example.com/api/index.php/tickets", "looks like the address of one API call"),
        ("https://erp example.com/", "must not contain spaces"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(given: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected) as caught:
        normalise_dolibarr_url(given)
    assert "hunter2" not in str(caught.value)


def test_bad_url_in_file_names_path_line_and_never_echoes_password(fail: Fail) -> None:
    problems = fail(
        """
        [dolibarr]
        name = "main"
        url = "https://bob:hunter2@erp.example.com"
        """
    )
    problem = problems["dolibarr.url"]
    assert problem.line == 3
    assert "hunter2" not in str(problem)


def test_missing_url_is_required(fail: Fail) -> None:
    problems = fail("[dolibarr]\ntimeout = 5\n")
    assert "is required" in problems["dolibarr.url"].message
    assert problems["dolibarr.url"].line == 1  # the [dolibarr] header


def test_url_of_wrong_type_says_what_it_got(fail: Fail) -> None:
    problems = fail("[dolibarr]\nurl = 8080\n")
    assert problems["dolibarr.url"].message == "must be a string, not an integer"


def test_defaults_when_only_url_and_key_are_given(load: Load) -> None:
    dolibarr = load('[dolibarr]\nurl = "http://127.0.0.1:8080"\n').dolibarr
    assert (dolibarr.name, dolibarr.timeout, dolibarr.page_size) == ("default", 30.0, 100)
    assert (dolibarr.verify_tls, dolibarr.ca_bundle, dolibarr.verify) == (True, None, True)


def test_every_dolibarr_key_is_read(load: Load, tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    dolibarr = load(
        """
        [dolibarr]
        url = "https://erp.example.com"
        name = "site-2"
        timeout = "1m30s"
        ca_bundle = "ca.pem"
        page_size = 1000
        """
    ).dolibarr
    assert dolibarr.name == "site-2"
    assert dolibarr.timeout == 90.0
    assert dolibarr.page_size == 1000
    assert dolibarr.ca_bundle == tmp_path / "ca.pem"
    assert dolibarr.verify == str(tmp_path / "ca.pem")


@pytest.mark.parametrize(
    ("line", "path", "expected"),
    [
        ('name = "Main Site"', "dolibarr.name", "use 1 to 32 of: lower-case letters"),
        (f'name = "{"x" * 33}"', "dolibarr.name", "use 1 to 32 of"),
        ('timeout = "soon"', "dolibarr.timeout", 'like "90s", "10m"'),
        ("timeout = 0", "dolibarr.timeout", "longer than 0 seconds"),
        ("timeout = -5", "dolibarr.timeout", "not negative"),
        ('verify_tls = "no"', "dolibarr.verify_tls", "must be true or false, not a string"),
        ('ca_bundle = "missing.pem"', "dolibarr.ca_bundle", "does not exist"),
        ("page_size = 0", "dolibarr.page_size", "must be from 1 to 1000, not 0"),
        ("page_size = 1001", "dolibarr.page_size", "must be from 1 to 1000, not 1001"),
        ("page_size = 10.5", "dolibarr.page_size", "whole number from 1 to 1000, not a float"),
        ("page_size = true", "dolibarr.page_size", "whole number from 1 to 1000, not a boolean"),
    ],
)
def test_bad_values_name_path_line_and_what_is_allowed(
    fail: Fail, line: str, path: str, expected: str
) -> None:
    problems = fail(f'[dolibarr]\nurl = "https://erp.example.com"\n{line}\n')
    assert list(problems) == [path]
    assert expected in problems[path].message
    assert problems[path].line == 3
    assert (problems[path].file or "").endswith("dolisync.toml")


def test_ca_bundle_contradicting_verify_tls_false_is_an_error(fail: Fail, tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("pem")
    problems = fail(
        '[dolibarr]\nurl = "https://erp.example.com"\nverify_tls = false\nca_bundle = "ca.pem"\n'
    )
    assert "contradicts verify_tls = false" in problems["dolibarr.ca_bundle"].message


def test_verify_tls_can_be_turned_off(load: Load) -> None:
    dolibarr = load('[dolibarr]\nurl = "https://erp.example.com"\nverify_tls = false\n').dolibarr
    assert dolibarr.verify is False
