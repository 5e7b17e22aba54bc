"""The career's two tables, their item keys and the S3 keys of its buckets: the one place they are
spelled, shared by the stores (template.yaml lists the access patterns next to each table).

CareerTable, everything a user owns under pk = TENANT#<t>#USER#<u>:
  career profile          sk PROFILE
  a match explanation     sk PROFILE#MATCH#<jobId>        (cached under the profile: one query reads both)
  a resume                sk RESUME#<resumeId>            (resume ids sort by time: newest last)
  a saved job             sk SAVED#<jobId>
  an application          sk APP#<applicationId>          gsi1pk <pk>#APPLICATIONS  gsi1sk <appliedAt or createdAt>#<applicationId>
  one application per job sk APPJOB#<jobId>               (written with the application, in one transaction)
  an e-mail read          sk EMAIL#<messageDigest>        (a redelivered message is read once)
  the forwarding address  sk MAILBOX                      and pk MAILBOX#<token>, sk MAILBOX -> its owner

JobsTable, shared by everyone:
  a job                   pk JOB#<jobId>        sk JOB    (source, postedDate: SourceDateIndex; openPk, openSk
                                                           while open: OpenJobsIndex)
  market of a role        pk MARKET#<roleKey>   sk LOC#<locationKey>   (aggregates and the cached narrative)
  a feed's last run       pk FEED#<source>      sk STATE
  the roles with markets  pk MARKET#ROLES       sk INDEX               {roles}: the role partitions holding aggregates

The shapes several modules read (each store documents the rest of its items):
  job       {jobId, source, externalId, title, company, location: {city, region, country, display},
             locationKey (vocabulary.slug of the city, "remote" for a remote-only job), remote (bool),
             seniority (vocabulary key), roleKey (vocabulary.role_key of the title), skills [canonical],
             requirements [str], salary {min, max, currency, period: "year"} or null, employmentType,
             description, url, postedDate (YYYY-MM-DD), status ("open" | "closed"), closedAt, closedReason,
             workplace ("remote" | "hybrid" | "onsite"), department, postedBy (an admin's post), version (moves
             when the posting's content changes), contentHash, updatedAt; openPk = "OPEN" and
             openSk = "<postedDate>#<jobId>" only while open}
  profile   {userId, name, careerStage, skills [canonical], preferences: {roles [str], locations [str],
             remote ("any" | "remote" | "hybrid" | "onsite"), minSalary, currency}, version, updatedAt,
             resume: {resumeId, skills [canonical], yearsOfExperience, seniority, analyzedAt} | absent}
            The profile's owner (profiles) writes all but ``resume``, which the resumes write when an
            analysis is saved or the latest resume is deleted (an UpdateItem of that attribute alone).
  resume    {resumeId, status ("pending" | "analyzed" | "failed"), fileName, contentType, size, s3Key,
             versionId, source ("api" | "upload"), createdAt, analyzedAt, atsScore, strengths, weaknesses,
             suggestions, skills, sections, contact, error}
  application {applicationId, jobId | null, company, role, location, url, notes, status, history [{status,
             at, via}], appliedAt | null, createdAt, updatedAt, version, interview {...} | absent}
"""

from __future__ import annotations

from zik import config
from zik.dynamo import Table
from zik.principal import Principal

USER_ID_INDEX = "UserIdIndex"
SOURCE_DATE_INDEX = "SourceDateIndex"
OPEN_JOBS_INDEX = "OpenJobsIndex"
OPEN = "OPEN"

PROFILE = "PROFILE"
MATCH_PREFIX = "PROFILE#MATCH#"
RESUME_PREFIX = "RESUME#"
SAVED_PREFIX = "SAVED#"
APPLICATION_PREFIX = "APP#"
APPLICATION_JOB_PREFIX = "APPJOB#"
EMAIL_PREFIX = "EMAIL#"
MAILBOX = "MAILBOX"


def match_sk(job_id: str) -> str:
    return f"{MATCH_PREFIX}{job_id}"


def resume_sk(resume_id: str) -> str:
    return f"{RESUME_PREFIX}{resume_id}"


def saved_sk(job_id: str) -> str:
    return f"{SAVED_PREFIX}{job_id}"


def application_sk(application_id: str) -> str:
    return f"{APPLICATION_PREFIX}{application_id}"


def application_job_sk(job_id: str) -> str:
    return f"{APPLICATION_JOB_PREFIX}{job_id}"


def applications_index_pk(owner: Principal) -> str:
    return f"{owner.partition}#APPLICATIONS"


def email_sk(digest: str) -> str:
    return f"{EMAIL_PREFIX}{digest}"


def mailbox_pk(token: str) -> str:
    return f"MAILBOX#{token}"


def job_pk(job_id: str) -> str:
    return f"JOB#{job_id}"


JOB_SK = "JOB"


def market_key(role_key: str, location_key: str) -> tuple[str, str]:
    return f"MARKET#{role_key}", f"LOC#{location_key}"


def feed_pk(source: str) -> str:
    return f"FEED#{source}"


# ResumesBucket: a resume's original under its owner's prefix (every S3 version is the owner's).
def resume_prefix(owner: Principal) -> str:
    """Originals of resumes analysed through the API."""
    return f"resumes/{owner.tenant_id}/{owner.user_id}/"


def upload_prefix(owner: Principal) -> str:
    """Originals uploaded with a presigned POST (the bucket's event on uploads/ analyses them)."""
    return f"uploads/{owner.tenant_id}/{owner.user_id}/"


def owner_prefixes(owner: Principal) -> tuple[str, ...]:
    return resume_prefix(owner), upload_prefix(owner)


def career_table() -> Table:
    return Table(config.require("CAREER_TABLE")["CAREER_TABLE"])


def jobs_table() -> Table:
    return Table(config.require("JOBS_TABLE")["JOBS_TABLE"])
