# label: clean CWE-319
"""Nightly backup upload over SFTP with a known host key."""
import os
import sys

import paramiko


def upload_backup(path: str) -> None:
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(os.environ["BACKUP_HOST"], username=os.environ["BACKUP_USER"], key_filename=os.environ["BACKUP_KEY"])
    with client.open_sftp() as sftp:
        sftp.put(path, "/backups/" + os.path.basename(path))
    client.close()


if __name__ == "__main__":
    upload_backup(sys.argv[1])
