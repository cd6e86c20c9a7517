# label: vulnerable CWE-319
"""Nightly backup upload to the storage server."""
import ftplib
import os
import sys


def upload_backup(path: str) -> None:
    host = os.environ.get("BACKUP_HOST", "backup.example.com")
    ftp = ftplib.FTP(host)
    ftp.login(os.environ["BACKUP_USER"], os.environ["BACKUP_PASSWORD"])
    with open(path, "rb") as fh:
        ftp.storbinary("STOR " + os.path.basename(path), fh)
    ftp.quit()


if __name__ == "__main__":
    upload_backup(sys.argv[1])
