"""On demand: import a journeytape ``.qdpx`` with QualCoder's own REFI-QDA importer, headless.

Not part of the test suite (QualCoder is GPL, not on PyPI, and needs PyQt6); no QualCoder
code is kept in this repository. Run it with a throwaway environment:

    git clone https://github.com/ccbogel/QualCoder /tmp/QualCoder   # or any checkout
    python3 -m venv /tmp/qcvenv && /tmp/qcvenv/bin/pip install PyQt6 pymupdf pillow
    journeytape export STUDY/ -f qdpx -o /tmp/study.qdpx
    QT_QPA_PLATFORM=offscreen /tmp/qcvenv/bin/python bench/qualcoder_import.py \\
        /tmp/QualCoder /tmp/study.qdpx

It creates an empty QualCoder project (the tables QualCoder's "new project" creates, read
from its ``__main__.py``), runs ``RefiImport.import_project`` on the file with the
confirmation dialogs answered, and prints the sources, codes and codings QualCoder stored.
Exit status 1 when the import raised.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import textwrap
from pathlib import Path


def project_schema(main_py: str) -> str:
    """The CREATE TABLE statements of QualCoder's ``new_project`` as Python source."""
    start = main_py.index('        cur.execute(\n            "CREATE TABLE project')
    end = main_py.index("self.app.update_coder_names()", start)
    return textwrap.dedent(main_py[start:end])


def run(checkout: Path, qdpx: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(checkout / "src"))
    builtins._ = lambda s: s  # QualCoder installs gettext's _ at start-up
    from PyQt6 import QtWidgets

    _qapp = QtWidgets.QApplication([])
    from qualcoder import refi

    class Answered:
        def __init__(self, *a, **k) -> None: ...

        def exec(self) -> int:
            return 0

    refi.Message = Answered
    proj = Path(tempfile.mkdtemp()) / f"{qdpx.stem}.qda"
    for sub in ("images", "audio", "video", "documents"):
        (proj / sub).mkdir(parents=True)
    conn = sqlite3.connect(proj / "data.qda")
    cur = conn.cursor()
    exec(project_schema((checkout / "src/qualcoder/__main__.py").read_text()), {"cur": cur})
    conn.commit()

    class Log:
        def append(self, msg: str) -> None:
            print("  |", re.sub(r"<[^>]+>", "", str(msg)))

    class App:
        project_path = str(proj)
        settings = {"directory": str(proj.parent), "codername": "x", "ai_enable": "False"}
        ai_models = None
        project_events = None

        def __init__(self) -> None:
            self.conn = conn

        def write_config_ini(self, *a) -> None: ...

    r = refi.RefiImport.__new__(refi.RefiImport)  # __init__ would open a file dialog
    r.__dict__.update(
        app=App(), parent_textedit=Log(), import_type="qdpx", file_path=str(qdpx),
        folder_name="", sources_name="/Sources", file_vars=[], annotations=[], links=[],
        tree=None, codes=[], users=[], cases=[], sources=[], source_name_prefix=0,
        variables=[], xml=None, base_path="", software_name="", xmlns_version="1.0",
        pd=None, pd_value=0,
    )  # fmt: skip
    status = 0
    try:
        r.import_project()
        print("IMPORT OK")
    except Exception as exc:  # what QualCoder would show the user
        print(f"IMPORT FAILED: {type(exc).__name__}: {exc}")
        status = 1
    for row in conn.execute("SELECT id, name, mediapath FROM source ORDER BY id"):
        print("source ", row)
    print("codes  ", [x[0] for x in conn.execute("SELECT name FROM code_name ORDER BY name")])
    for row in conn.execute(
        "SELECT s.name, c.name, t.seltext FROM code_text t JOIN source s ON s.id = t.fid"
        " JOIN code_name c ON c.cid = t.cid ORDER BY s.name, t.pos0"
    ):
        print("coding ", row)
    shutil.rmtree(proj.parent, ignore_errors=True)
    return status


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(run(Path(sys.argv[1]), Path(sys.argv[2])))
