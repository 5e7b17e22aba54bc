"""Where each user's search index lives: one compressed document in the journal bucket (versioned), and a
pointer item in JournalTable naming the object version that is current.

Searching reads the pointer (one GetItem) and, when this environment does not hold that version yet, the
document (one GetObject). The indexer is the only writer: it writes a new object version, then moves the
pointer only if nobody moved it meanwhile (else it starts again from the newer index), so concurrent
indexers never lose each other's work. Old object versions expire by the bucket's lifecycle rule.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from zik import config
from zik.buckets import erase_versions, s3_client
from zik.journal.search import SearchIndex
from zik.journal.store import JournalStore
from zik.principal import Principal

PREFIX = "search-index"
CACHED_USERS = 64
MAX_ATTEMPTS = 8


def object_key(owner: Principal) -> str:
    return f"{PREFIX}/{owner.tenant_id}/{owner.user_id}.idx.gz"


class SearchIndexes:
    def __init__(self, store: JournalStore, bucket: str | None = None):
        self.store = store
        self.bucket = bucket or config.require("JOURNAL_BUCKET")["JOURNAL_BUCKET"]
        # The indexes this environment read last, by user: (object version, index).
        self._cache: OrderedDict[str, tuple[str, SearchIndex]] = OrderedDict()

    def load(self, owner: Principal, *, consistent: bool = False) -> SearchIndex:
        index, _ = self._current(owner, consistent=consistent)
        return index

    def _current(self, owner: Principal, *, consistent: bool) -> tuple[SearchIndex, int]:
        pointer = self.store.search_index(owner, consistent=consistent)
        if pointer is None:
            return SearchIndex(), 0
        version = pointer["objectVersion"]
        cached = self._cache.get(owner.partition)
        if cached and cached[0] == version:
            self._cache.move_to_end(owner.partition)
            return cached[1], pointer["revision"]
        body = s3_client().get_object(Bucket=self.bucket, Key=pointer["objectKey"], VersionId=version)["Body"].read()
        index = SearchIndex.loads(body)
        self._remember(owner, version, index)
        return index, pointer["revision"]

    def _remember(self, owner: Principal, version: str, index: SearchIndex) -> None:
        self._cache[owner.partition] = (version, index)
        self._cache.move_to_end(owner.partition)
        while len(self._cache) > CACHED_USERS:
            self._cache.popitem(last=False)

    def change(self, owner: Principal, apply: Callable[[SearchIndex], bool]) -> bool:
        """Apply ``apply`` to the user's index and store the result; ``apply`` says whether it changed
        anything (nothing is written when not). Runs again on a newer index if another writer won."""
        for _ in range(MAX_ATTEMPTS):
            index, revision = self._current(owner, consistent=True)
            try:
                if not apply(index):
                    return False
            except BaseException:
                self._cache.pop(owner.partition, None)
                raise
            body = index.dumps()
            key = object_key(owner)
            answer = s3_client().put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/gzip")
            version = answer.get("VersionId") or "null"
            if self.store.move_search_index(owner, {"objectKey": key, "objectVersion": version, "entries": len(index), "bytes": len(body)}, revision):
                self._remember(owner, version, index)
                return True
            # The cached index now holds changes that are not the stored ones: read the stored one again.
            self._cache.pop(owner.partition, None)
        raise RuntimeError(f"the search index of {owner.partition} kept changing under {MAX_ATTEMPTS} attempts")

    def erase(self, owner: Principal) -> int:
        """Every stored version of the user's index."""
        self._cache.pop(owner.partition, None)
        key = object_key(owner)
        return erase_versions(self.bucket, key, only=key)
