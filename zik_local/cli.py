"""``zik``: the local cloud's command line.

  zik dev [--port 3000] [--schedules]        serve the whole platform on 127.0.0.1
  zik token --user alice [--tenant t]        print an ID token the local gateway accepts
  zik codes [--user EMAIL]                   the sign-up / password-reset codes Cognito would have e-mailed
  zik invoke <Function> -e events/x.json     invoke one function (like `sam local invoke`)
  zik schedule <Function>                    fire a function's schedule on the running `zik dev`
  zik openapi [-o openapi.json]              print the API's OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_URL = "http://127.0.0.1:3000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zik", description="zik's embedded local cloud (no Docker, no AWS).")
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="serve the whole platform locally")
    _template_options(dev)
    dev.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--aws-port", type=int, default=0, help="port of the embedded AWS endpoint (default: any free)")
    dev.add_argument("--schedules", action="store_true", help="also fire schedules on time")
    dev.add_argument("--no-throttle", action="store_true", help="ignore the stage's throttling limits")
    dev.add_argument("--no-job-feeds", action="store_true", help="do not put the shipped sample job feeds in JobFeedsBucket")

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

    schedule = commands.add_parser("schedule", help="fire a function's schedule now")
    schedule.add_argument("function", help="the scheduled function's (or schedule's) logical id")
    schedule.add_argument("--url", default=DEFAULT_URL, help="the running `zik dev`")

    spec = commands.add_parser("openapi", help="print the API's OpenAPI document")
    spec.add_argument("-o", "--output", help="write it to this file")
    _template_options(spec)

    args = parser.parse_args(argv)
    return {"dev": _dev, "token": _token, "codes": _codes, "invoke": _invoke, "schedule": _schedule, "openapi": _openapi}[args.command](args)


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
    from zik_local.runtime import SandboxPool

    # Before the heavy imports below: the first execution environments load their libraries meanwhile.
    sandboxes = SandboxPool(spares=1)
    from zik_local.cloud import LocalCloud

    cloud = LocalCloud(
        _options(
            args,
            port=args.port,
            host=args.host,
            aws_port=args.aws_port,
            run_schedules=args.schedules,
            throttle=not args.no_throttle,
        ),
        sandboxes,
    )
    from zik_local.resolve import TemplateError

    try:
        cloud.start()
    except (OSError, TemplateError) as exc:  # TemplateError: e.g. a custom resource answered FAILED
        print(f"zik dev: cannot start: {exc}", file=sys.stderr)
        cloud.stop()
        return 1
    feeds = [] if args.no_job_feeds else _seed_job_feeds(cloud)
    info = cloud.info()
    lines = [
        f"zik dev is up in {time.perf_counter() - started:.2f}s",
        f"  API              {info['apiUrl']}",
        f"  OpenAPI          {info['openapi']}",
        f"  Swagger UI       {info['docs']}",
        f"  embedded AWS     {info['awsEndpoint']}   (aws --endpoint-url {info['awsEndpoint']} dynamodb list-tables)",
        f"  JWKS             {info['jwks']}",
        f"  token            zik token --user alice   (then: curl -H \"Authorization: Bearer $TOKEN\" {info['apiUrl']}/me)",
        f"  functions        {len(info['functions'])}; routes {len(info['routes'])}; queues {len(info['queues'])}; "
        f"state machines {len(info['stateMachines'])}; schedules {len(info['schedules'])}"
        + ("" if args.schedules else " (fire with: zik schedule <Function>)"),
    ]
    if feeds:
        lines.append(f"  job feeds        {len(feeds)} sample feeds in JobFeedsBucket (ingest them: zik schedule JobIngestionFunction)")
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
        raise SystemExit(f"zik: no `zik dev` answers at {url.rsplit('/_zik', 1)[0]} ({exc.reason}); start it with `make dev`")


def _token(args: argparse.Namespace) -> int:
    answer = _post(f"{args.url}/_zik/token", {"user": args.user, "tenant": args.tenant, "email": args.email, "ttlSeconds": args.ttl, "groups": args.group})
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
        print("no codes yet" + (f" for {args.user}" if args.user else "") + " (SignUp, ResendConfirmationCode and ForgotPassword make them)", file=sys.stderr)
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
    if args.url:
        answer = _post(f"{args.url}/_zik/invoke/{args.function}", event)
        print(json.dumps(answer.get("result", answer), indent=2))
        return 0 if not answer.get("error") else 1
    from zik_local.cloud import LocalCloud

    options = _options(args, port=0, prewarm=False, watch=False, throttle=False)
    with LocalCloud(options) as cloud:
        try:
            spec = cloud.deployment.find_function(args.function)
        except KeyError as exc:
            raise SystemExit(f"zik invoke: {exc.args[0]}") from None
        invocation = cloud.runtime.invoke(spec.logical_id, event)
    if invocation.failed:
        print(json.dumps(invocation.error, indent=2))
        return 1
    print(json.dumps(invocation.payload, indent=2))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from zik_local import openapi
    from zik_local.cloud import LocalCloud

    with LocalCloud(_options(args, port=0, prewarm=False, watch=False, quiet=True)) as cloud:
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
