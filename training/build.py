"""Build newsetl's learned components (`make model`), or check that the shipped ones are
what this builds (`make model-check`).

1. The recogniser, three times at once (one thread each, fixed seeds; training/ner.py):
   cross-fitted on the annotated news, `part0` without part 0 of it and `part1` without
   part 1, into a work folder; and on all of it, into transforms/model/ner.
2. The entity-kind classifier (training/entity_kinds.py) from the cross-fitted recognisers'
   clusters, into transforms/model/entity_kinds.

About 35 minutes on 2 cores. `--check` builds into a temporary folder and compares the
hashes the shipped `training.json` files record with those of the rebuilt files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NER_OUT = ROOT / "transforms" / "model" / "ner"
KINDS_OUT = ROOT / "transforms" / "model" / "entity_kinds"


def _python(script: str, *args: str) -> list[str]:
    return [sys.executable, "-u", str(ROOT / "training" / script), *args]


def build(ner_out: Path, kinds_out: Path, work: Path) -> None:
    crossfit = work / "crossfit"
    jobs = [
        subprocess.Popen(_python("ner.py", "--out", str(crossfit / f"part{k}"), "--leave-out", f"{k}/2"))
        for k in (0, 1)
    ]
    jobs.append(subprocess.Popen(_python("ner.py", "--out", str(ner_out))))
    codes = [j.wait() for j in jobs]
    if any(codes):
        raise SystemExit(f"training the recogniser failed (exit codes {codes})")
    subprocess.run(
        _python("entity_kinds.py", "--crossfit", str(crossfit), "--out", str(kinds_out)), check=True
    )


def _recorded(folder: Path) -> str:
    return json.loads((folder / "training.json").read_text())["sha256"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--check", action="store_true", help="rebuild elsewhere and compare with the shipped files"
    )
    ap.add_argument("--work", type=Path, default=None, help="folder for the cross-fitted recognisers")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsetl-model-"))
    if not args.check:
        build(NER_OUT, KINDS_OUT, work)
        print(f"recogniser sha256 {_recorded(NER_OUT)}, entity kinds sha256 {_recorded(KINDS_OUT)}")
        return 0
    build(work / "ner", work / "entity_kinds", work)
    differ = [
        name
        for name, shipped, rebuilt in (
            ("recogniser", NER_OUT, work / "ner"),
            ("entity kinds", KINDS_OUT, work / "entity_kinds"),
        )
        if _recorded(shipped) != _recorded(rebuilt)
    ]
    if differ:
        print(
            f"the rebuilt {' and '.join(differ)} differ from the shipped ones (see {work})", file=sys.stderr
        )
        return 1
    print("the rebuilt recogniser and entity kinds are the shipped ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
