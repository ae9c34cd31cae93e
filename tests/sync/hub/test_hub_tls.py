"""TLS straight from the hub (--tls-cert/--tls-key): a self-signed CA made here, trusted through a CA file."""
import datetime
import ipaddress
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.auth import KeyPair
from sync.hub.context import HubConfig
from sync.hub.testing import enroll_test_terminal, loopback_session, run_hub_subprocess, run_hub_thread
from sync.protocol import HEALTH_PATH, PROTOCOL_VERSION

from hub_helpers import STATION, push, record, results

pytestmark = pytest.mark.timeout(60)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca_and_server_cert(folder: Path) -> tuple[str, str, str]:
    """(ca.pem, server cert.pem, server key.pem) for 127.0.0.1."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("zdb test CA")).issuer_name(_name("zdb test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
              .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                             critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return tuple(str(p) for p in paths)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> tuple[str, str, str]:
    return make_ca_and_server_cert(tmp_path_factory.mktemp("tls"))


def test_enroll_and_push_over_tls_with_the_ca_file(hub_store, clock, certs):
    ca, cert, key = certs
    config = HubConfig(require_auth=True, staff_password="x")
    with run_hub_thread(store=hub_store, config=config, keys=KeyPair.generate(), clock=clock,
                        tls=(cert, key)) as (url, store):
        assert url.startswith("https://127.0.0.1:")
        session = loopback_session()
        session.verify = ca
        terminal = enroll_test_terminal(url, store, STATION, session=session)
        assert results(push(session, url, terminal, STATION, [record("tls-1")])) == [("tls-1", "accepted", None)]
        session.close()
        with loopback_session() as untrusting, pytest.raises(requests.exceptions.SSLError):
            untrusting.get(url + HEALTH_PATH, timeout=10)   # the test CA is not in the system store


def test_the_hub_process_serves_tls_from_the_command_line(tmp_path, certs):
    ca, cert, key = certs
    with run_hub_subprocess(tmp_path / "hub.db", require_auth=True,
                            extra_args=("--tls-cert", cert, "--tls-key", key)) as (_, url):
        assert url.startswith("https://")
        assert health(url, ca)["protocol"] == PROTOCOL_VERSION


def health(url: str, ca: str) -> dict:
    # A response left alive keeps its TLS socket open, and the hub's graceful shutdown would wait for it.
    with loopback_session() as session:
        reply = session.get(url + HEALTH_PATH, verify=ca, timeout=10)
        assert reply.status_code == 200
        return reply.json()
