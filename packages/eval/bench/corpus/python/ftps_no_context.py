# label: vulnerable CWE-295
from ftplib import FTP_TLS


def list_remote(host: str, user: str, password: str) -> list:
    """List the files in the remote home directory over FTPS."""
    ftps = FTP_TLS(host)
    ftps.login(user, password)
    ftps.prot_p()
    names = ftps.nlst()
    ftps.quit()
    return names
