"""config.example.toml: valid, complete, and the demo set-up the Makefile expects."""

from __future__ import annotations

import re
from pathlib import Path

from dolisync.config import load_config
from dolisync.config.loader import DOLIBARR_KEYS, LOGGING_KEYS, STORE_KEYS, SYNC_KEYS

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def test_example_loads_with_the_key_from_the_environment(tmp_path: Path) -> None:
    config = load_config(EXAMPLE, env={"DOLISYNC_API_KEY": "demo-key-0123456789"}, cwd=tmp_path)
    assert config.dolibarr.url == "http://127.0.0.1:8080/api/index.php"
    assert config.store.url == f"sqlite:///{EXAMPLE.parent / 'dolisync-demo.db'}"
    assert config.warnings == ()


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    for key in (*DOLIBARR_KEYS, *STORE_KEYS, *SYNC_KEYS, *LOGGING_KEYS):
        assert re.search(rf"^#? ?{key} = ", text, flags=re.MULTILINE), key
    assert '# [[rules]] — see README "Rules guide"' in text


def test_every_commented_value_in_the_example_is_valid_too(tmp_path: Path) -> None:
    """Uncommenting the documented defaults must give a loadable file (api_key aside)."""
    (tmp_path / "api-key").write_text("demo-key-0123456789")
    (tmp_path / "api-key").chmod(0o600)
    (tmp_path / "ca.pem").write_text("pem")
    text = re.sub(r"^# (\w+ = .*)$", r"\1", EXAMPLE.read_text(), flags=re.MULTILINE)
    text = re.sub(r'^api_key = ".*"$', "", text, flags=re.MULTILINE)
    text = text.replace('"/etc/dolisync/api-key"', '"api-key"')
    text = text.replace('"/etc/ssl/certs/my-company-ca.pem"', '"ca.pem"')
    path = tmp_path / "uncommented.toml"
    path.write_text(text)
    config = load_config(path, env={}, cwd=tmp_path)
    assert config.dolibarr.key_source.kind == "file"
    assert config.sync.overlap == 600.0
