"""A small identity provider for unit tests of the sign-on callback: a JWKS and a token endpoint served
over HTTP on 127.0.0.1, answering with ID tokens the test signs with its own RSA key."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "tracker-tests"
CLIENT_SECRET = "tracker-tests-secret"
TENANT = "11111111-2222-3333-4444-555555555555"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TokenProvider:
    """Serves /jwks (the public half of `key`) and /token (whatever `next_id_token` holds)."""

    def __init__(self):
        self.key = new_key()
        self.kid = "test-key-1"
        self.next_id_token = ""
        self.token_requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, body: dict, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                jwk = json.loads(RSAAlgorithm.to_jwk(provider.key.public_key()))
                jwk.update({"kid": provider.kid, "alg": "RS256", "use": "sig"})
                self._send({"keys": [jwk]})

            def do_POST(self):
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                self._send({"id_token": provider.next_id_token, "access_token": "opaque", "token_type": "Bearer"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/tenant/v2.0"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings_for(self, settings, **overrides):
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        settings.OIDC_ENABLED = True
        settings.OIDC_ISSUER = self.issuer
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/jwks"
        settings.OIDC_ALLOWED_TENANTS = [TENANT]
        for name, value in overrides.items():
            setattr(settings, name, value)

    def id_token(self, *, nonce, key=None, headers=None, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "pairwise-subject-1",
            "oid": "object-id-1",
            "tid": TENANT,
            "iat": now,
            "exp": now + 600,
            "nonce": nonce,
            "email": "casey@council.example",
            "name": "Casey Council",
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload, key or self.key, algorithm="RS256", headers={"kid": self.kid, **(headers or {})}
        )
