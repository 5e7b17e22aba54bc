"""``make bench`` (studio): the photo pipeline and the try-on, in an embedded cloud of its own.

  upload    milliseconds from the start of the multipart POST of a real 512 x 512 portrait
            (tests/fixtures/studio/astronaut.jpg) to its presigned form until GET /studio/photos/{photoId}
            answers ``ready``: moto's S3 event on the bus, PhotoUploadedFunction, the FIFO
            ImageProcessingQueue, ImageProcessingFunction (bytes checked, cleaned, two thumbnails, one
            conditional update). p50 and p90 of ``uploads`` photos posted one after another, after one
            warm-up photo (its function's first import of Pillow and OpenCV), reported apart.
  try-on    milliseconds from POST /studio/tryons until GET /studio/tryons/{jobId} answers ``succeeded``:
            the job written, the TryonStateMachine started and run by moto's Step Functions (quota, the
            offline edit through the AI gateway, the result stored as a photo of its own). p50 and p90 of
            ``tryons`` after one warm-up, on that portrait.
  FIFO      ``order_uploads`` photos of ``order_users`` users posted by one thread per user, all at once:
            each user's photos one after another (the order a phone uploads them in, the only order a user's
            uploads have), the users' side by side. The cloud's log of what ImageProcessingFunction was given
            (and did not report failed) tells, per user, the order their photos were processed in: "kept"
            when it is the upload order. The queue's own order (each message's SequenceNumber, increasing
            as in SQS: zik_local.hooks) is checked apart: EventBridge and Lambda's asynchronous invocations
            of PhotoUploadedFunction promise no order before the queue, in AWS as here, and the queue keeps
            the order it was given.
  memory    the peak memory of the process tree (this process, moto in it, and the functions' sandboxes),
            sampled every quarter second from /proc while the part runs: the sum of the processes'
            proportional set sizes, each shared page counted once in all (Linux only).

Figures only: nothing here has a target. Run alone: ``python -m zik_local.bench studio``.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zik_local.bench import BenchError, api_client
from zik_local.cloud import CloudOptions, LocalCloud
from zik_local.provision import QueueMapping
from zik_local.runtime import Invocation

UPLOADS = 20
TRYONS = 10
ORDER_USERS = 4
ORDER_UPLOADS = 20
POLL_SECONDS = 0.01
WAIT_SECONDS = 120.0
PORTRAIT = Path("tests") / "fixtures" / "studio" / "astronaut.jpg"
PROCESSOR = "ImageProcessingFunction"


@dataclass
class Processed:
    """One message ImageProcessingFunction was given and did not report failed, in the order it was."""

    user_id: str
    photo_id: str
    sequence_number: int
    at: float  # time.perf_counter() when its batch was answered


class StudioCloud(LocalCloud):
    """The local cloud, keeping a log of the image queue's messages as its function processed them."""

    def __init__(self, options: CloudOptions):
        super().__init__(options)
        self.processed: list[Processed] = []
        self._processed_lock = threading.Lock()

    def process_batch(self, mapping: QueueMapping, messages: list[dict[str, Any]]) -> Invocation:
        invocation = super().process_batch(mapping, messages)
        if mapping.function != PROCESSOR or invocation.failed:
            return invocation
        answered = time.perf_counter()
        reported = (invocation.payload or {}).get("batchItemFailures") if isinstance(invocation.payload, dict) else None
        failed = {f.get("itemIdentifier") for f in reported or [] if isinstance(f, dict)}
        with self._processed_lock:
            for message in messages:
                if message["MessageId"] in failed:
                    continue
                body = json.loads(message["Body"])
                attributes = message.get("Attributes") or {}
                self.processed.append(Processed(str(body["user_id"]), str(body["photo_id"]), int(attributes.get("SequenceNumber") or 0), answered))
        return invocation


def started_cloud(template: Path) -> StudioCloud:
    cloud = StudioCloud(CloudOptions(template=template, port=0, quiet=True, watch=False, throttle=False))
    cloud.start()
    return cloud


