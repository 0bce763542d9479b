"""codeexec: a Python client for codeexec's native API (/v1/...).

    from codeexec import Client
    c = Client(["http://10.0.0.1:8000", "http://10.0.0.2:8000"], token="T")
    c.run("python", "print(1)")                     # -> dict, as POST /v1/run answers
    c.run_batch([{"language": "cpp", "code": src}])  # -> list, one result per job, in order
    c.judge("cpp", src, tests=[{"stdin": "1 2", "expected": "3"}])  # -> POST /v1/judge reply

See clients/python/README.md.
"""

from .client import (
    AuthError,
    Client,
    CodeExecError,
    EXTENSIONS,
    RETRY_ERROR_CODES,
    language_for_path,
    resolve_refs,
)
from .judge import VERDICTS, assemble

__all__ = [
    "AuthError",
    "VERDICTS",
    "assemble",
    "Client",
    "CodeExecError",
    "EXTENSIONS",
    "RETRY_ERROR_CODES",
    "language_for_path",
    "resolve_refs",
]
__version__ = "0.1.0"
