"""PrimeVul+ records (written by srcode-reflect) exported as a verl dataset; bad lines named, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from srcode_reward.export import export_verl

SRC = Path(__file__).resolve().parents[1] / "src"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "srcode_reward", *args], capture_output=True, text=True, cwd=SRC, timeout=60)


def test_each_implicit_prompt_becomes_a_row_with_its_pair_id(records_file, tmp_path):
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    summary = export_verl(str(records_file), str(tmp_path / "train.jsonl"))
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    accepted = [r for r in records if r["verdict"]["accepted"]]
    assert summary.rows == len(rows) == sum(len(r["prompts"]) for r in accepted) > 0
    first = rows[0]
    assert first["prompt"] == [{"role": "user", "content": accepted[0]["prompts"][0]["text"]}]
    assert first["extra_info"]["pair_id"] == accepted[0]["pair"]["id"] == first["reward_model"]["ground_truth"]
    assert first["data_source"] == "srcode/primevul-plus"
    assert [r["extra_info"]["index"] for r in rows] == list(range(len(rows)))


def test_rejected_verdicts_are_left_out_unless_asked_for(records_file, tmp_path):
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    records[0]["verdict"]["accepted"] = False
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(r) + "\n" for r in records))
    kept = export_verl(str(mixed), str(tmp_path / "a.jsonl"))
    every = export_verl(str(mixed), str(tmp_path / "b.jsonl"), include_rejected=True)
    assert kept.rejected_verdicts == 1 and every.rows == kept.rows + len(records[0]["prompts"])


def test_bad_lines_are_named_and_the_valid_records_kept(records_file, tmp_path):
    lines = records_file.read_text().splitlines()
    broken = json.loads(lines[1])
    del broken["pair"]["id"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(broken), "{not json", lines[2]]) + "\n")
    r = run_cli("export-verl", "--records", str(bad), "--out", str(tmp_path / "out.jsonl"))
    assert r.returncode == 0, r.stderr
    assert f"{bad}:2: pair.id: expected a non-empty string" in r.stderr
    assert f"{bad}:3: not JSON" in r.stderr
    assert json.loads(r.stdout)["records"] == 2


def test_a_file_without_records_fails_naming_it_and_writes_nothing(tmp_path):
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"a": 1}\n')
    out = tmp_path / "out.jsonl"
    r = run_cli("export-verl", "--records", str(junk), "--out", str(out))
    assert r.returncode == 2 and str(junk) in r.stderr and "no PrimeVulPlusRecord" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [junk]


def test_parquet_is_written_when_pyarrow_is_there_and_asked_for_otherwise(records_file, tmp_path):
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError:
        with pytest.raises(ValueError, match="needs pyarrow"):
            export_verl(str(records_file), str(tmp_path / "x.parquet"))
        summary = export_verl(str(records_file), str(tmp_path / "auto"))
        assert (summary.format, summary.path) == ("jsonl", str(tmp_path / "auto.jsonl"))
        return
    summary = export_verl(str(records_file), str(tmp_path / "x.parquet"))
    assert pq.read_table(tmp_path / "x.parquet").num_rows == summary.rows


def test_the_command_has_help_version_and_the_verl_config():
    assert run_cli("--help").stdout.startswith("usage: srcode-reward-py")
    from srcode_reward import __version__  # noqa: PLC0415

    assert run_cli("--version").stdout.strip() == f"srcode-reward-py {__version__}"
    assert "algorithm.adv_estimator=token_grpo" in run_cli("verl-config").stdout
    nothing = run_cli()
    assert nothing.returncode == 2 and "expected a command" in nothing.stderr
