"""A private certificate authority for the office LAN listener, made with the ``openssl`` tool.

The CA is made once and kept (devices trust ``ca.crt``); the server certificate is issued again
on every provisioning, for the LAN address the devices use.
"""

from __future__ import annotations

import ipaddress
import secrets
import shutil
import subprocess
from pathlib import Path

DAYS = 3650
CURVE = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")


def _openssl(*args: str) -> None:
    binary = shutil.which("openssl")
    if binary is None:
        raise FileNotFoundError("openssl is missing: apt-get install openssl")
    subprocess.run([binary, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def subject_alt_name(host: str) -> str:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return f"DNS:{host}"
    return f"IP:{host}"


def ensure_ca(tls_dir: Path, office: str) -> tuple[Path, Path]:
    """``(ca.crt, ca.key)`` in ``tls_dir``, made when missing."""
    cert, key = tls_dir / "ca.crt", tls_dir / "ca.key"
    if cert.exists() and key.exists():
        return cert, key
    tls_dir.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-new", *CURVE, "-keyout", str(key), "-out", str(cert), "-days", str(DAYS),
             "-subj", f"/O=motcua/CN=motcua {office} office CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash")
    key.chmod(0o600)
    cert.chmod(0o644)
    return cert, key


def issue_server_cert(tls_dir: Path, office: str, host: str) -> tuple[Path, Path]:
    """``(server.crt, server.key)`` for ``host``, signed by the office CA."""
    ca_cert, ca_key = ensure_ca(tls_dir, office)
    cert, key, csr, ext = (tls_dir / name for name in ("server.crt", "server.key", "server.csr", "server.ext"))
    _openssl("req", "-new", *CURVE, "-keyout", str(key), "-out", str(csr), "-subj", f"/O=motcua/CN={host}")
    ext.write_text(
        f"subjectAltName={subject_alt_name(host)}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n",
        encoding="utf-8",
    )
    try:
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-set_serial",
                 str(secrets.randbits(63)), "-days", str(DAYS),
                 "-extfile", str(ext), "-out", str(cert))
    finally:
        csr.unlink(missing_ok=True)
        ext.unlink(missing_ok=True)
    key.chmod(0o640)
    cert.chmod(0o644)
    return cert, key
