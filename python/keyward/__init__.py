"""keyward from Python: the `keyward` command shipped in this wheel, and
`keyward.validate()` / `keyward.require()` to check an application's secrets
against its schema at start-up.

    import keyward

    result = keyward.validate(schema="secrets.schema.toml")
    if not result.valid:
        for issue in result.errors:
            print(issue.secret, issue.problem)

    keyward.require(schema="secrets.schema.toml")   # raises keyward.ValidationError

Both run the bundled binary (`keyward validate --format json`) and read its
JSON report. Neither the result nor any exception ever holds a secret value:
issues carry the secret's name, the problem and a message written from the
schema's rule, and an error of the command (a missing schema, an unreadable
file) is the command's own message, which keyward scrubs of values.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "EnvironmentInfo",
    "Issue",
    "KeywardError",
    "Result",
    "ValidationError",
    "binary",
    "require",
    "validate",
]

PathLike = Union[str, "os.PathLike[str]"]

_EXE = "keyward.exe" if os.name == "nt" else "keyward"


class KeywardError(Exception):
    """keyward could not run or could not validate: a missing or malformed
    schema, an unreadable source file, a bad option (the command's exit 2).
    The message is keyward's own, which never quotes a value."""


class ValidationError(KeywardError):
    """The secrets are invalid. `str(err)` lists each problem (secret name,
    problem, rule); `err.result` is the whole :class:`Result`."""

    def __init__(self, result: "Result"):
        self.result = result
        super().__init__(result.summary())


@dataclass(frozen=True)
class Issue:
    """One problem with one secret (`secret` is `*` for a problem not tied to one)."""

    secret: str
    #: missing, empty, format, checksum, too_short, weak, common_password,
    #: equals_name, insecure_default, placeholder, pattern, isolation,
    #: rotation_overdue, rotation_due_soon, rotation_unknown, naming, source,
    #: environment
    problem: str
    #: "error" or "warning"
    severity: str
    #: the rule broken, in words; never the value
    message: str
    #: where the value came from (environment, .env, file ...), if known
    source: Optional[str] = None
    #: the secret's owner in the schema, if any
    owner: Optional[str] = None

    def __str__(self) -> str:
        return f"{self.severity} {self.secret}: {self.message} [{self.problem}]"


@dataclass(frozen=True)
class EnvironmentInfo:
    """The environment the secrets were checked for."""

    name: Optional[str]
    #: how it was determined (--environment, APP_ENV, ...)
    origin: str
    production: bool


@dataclass(frozen=True)
class Result:
    """A validation report. True when valid (warnings allowed)."""

    valid: bool
    schema: str
    environment: EnvironmentInfo
    #: the sources read, highest precedence first
    sources: Tuple[str, ...]
    #: secrets declared in the schema / found in the sources
    checked: int
    present: int
    #: every issue, errors and warnings
    issues: Tuple[Issue, ...] = field(default_factory=tuple)
    #: the day rotation ages were computed for (YYYY-MM-DD)
    today: str = ""
    #: where keyward found itself running: "kubernetes" or "local"
    runtime: Optional[str] = None

    def __bool__(self) -> bool:
        return self.valid

    @property
    def errors(self) -> List[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> List[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def summary(self) -> str:
        """Names and problems only, one issue a line."""
        head = "secrets configuration is {} ({} error(s), {} warning(s))".format(
            "valid" if self.valid else "invalid",
            len(self.errors),
            len(self.warnings),
        )
        return "\n".join([head + (":" if self.issues else "")] + [f"  - {i}" for i in self.issues])

    @classmethod
    def from_json(cls, doc: Mapping) -> "Result":
        env = doc.get("environment") or {}
        return cls(
            valid=bool(doc["valid"]),
            schema=str(doc.get("schema", "")),
            environment=EnvironmentInfo(
                name=env.get("name"),
                origin=str(env.get("from", "")),
                production=bool(env.get("production", False)),
            ),
            sources=tuple(doc.get("sources", ())),
            checked=int(doc.get("checked", 0)),
            present=int(doc.get("present", 0)),
            issues=tuple(
                Issue(
                    secret=str(i["secret"]),
                    problem=str(i["problem"]),
                    severity=str(i["severity"]),
                    message=str(i["message"]),
                    source=i.get("source"),
                    owner=i.get("owner"),
                )
                for i in doc.get("issues", ())
            ),
            today=str(doc.get("today", "")),
            runtime=(doc.get("runtime") or {}).get("kind"),
        )


def binary() -> str:
    """The path of the keyward binary this package installed.

    Looked for where pip puts a wheel's scripts (this interpreter's scripts
    directory, the user scheme's, next to the interpreter), then on PATH."""
    candidates = []
    for scheme in (None, _user_scheme()):
        try:
            path = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except (KeyError, ValueError):
            continue
        if path:
            candidates.append(os.path.join(path, _EXE))
    candidates.append(os.path.join(os.path.dirname(sys.executable), _EXE))
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    found = shutil.which(_EXE)
    if found:
        return found
    raise KeywardError(
        "the keyward binary is not installed next to this Python "
        "(reinstall the keyward wheel: pip install keyward)"
    )


def _user_scheme() -> Optional[str]:
    """The scheme of `pip install --user` on this platform, if any."""
    get = getattr(sysconfig, "get_preferred_scheme", None)  # Python 3.10+
    if get is not None:
        return get("user")
    name = "nt_user" if os.name == "nt" else "posix_user"
    return name if name in sysconfig.get_scheme_names() else None


def _paths(flag: str, value: Union[None, PathLike, Iterable[PathLike]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        value = [value]  # type: ignore[list-item]
    out: List[str] = []
    for v in value:  # type: ignore[union-attr]
        out += [flag, os.fspath(v)]
    return out


def validate(
    schema: PathLike = "secrets.schema.toml",
    *,
    env_file: Union[None, PathLike, Sequence[PathLike]] = None,
    from_env: Optional[bool] = None,
    environ: Optional[Mapping[str, str]] = None,
    environment: Optional[str] = None,
    k8s_secret: Union[None, PathLike, Sequence[PathLike]] = None,
    k8s_workload: Union[None, PathLike, Sequence[PathLike]] = None,
    json_file: Union[None, PathLike, Sequence[PathLike]] = None,
    example_file: Union[None, PathLike, Sequence[PathLike]] = None,
    file_indirection: bool = True,
    rotation_only: bool = False,
    due_within: Optional[int] = None,
    cwd: Optional[PathLike] = None,
    raise_on_error: bool = False,
    timeout: Optional[float] = 60,
) -> Result:
    """Validate secrets against `schema`; see `keyward validate --help`.

    Sources: `env_file` (.env files, earlier win), `k8s_secret`, `json_file`,
    and the process environment when `from_env` is true. With no source
    at all, keyward's default: the environment plus ./.env outside Kubernetes.
    The environment read is this process's `os.environ` (what the application
    sees), or `environ` when given (then `from_env` defaults to true).

    Returns a :class:`Result`; with `raise_on_error=True` an invalid result
    raises :class:`ValidationError` instead. Raises :class:`KeywardError` when
    keyward cannot validate (missing schema, unreadable file, bad option).
    """
    if environ is not None and from_env is None:
        from_env = True
    args = [binary(), "validate", "--format", "json", "--schema", os.fspath(schema)]
    if from_env:
        args.append("--from-env")
    args += _paths("--env-file", env_file)
    args += _paths("--k8s-secret", k8s_secret)
    args += _paths("--k8s-workload", k8s_workload)
    args += _paths("--json-file", json_file)
    args += _paths("--example-file", example_file)
    if environment is not None:
        args += ["--environment", environment]
    if not file_indirection:
        args.append("--no-file-indirection")
    if rotation_only:
        args.append("--rotation-only")
    if due_within is not None:
        args += ["--due-within", str(int(due_within))]
    env = None
    if environ is not None:
        env = {str(k): str(v) for k, v in environ.items()}
        # the child needs no PATH; keep the locale so messages decode
        for keep in ("SYSTEMROOT", "LANG", "LC_ALL"):
            if keep in os.environ and keep not in env:
                env[keep] = os.environ[keep]
    try:
        proc = subprocess.run(
            args,
            cwd=os.fspath(cwd) if cwd is not None else None,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise KeywardError(f"keyward validate did not finish within {timeout}s") from None
    except OSError as e:
        raise KeywardError(f"cannot run keyward: {e.strerror}") from None
    if proc.returncode not in (0, 1):
        # keyward's own message (scrubbed of values by keyward); never stdout
        msg = proc.stderr.decode("utf-8", "replace").strip()
        if msg.startswith("keyward: error: "):
            msg = msg[len("keyward: error: ") :]
        if not msg:
            msg = f"keyward validate failed with exit code {proc.returncode}"
        raise KeywardError(msg)
    try:
        result = Result.from_json(json.loads(proc.stdout.decode("utf-8")))
    except (ValueError, KeyError, TypeError):
        # not what keyward writes: say so without echoing it
        raise KeywardError(
            f"keyward validate (exit {proc.returncode}) wrote no JSON report this package can read"
        ) from None
    if raise_on_error and not result.valid:
        raise ValidationError(result)
    return result


def require(schema: PathLike = "secrets.schema.toml", **kwargs) -> Result:
    """Like :func:`validate`, but raises :class:`ValidationError` when the
    secrets are invalid (for a start-up hook: the application does not start)."""
    kwargs["raise_on_error"] = True
    return validate(schema, **kwargs)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("keyward")
    except Exception:  # not installed as a distribution (a source checkout)
        return "0+unknown"


__version__ = _version()
