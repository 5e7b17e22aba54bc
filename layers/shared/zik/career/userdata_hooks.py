"""The career's part of GET /me/export and of a user's erasure: the functions that serve them call
``register()`` at init.

The export holds what the user gave and what was made of it: the career profile, every resume's analysis
(the originals stay in the bucket: the analysis names them), saved jobs, applications with their history,
the interview e-mails read and the forwarding address. The erasure removes the partition a page at a time,
the forwarding address's global item first (it names the user from outside the partition), and, with the
last page, every version of every original resume under the user's prefixes."""

from __future__ import annotations

from typing import Any

from zik import config, userdata
from zik.career import tables
from zik.dynamo import Table
from zik.principal import Principal

_HIDDEN = ("pk", "sk", "gsi1pk", "gsi1sk", "expiresAt")
# sk prefix -> the export's section; match explanations are derived data and stay out.
_SECTIONS = (
    (tables.MATCH_PREFIX, None),
    (tables.PROFILE, "profile"),
    (tables.RESUME_PREFIX, "resumes"),
    (tables.SAVED_PREFIX, "savedJobs"),
    (tables.APPLICATION_JOB_PREFIX, None),
    (tables.APPLICATION_PREFIX, "applications"),
    (tables.EMAIL_PREFIX, "emails"),
    (tables.MAILBOX, "mailbox"),
)


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in _HIDDEN}


class CareerData:
    def __init__(self, table: Table | None = None, bucket: str | None = None):
        self.table = table or tables.career_table()
        self.bucket = bucket if bucket is not None else config.optional("RESUMES_BUCKET", "")

    def export(self, owner: Principal) -> dict[str, Any]:
        document: dict[str, Any] = {"profile": None, "resumes": [], "savedJobs": [], "applications": [], "emails": [], "mailbox": None}
        for item in self.table.iterate(owner.partition):
            section = next((name for prefix, name in _SECTIONS if item["sk"].startswith(prefix)), None)
            if section is None:
                continue
            if isinstance(document[section], list):
                document[section].append(_public(item))
            else:
                document[section] = _public(item)
        return document

    def size(self, owner: Principal) -> int:
        return self.table.count(owner.partition)

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        removed = self._forget_mailbox(owner)
        went, done = self.table.erase_page(owner.partition, limit)
        removed += went
        if done and self.bucket:
            from zik.buckets import erase_versions

            removed += sum(erase_versions(self.bucket, prefix) for prefix in tables.owner_prefixes(owner))
        return removed, done

    def _forget_mailbox(self, owner: Principal) -> int:
        """The forwarding address's global item, before the partition item that names its token goes."""
        mailbox = self.table.get(owner.partition, tables.MAILBOX)
        if not mailbox or not mailbox.get("token"):
            return 0
        return 1 if self.table.delete(tables.mailbox_pk(mailbox["token"]), tables.MAILBOX) is not None else 0


def register() -> None:
    career = CareerData()
    userdata.register("career", export=career.export, erase_page=career.erase_page, size=career.size)
