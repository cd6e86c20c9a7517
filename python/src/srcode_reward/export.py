"""PrimeVul+ records (JSONL of ``{pair, verdict, prompts}``) as a verl RL dataset: one row per implicit prompt."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

#: ``data_source`` of the exported rows (verl's ``reward_fn_key`` column).
DATA_SOURCE = "srcode/primevul-plus"


@dataclass
class ExportIssue:
    """A line of the records file that gave no row: where, and why."""

    line: int
    message: str


@dataclass
class ExportSummary:
    """What an export wrote: rows, records used and skipped, the format, and the lines refused."""

    rows: int = 0
    records: int = 0
    rejected_verdicts: int = 0
    format: str = "jsonl"
    path: str = ""
    issues: List[ExportIssue] = field(default_factory=list)


def _check(record: Any) -> Optional[str]:
    if not isinstance(record, dict):
        return "expected a PrimeVulPlusRecord object"
    pair, verdict, prompts = record.get("pair"), record.get("verdict"), record.get("prompts")
    if not isinstance(pair, dict) or not isinstance(pair.get("id"), str) or not pair["id"]:
        return "pair.id: expected a non-empty string"
    if not isinstance(verdict, dict) or not isinstance(verdict.get("accepted"), bool):
        return "verdict.accepted: expected a boolean"
    if not isinstance(prompts, list):
        return "prompts: expected an array"
    for k, p in enumerate(prompts):
        if not isinstance(p, dict) or not isinstance(p.get("text"), str) or not p["text"].strip():
            return f"prompts[{k}].text: expected a non-empty string"
    return None


def read_records(path: str) -> Iterator[Tuple[int, Any, Optional[str]]]:
    """``(line, record, problem)`` for each non-blank line; ``problem`` is ``None`` for a usable record."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as e:
                yield n, None, f"not JSON: {e}"
                continue
            yield n, record, _check(record)


def verl_rows(records: Iterable[Any], *, split: str = "train", include_rejected: bool = False, summary: Optional[ExportSummary] = None) -> List[Dict[str, Any]]:
    """The verl rows of checked records: ``prompt`` messages, ``extra_info`` with the pair id.

    Each row: ``data_source``, ``prompt`` (``[{"role": "user", "content": ...}]``), ``ability``,
    ``reward_model`` (``{"style": "rule", "ground_truth": pair id}``) and ``extra_info`` (``pair_id``,
    ``prompt_id``, ``language``, ``cwes``, ``split``, ``index``). Pairs the judge rejected are left out
    unless ``include_rejected``.
    """
    summary = summary if summary is not None else ExportSummary()
    rows: List[Dict[str, Any]] = []
    for record in records:
        pair = record["pair"]
        if not record["verdict"]["accepted"] and not include_rejected:
            summary.rejected_verdicts += 1
            continue
        summary.records += 1
        for prompt in record["prompts"]:
            rows.append(
                {
                    "data_source": DATA_SOURCE,
                    "prompt": [{"role": "user", "content": prompt["text"]}],
                    "ability": "secure-code",
                    "reward_model": {"style": "rule", "ground_truth": pair["id"]},
                    "extra_info": {
                        "pair_id": pair["id"],
                        "prompt_id": str(prompt.get("id", "")),
                        "language": str(pair.get("language", "")),
                        "cwes": [str(c) for c in pair.get("cwes", [])],
                        "split": split,
                        "index": len(rows),
                    },
                }
            )
    summary.rows = len(rows)
    return rows


def _pyarrow():
    try:
        import pyarrow  # noqa: PLC0415 - optional
        import pyarrow.parquet  # noqa: PLC0415, F401
    except ImportError:
        return None
    return pyarrow


def export_verl(records_path: str, out_path: str, *, split: str = "train", include_rejected: bool = False) -> ExportSummary:
    """Writes the verl dataset of a PrimeVul+ JSONL file, atomically (nothing is left on failure).

    The format follows ``out_path``'s suffix (``.parquet`` needs pyarrow; ``.jsonl``); with neither
    suffix, parquet is written when pyarrow imports, else JSONL, and the suffix is added. Lines that
    are not records are reported in ``issues`` (line and field) and skipped; a file with no usable
    record raises ``ValueError`` naming it.
    """
    summary = ExportSummary()
    good = []
    for line, record, problem in read_records(records_path):
        if problem:
            summary.issues.append(ExportIssue(line, problem))
        else:
            good.append(record)
    if not good:
        raise ValueError(f"{records_path}: no PrimeVulPlusRecord read ({len(summary.issues)} lines refused)")
    rows = verl_rows(good, split=split, include_rejected=include_rejected, summary=summary)
    pa = _pyarrow()
    if not out_path.endswith((".parquet", ".jsonl")):
        out_path += ".parquet" if pa is not None else ".jsonl"
    parquet = out_path.endswith(".parquet")
    pa = pa if parquet else None
    if parquet and pa is None:
        raise ValueError(f"{out_path}: writing parquet needs pyarrow; install it, or write .jsonl")
    summary.format = "parquet" if parquet else "jsonl"
    summary.path = out_path
    folder = os.path.dirname(os.path.abspath(out_path))
    fd, tmp = tempfile.mkstemp(prefix=".srcode-export-", dir=folder)
    try:
        if pa is not None:
            os.close(fd)
            pa.parquet.write_table(pa.Table.from_pylist(rows), tmp)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, out_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return summary
