"""``zik``: the local cloud's command line.

zik dev [--port 3000] [--aws-port 3001] [--schedules] [--debug-function F --debug-port 5890]
                                           serve the whole platform on 127.0.0.1
zik token --user alice [--tenant t]        print an ID token the local gateway accepts
zik codes [--user EMAIL]                   the sign-up / password-reset codes Cognito would have e-mailed
zik invoke <Function> -e events/x.json     invoke one function (like `sam local invoke`)
zik schedule <Function>                    fire a function's schedule on the running `zik dev`
zik logs <Function> [--tail]               a function's log lines from the running `zik dev` (like `sam logs`)
zik aws <aws CLI arguments>                the aws CLI against the running `zik dev`'s embedded AWS
zik openapi [-o openapi.json]              print the API's OpenAPI document
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_URL = "http://127.0.0.1:3000"
# The embedded AWS's port when none is asked for: the port of `sam local start-lambda`, whose Lambda API it
# also serves; fixed, so that an `aws --endpoint-url` line keeps working from one start to the next.
DEFAULT_AWS_PORT = 3001
# What the embedded AWS accepts (any key works; the aws CLI and boto3 just need one to sign with).
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zik", description="zik's embedded local cloud (no Docker, no AWS).")
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="serve the whole platform locally")
    _template_options(dev)
    dev.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument(
        "--aws-port",
        type=int,
        default=None,
        help=f"port of the embedded AWS endpoint (default {DEFAULT_AWS_PORT}, or any free one when it is taken; 0: any free)",
    )
    dev.add_argument("--schedules", action="store_true", help="also fire schedules on time")
    dev.add_argument("--no-throttle", action="store_true", help="ignore the stage's throttling limits")
    dev.add_argument("--no-job-feeds", action="store_true", help="do not put the shipped sample job feeds in JobFeedsBucket")
    dev.add_argument(
        "--debug-function", metavar="FUNCTION", help="the function whose execution environment a debugger attaches to (with --debug-port)"
    )
    _debug_options(dev)

    token = commands.add_parser("token", help="print an ID token for a local user")
    token.add_argument("--user", required=True, help="user name; the same name always gets the same sub")
    token.add_argument("--tenant", help="custom:tenant_id claim")
    token.add_argument("--email")
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    token.add_argument("--group", action="append", default=[], help="a Cognito group the user is in (e.g. admins); repeatable")
    token.add_argument("--url", default=DEFAULT_URL, help="the running `zik dev`")

    codes = commands.add_parser("codes", help="print the confirmation and password-reset codes of local users")
    codes.add_argument("--user", help="only this user's (e-mail, username or sub)")
    codes.add_argument("--json", action="store_true", help="print them as JSON")
    codes.add_argument("--url", default=DEFAULT_URL, help="the running `zik dev`")

    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", help="logical id in template.yaml, e.g. MeFunction")
    invoke.add_argument("-e", "--event", help="event file (default: {})")
    invoke.add_argument("--url", help="invoke inside a running `zik dev` instead of a fresh embedded cloud")
    _template_options(invoke)
    _debug_options(invoke)

    logs = commands.add_parser("logs", help="print a function's log lines from the running `zik dev`")
    logs.add_argument("function", help="logical id in template.yaml, e.g. MeFunction")
    logs.add_argument("-f", "--tail", action="store_true", help="keep printing new lines until Ctrl-C")
    logs.add_argument("--url", default=DEFAULT_URL, help="the running `zik dev`")

    aws = commands.add_parser("aws", help="run the aws CLI against the running `zik dev`'s embedded AWS")
    aws.add_argument("--url", default=DEFAULT_URL, help="the running `zik dev` (before the aws arguments)")
    aws.add_argument("arguments", nargs=argparse.REMAINDER, help="what follows `aws`, e.g. dynamodb list-tables")

    schedule = commands.add_parser("schedule", help="fire a function's schedule now")
    schedule.add_argument("function", help="the scheduled function's (or schedule's) logical id")
    schedule.add_argument("--url", default=DEFAULT_URL, help="the running `zik dev`")

    spec = commands.add_parser("openapi", help="print the API's OpenAPI document")
    spec.add_argument("-o", "--output", help="write it to this file")
    _template_options(spec)

    args = parser.parse_args(argv)
    commands_run = {
        "dev": _dev,
        "token": _token,
        "codes": _codes,
        "invoke": _invoke,
        "schedule": _schedule,
        "logs": _logs,
        "aws": _aws,
        "openapi": _openapi,
    }
    return commands_run[args.command](args)


def _debug_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug-port", type=int, help="attach a debugger (debugpy, e.g. VS Code's Python: Attach) to the function on 127.0.0.1:PORT")
    parser.add_argument("--wait-for-client", action="store_true", help="run the function's code only once the debugger is attached")


def _debug_target(args: argparse.Namespace, function: str | None) -> Any:
    """The function to debug, or None; a SystemExit with one line when the options do not fit together."""
    from zik_local.runtime import DebugTarget

    if args.debug_port is None:
        if getattr(args, "debug_function", None) or args.wait_for_client:
            options = "--debug-function and --wait-for-client go" if args.command == "dev" else "--wait-for-client goes"
            raise SystemExit(f"zik {args.command}: {options} with --debug-port")
        return None
    if not function:
        raise SystemExit("zik dev: --debug-port needs --debug-function <Function>")
    if not 0 < args.debug_port < 65536:
        raise SystemExit(f"zik {args.command}: --debug-port {args.debug_port} is not a port")
    if importlib.util.find_spec("debugpy") is None:
        raise SystemExit(f"zik {args.command}: debugging needs debugpy in this environment (pip install -r requirements/dev.txt)")
    return DebugTarget(function, args.debug_port, args.wait_for_client)


def _template_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-t", "--template", default="template.yaml", type=Path)
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE", help="template parameter override")
    parser.add_argument("-n", "--env-vars", type=Path, help="JSON of environment overrides per function, as `sam local`")


def _options(args: argparse.Namespace, **extra: Any):
    from zik_local.cloud import CloudOptions

    parameters = dict(p.split("=", 1) for p in args.parameter)
    overrides: dict[str, dict[str, str]] = {}
    if args.env_vars:
        document = json.loads(args.env_vars.read_text())
        parameters.update(document.pop("Parameters", {}))
        overrides = {name: {k: str(v) for k, v in values.items()} for name, values in document.items()}
    return CloudOptions(template=args.template.resolve(), parameters=parameters, env_overrides=overrides, **extra)


def _dev(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    debug = _debug_target(args, args.debug_function)
    from zik_local.runtime import SandboxPool

    # Before the heavy imports below: the first execution environments load their libraries meanwhile.
    sandboxes = SandboxPool(spares=1)
    from zik_local.cloud import LocalCloud

    cloud = LocalCloud(
        _options(
            args,
            port=args.port,
            host=args.host,
            aws_port=DEFAULT_AWS_PORT if args.aws_port is None else args.aws_port,
            aws_port_fallback=args.aws_port is None,
            run_schedules=args.schedules,
            throttle=not args.no_throttle,
            debug=debug,
        ),
        sandboxes,
    )
    from zik_local.resolve import TemplateError

    try:
        cloud.start()
    except (OSError, TemplateError, KeyError) as exc:  # TemplateError: e.g. a custom resource answered FAILED
        print(f"zik dev: cannot start: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        cloud.stop()
        return 1
    feeds = [] if args.no_job_feeds else _seed_job_feeds(cloud)
    info = cloud.info()
    url = "" if args.port == 3000 and args.host == "127.0.0.1" else f" --url {info['apiUrl']}"
    aws_note = "" if args.aws_port is not None or info["awsEndpoint"].endswith(f":{DEFAULT_AWS_PORT}") else f" ({DEFAULT_AWS_PORT} was taken)"
    lines = [
        f"zik dev is up in {time.perf_counter() - started:.2f}s",
        f"  API              {info['apiUrl']}",
        f"  OpenAPI          {info['openapi']}",
        f"  Swagger UI       {info['docs']}",
        f"  embedded AWS     {info['awsEndpoint']}{aws_note}   (--aws-port to choose; its Lambda invoke API runs the functions)",
        f"  aws CLI          zik aws{url} dynamodb list-tables",
        f"                   or: {_aws_line(info)} dynamodb list-tables",
        f"  JWKS             {info['jwks']}",
        f'  token            zik token{url} --user alice   (then: curl -H "Authorization: Bearer $TOKEN" {info["apiUrl"]}/me)',
        f"  functions        {len(info['functions'])}; routes {len(info['routes'])}; queues {len(info['queues'])}; "
        f"state machines {len(info['stateMachines'])}; schedules {len(info['schedules'])}"
        + ("" if args.schedules else " (fire with: zik schedule <Function>)"),
    ]
    if feeds:
        lines.append(f"  job feeds        {len(feeds)} sample feeds in JobFeedsBucket (ingest them: zik schedule JobIngestionFunction)")
    lines.append(f"  logs             zik logs{url} <Function> --tail")
    if debug is not None:
        waits = " (it waits for one before it runs)" if debug.wait else ""
        lines.append(f"  debugger         {debug.function}: attach to 127.0.0.1:{debug.port}{waits}")
    for note in info["notEmulated"]:
        lines.append(f"  not emulated     {note}")
    print("\n".join(lines), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    cloud.stop()
    return 0


def _seed_job_feeds(cloud: Any) -> list[str]:
    """The shipped job feeds (zik_local/job_feeds), dated as of today, where the ingestion reads them."""
    from zik_local.job_feeds import seed_feeds

    spec = cloud.deployment.functions.get("JobIngestionFunction") if cloud.deployment else None
    bucket = spec.environment.get("JOB_FEEDS_BUCKET") if spec else None
    return seed_feeds(cloud.client("s3"), bucket) if bucket else []


def _post(url: str, payload: Any) -> Any:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"})
    return _answer(request, url, timeout=120)


def _answer(request: urllib.request.Request | str, url: str, *, timeout: float) -> Any:
    """The control route's JSON answer (its error's too); no `zik dev` there: exit saying how to start it."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"{}")
    except urllib.error.URLError as exc:
        raise SystemExit(f"zik: no `zik dev` answers at {url.rsplit('/_zik', 1)[0]} ({exc.reason}); start it with `make dev`") from None


