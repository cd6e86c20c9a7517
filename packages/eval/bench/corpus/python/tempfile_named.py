# label: clean CWE-377
import tempfile


def write_results(results: str) -> str:
    """Write results to a securely created temporary file and return its name."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(results)
        return f.name