class TreeMemory:
    """The peak memory (bytes, proportional set size) of this process and its descendants, sampled from /proc."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-memory")

    @staticmethod
    def available() -> bool:
        return Path("/proc/self/status").exists()

    def sample(self) -> tuple[int, int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    # The command name is in parentheses and may hold spaces: the parent's pid follows it.
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
            tree.update(children)
            frontier.extend(children)
        return sum(self.proportional(pid) for pid in tree), len(tree)

    @staticmethod
    def proportional(pid: int) -> int:
        """A process's proportional set size (its share of each page it shares: the sandboxes are forks of
        one parent, and their resident sizes would count the shared pages once per process); its resident
        size where the kernel has no smaps_rollup; 0 for a process gone."""
        for name, label in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
            try:
                for line in Path(name).read_text().splitlines():
                    if line.startswith(label):
                        return int(line.split()[1]) * 1024
            except (OSError, ValueError):
                continue
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            total, processes = self.sample()
            if total > self.peak:
                self.peak, self.peak_processes = total, processes
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        if self.available():
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


@dataclass
class OrderFigures:
    users: int
    uploads: int
    kept_users: int  # users whose photos were processed in their upload order
    swapped_pairs: int  # pairs of one user's photos processed in the opposite order to their upload
    queue_kept_users: int  # users whose photos were processed in the queue's order (SequenceNumber)
    pending_after_posts: int  # photos not yet processed when the last POST was answered
    seconds: float  # from the first POST until the last photo was processed

    @property
    def kept(self) -> bool:
        return self.kept_users == self.users


@dataclass
class StudioFigures:
    upload_ms: list[float]
    first_upload_ms: float
    tryon_ms: list[float]
    first_tryon_ms: float
    order: OrderFigures
    photo_bytes: int
    peak_memory: int = 0
    peak_processes: int = 0
    notes: list[str] = field(default_factory=list)


def post_form(form: dict[str, Any], data: bytes, content_type: str, file_name: str) -> int:
    """A browser's upload to a presigned POST: the form's fields, then the file, as multipart/form-data."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode() for name, value in form["fields"].items()]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
    )
    parts.append(data + f"\r\n--{boundary}--\r\n".encode())
    url = urlsplit(form["url"])
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=60)
    try:
        connection.request("POST", url.path or "/", body=b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        answer = connection.getresponse()
        answer.read()
        if answer.status not in (200, 201, 204):
            raise BenchError(f"the presigned POST answered {answer.status}")
        return answer.status
    finally:
        connection.close()


def _until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: not within {WAIT_SECONDS:.0f}s")
        time.sleep(POLL_SECONDS)


def _new_photo(call: Callable[..., Any], token: str) -> dict[str, Any]:
    return call("POST", "/studio/photos", {"contentType": "image/jpeg", "fileName": "portrait.jpg"}, token)


def _upload(call: Callable[..., Any], token: str, photo: bytes) -> tuple[float, str]:
    """Milliseconds from the start of the presigned POST until the photo is ready; and its photoId."""
    created = _new_photo(call, token)
    photo_id = created["photoId"]
    began = time.perf_counter()
    post_form(created["upload"], photo, "image/jpeg", "portrait.jpg")

    def ready() -> bool:
        status = call("GET", f"/studio/photos/{photo_id}", None, token)["status"]
        if status == "rejected":
            raise BenchError(f"the portrait was rejected: photo {photo_id}")
        return status == "ready"

    _until(ready, f"photo {photo_id} ready")
    return (time.perf_counter() - began) * 1000, photo_id


def _tryon(call: Callable[..., Any], token: str, photo_id: str, hairstyle_id: str) -> float:
    began = time.perf_counter()
    job = call("POST", "/studio/tryons", {"photoId": photo_id, "hairstyleId": hairstyle_id}, token)

    def finished() -> dict[str, Any] | None:
        answer = call("GET", f"/studio/tryons/{job['jobId']}", None, token)
        return answer if answer["status"] in ("succeeded", "failed") else None

    done = _until(finished, f"try-on {job['jobId']} finished")
    if done["status"] != "succeeded":
        raise BenchError(f"the try-on failed: {done.get('error')}")
    return (time.perf_counter() - began) * 1000


def measure_order(cloud: StudioCloud, photo: bytes, users: int, uploads: int) -> OrderFigures:
    """``uploads`` photos shared among ``users`` users, one thread per user posting theirs one after another,
    all threads at once; then each user's processing order compared with their upload order."""
    call = api_client(cloud)
    tokens = [call("POST", "/_zik/token", {"user": f"bench-studio-order-{u}"})["token"] for u in range(users)]
    per_user = [uploads // users + (1 if u < uploads % users else 0) for u in range(users)]
    # The pending photos and their forms first, so that the threads only post files.
    forms = [[_new_photo(call, tokens[u]) for _ in range(per_user[u])] for u in range(users)]
    owners = {form["photoId"]: u for u in range(users) for form in forms[u]}
    uploaded: list[list[str]] = [[] for _ in range(users)]
    errors: list[BaseException] = []
    start = threading.Barrier(users + 1)

    def post_all(u: int) -> None:
        try:
            start.wait()
            for form in forms[u]:
                post_form(form["upload"], photo, "image/jpeg", "portrait.jpg")
                uploaded[u].append(form["photoId"])
        except BaseException as exc:  # noqa: BLE001 - re-raised by the main thread
            errors.append(exc)

    before = len(cloud.processed)
    threads = [threading.Thread(target=post_all, args=(u,), name=f"bench-upload-{u}") for u in range(users)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    posted = time.perf_counter()
    if errors:
        raise BenchError(f"a concurrent upload failed: {errors[0]!r}")

    def all_processed() -> list[Processed] | None:
        ours = [p for p in cloud.processed[before:] if p.photo_id in owners]
        return ours if len({p.photo_id for p in ours}) == len(owners) else None

    processed = _until(all_processed, f"{len(owners)} concurrent uploads processed")
    # Where each photo was first processed in the log (a redelivery counts where it was first processed):
    # the log's order is the processing order, within a batch too (the FIFO processor takes its records in turn).
    first: dict[str, Processed] = {}
    position: dict[str, int] = {}
    for index, entry in enumerate(processed):
        first.setdefault(entry.photo_id, entry)
        position.setdefault(entry.photo_id, index)
    kept = swapped = queue_kept = 0
    for u in range(users):
        pairs = sum(1 for i, a in enumerate(uploaded[u]) for b in uploaded[u][i + 1 :] if position[a] > position[b])
        swapped += pairs
        kept += pairs == 0
        ordered_processing = [p for p in processed if owners[p.photo_id] == u and first[p.photo_id] is p]
        sequence = [p.sequence_number for p in ordered_processing]
        queue_kept += sequence == sorted(sequence)
    pending = sum(1 for p in first.values() if p.at > posted)
    last = max(p.at for p in first.values())
    return OrderFigures(users, len(owners), kept, swapped, queue_kept, pending, last - began)


def measure_studio(
    cloud_factory: Callable[[], StudioCloud],
    progress: Callable[[str], None],
    *,
    uploads: int = UPLOADS,
    tryons: int = TRYONS,
    order_users: int = ORDER_USERS,
    order_uploads: int = ORDER_UPLOADS,
) -> StudioFigures:
    if uploads < 1 or tryons < 1 or not 1 <= order_users <= order_uploads:
        raise BenchError("uploads and tryons must be at least 1, and the order's users between 1 and its uploads")
    if not PORTRAIT.exists():
        raise BenchError(f"run it from the checkout (no {PORTRAIT})")
    photo = PORTRAIT.read_bytes()
    with TreeMemory() as memory:
        cloud = cloud_factory()
        try:
            call = api_client(cloud)
            token = call("POST", "/_zik/token", {"user": "bench-studio"})["token"]
            first_upload, photo_id = _upload(call, token, photo)
            upload_ms = [_upload(call, token, photo)[0] for _ in range(uploads)]
            progress(f"studio: upload to ready p50 {percentile(upload_ms, 0.5):.0f} ms (first {first_upload:.0f} ms)")

            hairstyle_id = call("GET", "/studio/hairstyles", None, token)["items"][0]["hairstyleId"]
            first_tryon = _tryon(call, token, photo_id, hairstyle_id)
            tryon_ms = [_tryon(call, token, photo_id, hairstyle_id) for _ in range(tryons)]
            progress(f"studio: try-on to succeeded p50 {percentile(tryon_ms, 0.5):.0f} ms (first {first_tryon:.0f} ms)")

            order = measure_order(cloud, photo, order_users, order_uploads)
            progress(
                f"studio: FIFO upload order per user {'kept' if order.kept else 'broken'} ({order.kept_users} of {order.users} users), "
                f"queue order kept for {order.queue_kept_users} of {order.users}"
            )
        finally:
            cloud.stop()
    return StudioFigures(upload_ms, first_upload, tryon_ms, first_tryon, order, len(photo), memory.peak, memory.peak_processes)


def rows(figures: StudioFigures) -> list[tuple[str, str, str, str]]:
    """The report's lines (name, figure, target, met): figures only, no targets."""
    order = figures.order
    return [
        (f"studio upload -> thumbnail ready p50 ({len(figures.upload_ms)} photos)", f"{percentile(figures.upload_ms, 0.5):.0f} ms", "-", "-"),
        ("studio upload -> thumbnail ready p90", f"{percentile(figures.upload_ms, 0.9):.0f} ms", "-", "-"),
        (f"studio try-on -> succeeded p50 ({len(figures.tryon_ms)} try-ons, offline)", f"{percentile(figures.tryon_ms, 0.5):.0f} ms", "-", "-"),
        ("studio try-on -> succeeded p90", f"{percentile(figures.tryon_ms, 0.9):.0f} ms", "-", "-"),
        (
            f"studio FIFO: each user's photos processed in the queue's order ({order.uploads} uploads by {order.users} users at once)",
            f"{'kept' if order.queue_kept_users == order.users else 'broken'} ({order.queue_kept_users}/{order.users} users)",
            "-",
            "-",
        ),
        (
            "studio: ... and in upload order (S3's events are unordered: not promised)",
            f"{order.kept_users}/{order.users} users ({order.swapped_pairs} pairs swapped)",
            "-",
            "-",
        ),
    ]


def notes(figures: StudioFigures) -> list[str]:
    order = figures.order
    memory = (
        f"peak memory of the process tree {figures.peak_memory / 2**20:.0f} MiB (proportional set sizes of {figures.peak_processes} processes)"
        if figures.peak_memory
        else "memory not measured (no /proc)"
    )
    return [
        f"studio: the first photo took {figures.first_upload_ms:.0f} ms to be ready (ImageProcessingFunction's first import of its "
        f"image libraries), the first try-on {figures.first_tryon_ms:.0f} ms; a {figures.photo_bytes}-byte 512 x 512 portrait",
        (
            f"studio: FIFO: {order.pending_after_posts} of {order.uploads} photos still waiting when the last POST was answered, all "
            f"processed {order.seconds:.2f} s after the first POST; an order broken before the queue is PhotoUploadedFunction's: "
            "its asynchronous invocations run side by side and send in the order they finish, in Lambda as here"
        ),
        f"studio: {memory}",
    ]