def _token(args: argparse.Namespace) -> int:
    answer = _post(
        f"{args.url}/_zik/token", {"user": args.user, "tenant": args.tenant, "email": args.email, "ttlSeconds": args.ttl, "groups": args.group}
    )
    if "token" not in answer:
        print(json.dumps(answer), file=sys.stderr)
        return 1
    print(answer["token"])
    return 0


def _get(url: str) -> Any:
    return _answer(url, url, timeout=30)


def _codes(args: argparse.Namespace) -> int:
    from urllib.parse import urlencode

    query = f"?{urlencode({'user': args.user})}" if args.user else ""
    answer = _get(f"{args.url}/_zik/codes{query}")
    if "codes" not in answer:
        print(json.dumps(answer), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer["codes"], indent=2))
    elif not answer["codes"]:
        print(
            "no codes yet" + (f" for {args.user}" if args.user else "") + " (SignUp, ResendConfirmationCode and ForgotPassword make them)",
            file=sys.stderr,
        )
        return 1
    else:
        for record in answer["codes"]:
            issued = time.strftime("%H:%M:%S", time.localtime(record["issuedAt"]))
            state = "used" if record["used"] else "expired" if record["expiresAt"] < time.time() else "valid"
            print(f"{record['code']}  {record['purpose']:<15}  {record['user']}  {issued}  {state}")
    return 0


