"""Record tests keep their export files in a folder of their own."""

import pytest


@pytest.fixture(autouse=True)
def exports_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(folder))
    return folder
