# label: vulnerable CWE-78
import os
import sys


def backup(db_name: str) -> None:
    """Dump a database to a file named after it."""
    os.system(f"pg_dump {db_name} > /backups/{db_name}.sql")


if __name__ == "__main__":
    backup(sys.argv[1])