def _schedule(args: argparse.Namespace) -> int:
    answer = _post(f"{args.url}/_zik/schedules/{args.function}", {})
    if "fired" not in answer:
        # An unknown name has no control route: the gateway's own 404 ("no such route") would not say why.
        error = answer.get("error") or {}
        reason = (
            f"no schedule of the `zik dev` at {args.url} is or targets {args.function} (its schedules: {args.url}/_zik/info)"
            if error.get("code") == "not_found"
            else error.get("message") or json.dumps(answer)
        )
        print(f"zik schedule: nothing fired: {reason}", file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2))
    return 0 if "fired" in answer and not any(f.get("error") for f in answer["fired"]) else 1


def _event_file(path: str | None) -> Any:
    """The event a file holds; a SystemExit with one line saying what is wrong with it (no traceback)."""
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"zik invoke: no event file {path} (the samples are in events/)") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise SystemExit(f"zik invoke: cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SystemExit(f"zik invoke: {path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _invoke(args: argparse.Namespace) -> int:
    event = _event_file(args.event)
    debug = _debug_target(args, args.function)
    if args.url and debug is not None:
        raise SystemExit(
            "zik invoke: --debug-port runs the function in a fresh embedded cloud; to debug inside a running one, start it with `zik dev --debug-function`"
        )
    if args.url:
        answer = _post(f"{args.url}/_zik/invoke/{args.function}", event)
        print(json.dumps(answer.get("result", answer), indent=2))
        return 0 if not answer.get("error") else 1
    from zik_local.cloud import LocalCloud

    options = _options(args, port=0, prewarm=False, watch=False, throttle=False, debug=debug)
    with LocalCloud(options) as cloud:
        assert cloud.deployment is not None and cloud.runtime is not None
        try:
            spec = cloud.deployment.find_function(args.function)
        except KeyError as exc:
            raise SystemExit(f"zik invoke: {exc.args[0]}") from None
        if debug is not None:
            waits = "; it waits for the debugger before it runs" if debug.wait else ""
            print(f"zik invoke: attach a debugger to {spec.logical_id} on 127.0.0.1:{debug.port}{waits}", file=sys.stderr, flush=True)
        invocation = cloud.runtime.invoke(spec.logical_id, event)
    if invocation.failed:
        print(json.dumps(invocation.error, indent=2))
        return 1
    print(json.dumps(invocation.payload, indent=2))
    return 0


def _logs(args: argparse.Namespace) -> int:
    from urllib.parse import urlencode

    after = 0
    try:
        while True:
            query = urlencode({"function": args.function, "after": after, "wait": 20 if args.tail else 0})
            answer = _answer(f"{args.url}/_zik/logs?{query}", f"{args.url}/_zik/logs", timeout=60)
            if "lines" not in answer:
                error = answer.get("error") or {}
                print(f"zik logs: {error.get('message') or json.dumps(answer)}", file=sys.stderr)
                return 1
            for entry in answer["lines"]:
                stamp = time.strftime("%H:%M:%S", time.localtime(entry["time"]))
                print(f"{stamp} {entry['line']}", flush=True)
            after = answer["next"]
            if not args.tail:
                return 0
    except KeyboardInterrupt:
        return 0


def _aws_line(info: dict[str, Any]) -> str:
    """An aws CLI command line that works when pasted (credentials, region and endpoint of the embedded AWS)."""
    credentials = " ".join(f"{k}={v}" for k, v in LOCAL_CREDENTIALS.items())
    return f"{credentials} aws --region {info['region']} --endpoint-url {info['awsEndpoint']}"


def _aws(args: argparse.Namespace) -> int:
    executable = shutil.which("aws")
    if executable is None:
        raise SystemExit("zik aws: no aws CLI on the PATH (pip install awscli, or use boto3 with the endpoint in `zik dev`'s output)")
    info = _get(f"{args.url}/_zik/info")
    if "awsEndpoint" not in info:
        raise SystemExit(f"zik aws: {json.dumps(info)}")
    environment = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")}
    environment.update(LOCAL_CREDENTIALS, AWS_DEFAULT_REGION=info["region"])
    arguments = args.arguments[1:] if args.arguments[:1] == ["--"] else args.arguments
    os.execve(executable, [executable, "--endpoint-url", info["awsEndpoint"], *arguments], environment)
    return 0  # (execve does not return)


def _openapi(args: argparse.Namespace) -> int:
    from zik_local import openapi
    from zik_local.cloud import LocalCloud

    with LocalCloud(_options(args, port=0, prewarm=False, watch=False, quiet=True)) as cloud:
        assert cloud.stack is not None and cloud.deployment is not None and cloud.gateway is not None
        schema_root = next(iter(cloud.stack.layer_dirs.values())) / "zik" / "schemas"
        document = openapi.build(cloud.deployment, cloud.gateway.api, schema_root, DEFAULT_URL)
    text = json.dumps(document, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
