"""``make bench`` (career): resume analysis of a two-page PDF, in an embedded cloud of its own.

  resume    milliseconds of POST /api/resume/analyze with a real two-page PDF (written with fpdf2), through the
            gateway to the real ResumeFunction: the base64 decoded, the bytes sniffed, the text extracted
            with pypdf, the ATS rules, the career.resume task (the offline provider: zik dev's default), the
            original put in the versioned bucket and the resume recorded with the profile's ``resume`` in one
            transaction. p50 and p90 of ``runs`` requests after one warm-up request (which pays for the
            function's first import of pypdf and is reported apart).

Run alone, with the rest of the career part: ``python -m zik_local.bench career``.
"""

from __future__ import annotations

import base64
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zik_local.bench import BenchError, api_client

RUNS = 20
TARGET_P50_MS = 1500.0

_PAGES = [
    [
        "Ada Lovelace",
        "London, UK | ada@example.com | +44 20 7946 0958 | linkedin.com/in/ada-lovelace",
        "",
        "SUMMARY",
        "Senior Data Engineer with 7 years of experience building reliable data platforms in Python, SQL and AWS.",
        "",
        "EXPERIENCE",
        "Senior Data Engineer, Analytical Engines Ltd",
        "Mar 2022 - Present",
        "- Led the migration of 40 batch jobs to Airflow, cutting failed runs by 65%",
        "- Built a Spark pipeline that processes 2 TB a day for 300 analysts",
        "- Reduced warehouse costs by 120,000 GBP a year by partitioning the largest tables",
        "- Mentored 4 engineers through their first on-call rotations",
        "- Worked on the data catalogue",
        "",
        "Data Engineer, Babbage & Co",
        "Jan 2019 - Feb 2022",
        "- Designed the ETL of billing data into Redshift from 15 sources",
        "- Automated the monthly revenue report, saving the finance team 3 days a month",
        "- Responsible for the data quality checks",
    ],
    [
        "Analyst, Difference Engines plc",
        "Sep 2017 - Dec 2018",
        "- Analysed churn for 2 million subscribers with SQL and Pandas",
        "- Presented weekly findings to the product leadership",
        "",
        "PROJECTS",
        "- Open-source Airflow provider for the Engines API (120 stars on GitHub)",
        "",
        "EDUCATION",
        "BSc Mathematics, University of London, 2014 - 2017",
        "",
        "CERTIFICATIONS",
        "AWS Certified Data Engineer - Associate",
        "",
        "SKILLS",
        "Python, SQL, Spark, Airflow, AWS, Redshift, Docker, Terraform, PostgreSQL, Kafka, dbt, Pandas",
    ],
]


@dataclass
class ResumeFigures:
    samples_ms: list[float]
    first_ms: float
    pdf_bytes: int
    ats_score: int

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile of the timed requests."""
        ordered = sorted(self.samples_ms)
        rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
        return ordered[rank - 1]

    @property
    def p50_ms(self) -> float:
        return self.percentile(0.50)

    @property
    def p90_ms(self) -> float:
        return self.percentile(0.90)


def two_page_pdf() -> bytes:
    """A two-page resume as an editor exports it: text PDF, standard fonts (fpdf2, a development dependency)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Ada Lovelace - Resume")
    pdf.set_font("Helvetica", size=10)
    for lines in _PAGES:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def measure_resume(cloud_factory: Callable[[], Any], progress: Callable[[str], None], runs: int = RUNS) -> ResumeFigures:
    """``cloud_factory`` starts a LocalCloud; ``runs`` analyses are timed after one warm-up."""
    if runs < 1:
        raise BenchError("runs must be at least 1")
    pdf = two_page_pdf()
    body = {
        "fileName": "Ada Lovelace - Resume.pdf",
        "contentType": "application/pdf",
        "content": base64.b64encode(pdf).decode(),
        "targetRole": "Data Engineer",
    }
    cloud = cloud_factory()
    try:
        call = api_client(cloud)
        token = call("POST", "/_zik/token", {"user": "bench-career-resume"})["token"]

        def analyse() -> tuple[float, dict[str, Any]]:
            began = time.perf_counter()
            resume = call("POST", "/api/resume/analyze", body, token)
            elapsed = (time.perf_counter() - began) * 1000
            if resume.get("status") != "analyzed" or resume.get("pageCount") != 2:
                raise BenchError(f"the two-page PDF was not analysed: {resume}")
            return elapsed, resume

        first, resume = analyse()
        samples = [analyse()[0] for _ in range(runs)]
        figures = ResumeFigures(samples, first, len(pdf), int(resume["atsScore"]))
        progress(f"career: resume analysis p50 {figures.p50_ms:.0f} ms, p90 {figures.p90_ms:.0f} ms (first {first:.0f} ms)")
        return figures
    finally:
        cloud.stop()


def rows(figures: ResumeFigures, met: Callable[[bool], str]) -> list[tuple[str, str, str, str]]:
    """The report's lines (name, figure, target, met)."""
    return [
        (
            f"resume analysis of a two-page PDF p50 ({len(figures.samples_ms)} requests)",
            f"{figures.p50_ms:.0f} ms",
            f"< {TARGET_P50_MS:g} ms",
            met(figures.p50_ms < TARGET_P50_MS),
        ),
        ("resume analysis of a two-page PDF p90", f"{figures.p90_ms:.0f} ms", "-", "-"),
    ]


def notes(figures: ResumeFigures) -> str:
    return (
        f"career: the first analysis took {figures.first_ms:.0f} ms (the function's first PDF: pypdf imported), "
        f"a {figures.pdf_bytes}-byte PDF scored {figures.ats_score}; median {statistics.median(figures.samples_ms):.0f} ms"
    )
