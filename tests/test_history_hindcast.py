"""Hindcasts write their ensembles to a store: the same scores, resumable, one policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ValidationError
from sim.history import hindcast
from sim.store import Store

DATA = Path(__file__).parent / "data" / "history"
SIPRI, COW, NMC = DATA / "sipri.csv", DATA / "cow_member.csv", DATA / "nmc.csv"
EPISODE = DATA / "sanction_2004.toml"
FILES = {"sipri": SIPRI, "alliances": COW, "capabilities": NMC}


def test_a_stored_hindcast_scores_as_one_in_memory_and_resumes_from_its_parts(tmp_path):
    plain = hindcast(EPISODE, **FILES)
    out = tmp_path / "h"
    stored = hindcast(EPISODE, **FILES, out=out)
    assert stored.to_dict() == plain.to_dict() and stored.dyads.equals(plain.dyads)
    store = Store(out)
    manifest = store.manifest()
    assert manifest["kind"] == "hindcast" and manifest["status"] == "complete"
    n = plain.episode.replicates
    assert sorted(store.keys()) == [f"r{i:06d}" for i in range(n)]
    assert manifest["scores"] == json.loads(json.dumps(plain.to_dict()))
    part = store.read_part("r000000")
    assert list(part.columns) == ["arm", "month", "tie", "delivered"]
    assert set(part["arm"]) == {"shock", "baseline"} and part["month"].max() == 35
    # lose half the replicates, as a killed run would; --resume reruns only those
    for key in sorted(store.keys())[n // 2 :]:
        (out / "parts" / f"{key}.deliveries.parquet").unlink()
    with pytest.raises(ValidationError, match="pass --resume"):
        hindcast(EPISODE, **FILES, out=out)
    again = hindcast(EPISODE, **FILES, out=out, resume=True)
    assert again.to_dict() == plain.to_dict() and again.dyads.equals(plain.dyads)
    assert len(store.keys()) == n


def test_resuming_another_episode_lists_what_changed(tmp_path):
    out = tmp_path / "h"
    hindcast(EPISODE, **FILES, out=out)
    other = tmp_path / "other.toml"
    other.write_text(EPISODE.read_text().replace("seed = ", "seed = 1", 1))
    with pytest.raises(ValidationError) as info:
        hindcast(other, **FILES, out=out, resume=True)
    fields = [p.where.rsplit(" ", 1)[1] for p in info.value.problems]
    assert "hindcast.seed" in fields and "hindcast.episode_sha256" in fields


def test_hindcast_cli_out_and_resume(tmp_path, capsys):
    argv = ["hindcast", str(EPISODE), "--sipri", str(SIPRI), "--cow", str(COW), "--nmc", str(NMC),
            "--out", str(tmp_path), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert f"replicates and scores in {tmp_path / EPISODE.stem}" in first
    assert main(argv) == 2
    assert "already holds results" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0
    table = first.split("  (")[0]
    assert table in capsys.readouterr().out
