"""Writes the job feeds zik ships (``zik_local/job_feeds/greenhouse/*.json`` and ``lever/*.json``): ten
fictional employers' boards, five in the Greenhouse job board API's format (``GET /v1/boards/<token>/jobs
?content=true``) and five in the Lever postings API's (``GET /v0/postings/<site>?mode=json``), 330 postings
across the career vocabulary's role families, every seniority from intern to executive, cities on five
continents, remote and hybrid work, and pay in twelve currencies (by the year, the month or the hour), a
quarter of the postings with no pay stated, as real boards publish them.

    python -m zik_local.job_feeds.generate        # rewrites the files; the same bytes on every run

Seeded: the output depends on nothing but this file. Every date in it is a number of days before
ANCHOR_DAY (2026-11-23, the day of the sample events in events/): ``seed_feeds`` in this package moves
them all by the days between ANCHOR_DAY and the day it runs, so the postings are as fresh whenever they are
loaded as on the anchor day, and nothing that counts recent postings depends on the day a test runs.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from zik_local.job_feeds import ANCHOR_DAY, HERE

SEED = 2026_11_23

# Pay in US dollars of a mid-level hire in a place paying 1.0; seniority and the place scale it.
SENIORITY_PAY = {"intern": 0.4, "junior": 0.72, "mid": 1.0, "senior": 1.3, "lead": 1.55, "principal": 1.8, "executive": 2.1}
SENIORITY_WEIGHTS = {"intern": 6, "junior": 15, "mid": 30, "senior": 26, "lead": 10, "principal": 5, "executive": 16}
SENIORITY_YEARS = {"intern": 0, "junior": 1, "mid": 3, "senior": 5, "lead": 7, "principal": 10, "executive": 12}
# US dollars in each currency (fixed: the feeds are fiction, their pay only has to be plausible).
RATES = {
    "USD": 1.0,
    "EUR": 0.92,
    "GBP": 0.79,
    "CAD": 1.36,
    "AUD": 1.52,
    "SGD": 1.34,
    "INR": 83.0,
    "JPY": 150.0,
    "SEK": 10.5,
    "NOK": 10.7,
    "DKK": 6.9,
    "BRL": 5.0,
    "MXN": 17.0,
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "SGD": "S$", "INR": "₹", "JPY": "¥", "BRL": "R$"}


@dataclass(frozen=True)
class RoleSpec:
    key: str
    titles: tuple[str, ...]
    department: str
    pay: int  # US dollars a year, mid-level, in a place paying 1.0
    skills: tuple[str, ...]  # as a posting writes them; the first three in most postings
    extras: tuple[str, ...]  # nice to have
    duties: tuple[str, ...]
    executive: tuple[str, ...] = ()  # titles of its executive postings (none: the role has no executive level here)
    heat: float = 1.0  # > 1: postings more recent than most (a rising market); < 1: older
    lowest: str = "intern"  # the most junior level it hires at


ROLES = (
    RoleSpec(
        "software-engineer",
        ("Software Engineer", "Software Developer", "Software Development Engineer"),
        "Engineering",
        140_000,
        ("Python", "Java", "SQL", "Git", "System Design", "PostgreSQL", "Docker", "REST APIs", "AWS"),
        ("Kubernetes", "Go", "Kafka", "Terraform"),
        (
            "Design, build and ship features across our services",
            "Write clean, tested code and review your teammates'",
            "Take part in an on-call rotation for the services you own",
            "Break down ambiguous problems into small, shippable steps",
            "Improve the performance and reliability of our core systems",
        ),
    ),
    RoleSpec(
        "backend-engineer",
        ("Backend Engineer", "Back-End Engineer", "API Engineer"),
        "Engineering",
        145_000,
        ("Python", "SQL", "REST APIs", "AWS", "Microservices", "PostgreSQL", "Go", "Kafka", "Docker", "Redis"),
        ("gRPC", "Kubernetes", "DynamoDB", "Terraform"),
        (
            "Design and operate the APIs our apps and partners depend on",
            "Model data and evolve schemas without downtime",
            "Own services end to end: design, build, deploy, monitor",
            "Scale our event pipeline to billions of messages a day",
            "Partner with product and mobile teams on API contracts",
        ),
    ),
    RoleSpec(
        "frontend-engineer",
        ("Frontend Engineer", "Front-End Developer", "UI Engineer", "Web Developer"),
        "Engineering",
        135_000,
        ("JavaScript", "TypeScript", "React", "HTML", "CSS", "Next.js", "Accessibility", "Testing"),
        ("GraphQL", "Figma", "Tailwind CSS", "Vue"),
        (
            "Build fast, accessible interfaces used by millions",
            "Turn designs into polished, responsive components",
            "Grow and maintain our design system with the design team",
            "Measure and improve page performance",
            "Write unit and end-to-end tests for everything you ship",
        ),
    ),
    RoleSpec(
        "full-stack-engineer",
        ("Full Stack Engineer", "Full-Stack Developer", "Fullstack Engineer"),
        "Engineering",
        140_000,
        ("JavaScript", "TypeScript", "React", "Node.js", "SQL", "PostgreSQL", "REST APIs", "AWS"),
        ("GraphQL", "Docker", "Ruby on Rails", "Redis"),
        (
            "Ship product features from the database to the browser",
            "Own small product areas end to end",
            "Work closely with design and product on customer problems",
            "Keep our web app fast, secure and tested",
            "Help shape our engineering practices and tooling",
        ),
    ),
    RoleSpec(
        "mobile-engineer",
        ("iOS Engineer", "Android Engineer", "Mobile Engineer", "Mobile Developer"),
        "Engineering",
        145_000,
        ("Swift", "Kotlin", "React Native", "Testing", "SwiftUI", "Jetpack Compose", "REST APIs", "Git"),
        ("GraphQL", "CI/CD", "Flutter", "Accessibility"),
        (
            "Build and ship features for our iOS and Android apps",
            "Keep the apps fast, stable and accessible",
            "Work with backend engineers on the APIs the apps use",
            "Own releases and the app store pipeline",
            "Improve crash rates and startup time",
        ),
    ),
    RoleSpec(
        "devops-engineer",
        ("DevOps Engineer", "Site Reliability Engineer", "Platform Engineer", "Cloud Engineer", "Infrastructure Engineer"),
        "Infrastructure",
        150_000,
        ("AWS", "Kubernetes", "Terraform", "CI/CD", "Linux", "Docker", "Prometheus", "Observability", "Python", "Networking"),
        ("Go", "GCP", "Azure", "Bash"),
        (
            "Run and automate the platform our engineers build on",
            "Own our infrastructure as code and its review process",
            "Define SLOs and improve the reliability of production",
            "Lead incident response and blameless postmortems",
            "Cut build and deploy times for every team",
        ),
    ),
    RoleSpec(
        "security-engineer",
        ("Security Engineer", "Application Security Engineer", "Security Analyst", "Penetration Tester"),
        "Security",
        155_000,
        ("Security", "IAM", "Penetration Testing", "Networking", "Linux", "AWS", "Python", "Kubernetes"),
        ("Terraform", "Go", "Observability", "Incident Response"),
        (
            "Find and fix vulnerabilities before attackers do",
            "Review designs and code for security issues",
            "Run our vulnerability management and bug bounty programs",
            "Build detection and response for our cloud estate",
            "Teach engineers secure coding practices",
        ),
    ),
    RoleSpec(
        "qa-engineer",
        ("QA Engineer", "Test Engineer", "SDET", "Quality Assurance Analyst", "Automation Engineer"),
        "Engineering",
        110_000,
        ("Testing", "Python", "CI/CD", "Agile", "JavaScript", "SQL", "Git", "REST APIs"),
        ("Docker", "Performance Optimization", "TypeScript", "Jira"),
        (
            "Build and maintain automated test suites",
            "Define test plans with product and engineering",
            "Catch regressions before they reach customers",
            "Improve the speed and stability of our CI pipeline",
            "Champion quality across teams",
        ),
    ),
    RoleSpec(
        "data-engineer",
        ("Data Engineer", "Analytics Engineer", "Big Data Engineer"),
        "Data",
        150_000,
        ("Python", "SQL", "Spark", "Airflow", "ETL", "dbt", "Snowflake", "Kafka", "Data Modeling", "AWS"),
        ("BigQuery", "Terraform", "Redshift", "Scala"),
        (
            "Build reliable batch and streaming data pipelines",
            "Model data for analytics and machine learning",
            "Own data quality, lineage and documentation",
            "Optimise the cost and speed of our warehouse",
            "Partner with analysts and scientists on the data they need",
        ),
        heat=1.5,
    ),
    RoleSpec(
        "data-scientist",
        ("Data Scientist", "Research Scientist", "Quantitative Analyst"),
        "Data",
        150_000,
        ("Python", "Statistics", "Machine Learning", "SQL", "Pandas", "A/B Testing", "scikit-learn", "NumPy"),
        ("PyTorch", "Spark", "R", "Deep Learning"),
        (
            "Design and analyse experiments that shape the product",
            "Build models that predict customer behaviour",
            "Turn messy data into clear recommendations",
            "Present findings to leadership and product teams",
            "Define the metrics we run the business on",
        ),
    ),
    RoleSpec(
        "data-analyst",
        ("Data Analyst", "Business Intelligence Analyst", "BI Analyst", "Business Analyst"),
        "Data",
        100_000,
        ("SQL", "Excel", "Tableau", "Statistics", "Power BI", "Looker", "Python", "Data Modeling"),
        ("dbt", "A/B Testing", "Snowflake", "BigQuery"),
        (
            "Build dashboards the business runs on",
            "Answer ad-hoc questions with clear analysis",
            "Define and document key metrics",
            "Work with product and operations teams on their data",
            "Find the story in the numbers and tell it well",
        ),
        heat=0.8,
    ),
    RoleSpec(
        "machine-learning-engineer",
        ("Machine Learning Engineer", "ML Engineer", "AI Engineer", "MLOps Engineer"),
        "Machine Learning",
        175_000,
        ("Python", "Machine Learning", "PyTorch", "MLOps", "AWS", "LLMs", "Docker", "Kubernetes", "Deep Learning", "NLP"),
        ("TensorFlow", "Spark", "Computer Vision", "Go"),
        (
            "Train, evaluate and deploy models to production",
            "Build the platform our models are served from",
            "Bring large language models into our product safely",
            "Monitor model quality and drift in production",
            "Work with researchers to turn prototypes into products",
        ),
        heat=1.8,
    ),
    RoleSpec(
        "engineering-manager",
        ("Engineering Manager", "Senior Engineering Manager"),
        "Engineering",
        190_000,
        ("Leadership", "System Design", "Agile", "Stakeholder Management", "Communication", "Microservices", "AWS"),
        ("Python", "Java", "Kubernetes", "Roadmapping"),
        (
            "Lead, hire and grow a team of six to ten engineers",
            "Own delivery and the health of your team's systems",
            "Set technical direction with your tech lead",
            "Partner with product on roadmap and priorities",
            "Coach engineers through regular one-on-ones and feedback",
        ),
        executive=("Director of Engineering", "VP of Engineering", "Head of Engineering"),
        lowest="mid",
    ),
    RoleSpec(
        "product-manager",
        ("Product Manager", "Product Owner", "Technical Product Manager"),
        "Product",
        160_000,
        ("Product Management", "Roadmapping", "Stakeholder Management", "SQL", "A/B Testing", "User Research", "Agile", "Jira"),
        ("Figma", "Looker", "Machine Learning", "Communication"),
        (
            "Own the roadmap for a product area",
            "Talk to customers every week and turn insight into bets",
            "Write clear specs and define success metrics",
            "Work with engineering and design from idea to launch",
            "Run experiments and learn from the results",
        ),
        executive=("Head of Product", "Director of Product", "VP of Product"),
    ),
    RoleSpec(
        "product-designer",
        ("Product Designer", "UX Designer", "UI Designer", "Interaction Designer"),
        "Design",
        135_000,
        ("Figma", "User Research", "Prototyping", "Design Systems", "UX Design", "UI Design", "Accessibility"),
        ("HTML", "CSS", "Sketch", "A/B Testing"),
        (
            "Design end-to-end experiences from research to polish",
            "Prototype ideas quickly and test them with users",
            "Contribute to and use our design system",
            "Work closely with product managers and engineers",
            "Present and defend design decisions with data",
        ),
    ),
    RoleSpec(
        "project-manager",
        ("Project Manager", "Technical Program Manager", "Program Manager", "Delivery Manager", "Scrum Master"),
        "Operations",
        125_000,
        ("Project Management", "Agile", "Jira", "Stakeholder Management", "Communication", "Roadmapping"),
        ("SQL", "Excel", "Product Management", "System Design"),
        (
            "Plan and run cross-team programs from kickoff to launch",
            "Track risks and dependencies and clear blockers",
            "Keep stakeholders informed with crisp status updates",
            "Improve how teams plan and deliver",
            "Run ceremonies and retrospectives that teams value",
        ),
    ),
    RoleSpec(
        "marketing-manager",
        ("Marketing Manager", "Growth Marketing Manager", "Product Marketing Manager", "Content Strategist", "SEO Specialist"),
        "Marketing",
        115_000,
        ("Digital Marketing", "SEO", "Content Marketing", "Marketing Analytics", "CRM", "A/B Testing", "Excel"),
        ("SQL", "Figma", "Communication", "Looker"),
        (
            "Plan and run campaigns across paid, owned and earned channels",
            "Own the funnel metrics for your segment",
            "Write and edit content that ranks and converts",
            "Test landing pages, emails and offers",
            "Work with sales on pipeline goals",
        ),
        executive=("Director of Marketing", "VP of Marketing", "Head of Marketing"),
        heat=0.6,
    ),
    RoleSpec(
        "sales-representative",
        ("Account Executive", "Sales Development Representative", "Sales Representative", "Business Development Manager"),
        "Sales",
        95_000,
        ("Sales", "CRM", "Negotiation", "Communication", "Stakeholder Management"),
        ("Excel", "SQL", "Customer Success", "Digital Marketing"),
        (
            "Own a territory and a quota",
            "Prospect, qualify and close new business",
            "Run discovery calls and tailored demos",
            "Keep CRM data accurate and your pipeline healthy",
            "Work with customer success on renewals and expansion",
        ),
        executive=("Director of Business Development", "VP of Sales Development"),
    ),
    RoleSpec(
        "customer-success-manager",
        ("Customer Success Manager", "Account Manager", "Solutions Engineer", "Customer Support Engineer"),
        "Customer Success",
        95_000,
        ("Customer Success", "CRM", "Communication", "Stakeholder Management", "SQL", "Jira"),
        ("REST APIs", "Excel", "Negotiation", "Python"),
        (
            "Onboard new customers and get them to value fast",
            "Own renewals and grow your accounts",
            "Be the customer's voice inside the company",
            "Run business reviews with customer leadership",
            "Spot churn risk early and act on it",
        ),
        executive=("Head of Customer Success", "Director of Customer Success"),
    ),
    RoleSpec(
        "financial-analyst",
        ("Financial Analyst", "FP&A Analyst", "Finance Manager", "Accountant"),
        "Finance",
        105_000,
        ("Financial Modeling", "Excel", "Accounting", "SQL", "Power BI", "Communication"),
        ("Python", "Tableau", "Looker", "Stakeholder Management"),
        (
            "Build the models behind our budget and forecast",
            "Analyse variances and explain them clearly",
            "Partner with department heads on their spend",
            "Close the books accurately and on time",
            "Improve our reporting and finance systems",
        ),
        executive=("Director of FP&A", "Head of FP&A"),
    ),
    RoleSpec(
        "technical-writer",
        ("Technical Writer", "Documentation Engineer", "Content Designer"),
        "Engineering",
        110_000,
        ("Technical Writing", "Git", "Communication", "REST APIs", "HTML", "Python"),
        ("JavaScript", "Docker", "Jira", "Accessibility"),
        (
            "Write and maintain our developer documentation",
            "Work with engineers to explain complex systems simply",
            "Own the docs toolchain and style guide",
            "Write tutorials, guides and API references",
            "Measure what readers need and improve it",
        ),
        heat=0.7,
    ),
    RoleSpec(
        "recruiter",
        ("Technical Recruiter", "Recruiter", "Talent Acquisition Partner", "Sourcer"),
        "People",
        95_000,
        ("Recruiting", "Communication", "Negotiation", "CRM", "Stakeholder Management"),
        ("Excel", "Sales", "Leadership", "SQL"),
        (
            "Run full-cycle searches for engineering and product roles",
            "Source and engage passive candidates",
            "Partner with hiring managers on what great looks like",
            "Give candidates a clear, kind process",
            "Track and improve our hiring funnel",
        ),
        executive=("Head of Talent Acquisition", "Director of Talent Acquisition"),
        heat=0.5,
    ),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}


@dataclass(frozen=True)
class Place:
    text: str  # as the board writes it
    country: str  # ISO 3166-1 alpha-2 ("" for a region)
    currency: str
    pay: float  # pay level, US dollars per dollar of a place paying 1.0
    workplace: str = "on-site"  # remote | hybrid | on-site
    office: str = ""  # Greenhouse office name ("" for none)
    office_location: str = ""


@dataclass(frozen=True)
class Company:
    format: str  # greenhouse | lever
    token: str
    name: str
    about: str
    places: tuple[Place, ...]
    postings: int
    pay_style: str  # greenhouse: metadata | transparency | text; lever: range
    salary_share: float  # of postings that state their pay
    offset: str = "+00:00"  # the board's UTC offset (Greenhouse dates)
    roles: tuple[str, ...] = ()  # role keys it hires most for (every role may appear)
    extra: dict = field(default_factory=dict)


def us(text: str, pay: float, office: str = "", office_location: str = "", workplace: str = "on-site") -> Place:
    return Place(text, "US", "USD", pay, workplace, office, office_location)


COMPANIES = (
    Company(
        "greenhouse",
        "northwind-analytics",
        "Northwind Analytics",
        "Northwind Analytics helps 4,000 retailers forecast demand and plan inventory.",
        (
            us("San Francisco, CA", 1.2, "San Francisco", "San Francisco, California, United States"),
            us("New York, NY", 1.15, "New York", "New York, New York, United States"),
            us("Austin, TX", 0.95, "Austin", "Austin, Texas, United States"),
            us("Seattle, WA", 1.12, "Seattle", "Seattle, Washington, United States"),
            us("Remote - US", 1.0, "Remote", "United States", workplace="remote"),
        ),
        38,
        "metadata",
        0.85,
        "-08:00",
        ("data-engineer", "data-scientist", "machine-learning-engineer", "backend-engineer", "data-analyst"),
    ),
    Company(
        "greenhouse",
        "helio-health",
        "Helio Health",
        "Helio Health builds the software 900 clinics use to run their days and care for patients.",
        (
            us("Boston, MA", 1.05, "Boston", "Boston, Massachusetts, United States"),
            us("Chicago, IL", 0.95, "Chicago", "Chicago, Illinois, United States"),
            Place("Toronto, Ontario, Canada", "CA", "CAD", 0.68, "on-site", "Toronto", "Toronto, Ontario, Canada"),
            Place("Vancouver, BC", "CA", "CAD", 0.66, "hybrid", "Vancouver", "Vancouver, British Columbia, Canada"),
            us("Denver, CO", 0.95, "Denver", "Denver, Colorado, United States"),
        ),
        34,
        "text",
        0.8,
        "-05:00",
        ("software-engineer", "qa-engineer", "security-engineer", "product-manager", "customer-success-manager"),
    ),
    Company(
        "greenhouse",
        "brightpath-learning",
        "Brightpath Learning",
        "Brightpath Learning makes the online courses 2 million students in Europe learn from.",
        (
            Place("London, United Kingdom", "GB", "GBP", 0.62, "hybrid", "London", "London, England, United Kingdom"),
            Place("Manchester, UK", "GB", "GBP", 0.5, "on-site", "Manchester", "Manchester, England, United Kingdom"),
            Place("Dublin, Ireland", "IE", "EUR", 0.6, "hybrid", "Dublin", "Dublin, Ireland"),
            Place("Edinburgh, Scotland", "GB", "GBP", 0.5, "on-site", "Edinburgh", "Edinburgh, Scotland, United Kingdom"),
            Place("Remote - UK", "GB", "GBP", 0.52, "remote", "Remote", "United Kingdom"),
        ),
        33,
        "transparency",
        0.7,
        "+00:00",
        ("frontend-engineer", "product-designer", "technical-writer", "marketing-manager", "full-stack-engineer"),
    ),
    Company(
        "greenhouse",
        "kestrel-payments",
        "Kestrel Payments",
        "Kestrel Payments moves money for 30,000 European businesses, instantly and safely.",
        (
            Place("Berlin, Germany", "DE", "EUR", 0.55, "on-site", "Berlin", "Berlin, Germany"),
            Place("Hybrid - Berlin", "DE", "EUR", 0.55, "hybrid", "Berlin", "Berlin, Germany"),
            Place("Amsterdam, Netherlands", "NL", "EUR", 0.58, "on-site", "Amsterdam", "Amsterdam, North Holland, Netherlands"),
            Place("Paris, France", "FR", "EUR", 0.52, "hybrid", "Paris", "Paris, Île-de-France, France"),
            Place("Munich, Germany", "DE", "EUR", 0.6, "on-site", "Munich", "Munich, Bavaria, Germany"),
            Place("Remote - Europe", "", "EUR", 0.5, "remote", "Remote", "Europe"),
        ),
        36,
        "metadata",
        0.75,
        "+01:00",
        ("backend-engineer", "security-engineer", "devops-engineer", "financial-analyst", "data-engineer"),
    ),
    Company(
        "greenhouse",
        "orbital-logistics",
        "Orbital Logistics",
        "Orbital Logistics plans the routes of 60,000 trucks and ships across Asia and the Pacific.",
        (
            Place("Singapore", "SG", "SGD", 0.6, "on-site", "Singapore", "Singapore"),
            Place("Sydney, NSW, Australia", "AU", "AUD", 0.62, "hybrid", "Sydney", "Sydney, New South Wales, Australia"),
            Place("Bengaluru, Karnataka, India", "IN", "INR", 0.22, "on-site", "Bengaluru", "Bengaluru, Karnataka, India"),
            Place("Tokyo, Japan", "JP", "JPY", 0.5, "on-site", "Tokyo", "Tokyo, Japan"),
            Place("Melbourne, VIC", "AU", "AUD", 0.58, "on-site", "Melbourne", "Melbourne, Victoria, Australia"),
        ),
        32,
        "text",
        0.6,
        "+08:00",
        ("data-analyst", "software-engineer", "devops-engineer", "project-manager", "mobile-engineer"),
    ),
    Company(
        "lever",
        "lumen-robotics",
        "Lumen Robotics",
        "Lumen Robotics builds the vision systems inside warehouse robots.",
        (
            us("Pittsburgh, PA", 0.95),
            us("San Francisco, CA", 1.2),
            us("Boston, MA", 1.05),
            Place("Remote", "US", "USD", 1.0, "remote"),
            us("Seattle, WA", 1.12, workplace="hybrid"),
        ),
        34,
        "range",
        0.85,
        roles=("machine-learning-engineer", "software-engineer", "qa-engineer", "data-scientist", "devops-engineer"),
    ),
    Company(
        "lever",
        "tidewater-games",
        "Tidewater Games",
        "Tidewater Games makes cozy strategy games played by 12 million people.",
        (
            Place("Montreal, QC", "CA", "CAD", 0.6),
            Place("Toronto, ON", "CA", "CAD", 0.68, "hybrid"),
            us("Los Angeles, CA", 1.05),
            Place("Remote - Canada", "CA", "CAD", 0.62, "remote"),
        ),
        32,
        "range",
        0.7,
        roles=("mobile-engineer", "frontend-engineer", "product-designer", "qa-engineer", "marketing-manager"),
    ),
    Company(
        "lever",
        "fjord-energy",
        "Fjord Energy",
        "Fjord Energy balances the grid for 1.4 million homes with software and batteries.",
        (
            Place("Stockholm, Sweden", "SE", "SEK", 0.5),
            Place("Oslo, Norway", "NO", "NOK", 0.55, "hybrid"),
            Place("Copenhagen, Denmark", "DK", "DKK", 0.55),
            Place("Helsinki, Finland", "FI", "EUR", 0.48),
            Place("Remote - Europe", "", "EUR", 0.5, "remote"),
        ),
        30,
        "range",
        0.65,
        roles=("data-engineer", "devops-engineer", "backend-engineer", "project-manager", "engineering-manager"),
    ),
    Company(
        "lever",
        "sabia-fintech",
        "Sabia Fintech",
        "Sabia Fintech gives 8 million people in Latin America and Iberia a bank account on their phone.",
        (
            Place("São Paulo, Brazil", "BR", "BRL", 0.25),
            Place("Mexico City, Mexico", "MX", "MXN", 0.25, "hybrid"),
            Place("Madrid, Spain", "ES", "EUR", 0.4),
            Place("Lisbon, Portugal", "PT", "EUR", 0.33, "hybrid"),
            Place("Barcelona, Spain", "ES", "EUR", 0.38),
        ),
        31,
        "range",
        0.7,
        roles=("backend-engineer", "mobile-engineer", "sales-representative", "customer-success-manager", "financial-analyst"),
    ),
    Company(
        "lever",
        "quill-media",
        "Quill Media",
        "Quill Media publishes independent journalism read by 20 million people a month.",
        (
            Place("Remote", "US", "USD", 1.0, "remote"),
            Place("Remote - UK", "GB", "GBP", 0.52, "remote"),
            us("New York, NY", 1.15, workplace="hybrid"),
            Place("London, UK", "GB", "GBP", 0.62),
        ),
        30,
        "range",
        0.75,
        roles=("full-stack-engineer", "marketing-manager", "recruiter", "technical-writer", "sales-representative"),
    ),
)

REQUIREMENT_SHAPES = (
    "{years}+ years of professional experience with {a} and {b}",
    "Strong, hands-on experience with {a}",
    "Solid knowledge of {a} and {b} in production",
    "You have shipped real work with {a}",
    "Comfortable with {a}; {b} is a plus",
    "Working knowledge of {a}",
)
INTERN_REQUIREMENTS = (
    "Currently studying towards a degree in a related field, graduating in 2027 or 2028",
    "Coursework or projects using {a} and {b}",
    "Curious, eager to learn and happy to ask questions",
)
SOFT_REQUIREMENTS = (
    "You write clearly and explain your thinking to people outside your field",
    "You care about the people who use what you build",
    "You work well in a distributed team across time zones",
    "You take ownership and follow through",
)
BENEFITS = (
    "Comprehensive health, dental and vision cover",
    "Generous parental leave",
    "A learning budget of 1,500 a year",
    "Flexible hours and a home-office stipend",
    "Equity in a growing company",
    "25 days of paid holiday plus public holidays",
)
# Lever's department is the division a team belongs to.
DIVISIONS = {
    "Sales": "Go To Market",
    "Marketing": "Go To Market",
    "Customer Success": "Go To Market",
    "Finance": "G&A",
    "People": "G&A",
    "Operations": "G&A",
}
EEO = (
    "{name} is an equal opportunity employer. We welcome people of every background and do not discriminate on the "
    "basis of race, religion, colour, national origin, gender, sexual orientation, age, marital status or disability."
)


def pick_seniority(rng: random.Random, role: RoleSpec) -> str:
    levels = list(SENIORITY_WEIGHTS)  # most junior first
    weights = {level: weight if levels.index(level) >= levels.index(role.lowest) else 0 for level, weight in SENIORITY_WEIGHTS.items()}
    weights["executive"] = SENIORITY_WEIGHTS["executive"] if role.executive else 0
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def title_of(rng: random.Random, role: RoleSpec, seniority: str) -> str:
    base = rng.choice(role.titles)
    base = base.removeprefix("Senior ")  # the seniority says it
    match seniority:
        case "intern":
            return rng.choice([f"{base} Intern", f"{base} Intern (Summer 2027)", f"{base} Internship"])
        case "junior":
            return rng.choice([f"Junior {base}", f"Associate {base}", f"{base} I", f"Graduate {base}"])
        case "mid":
            return rng.choice([base, base, f"{base} II"])
        case "senior":
            return rng.choice([f"Senior {base}", f"Senior {base}", f"Sr. {base}", f"{base} III"])
        case "lead":
            return rng.choice([f"Staff {base}", f"Lead {base}"])
        case "principal":
            return f"Principal {base}"
        case _:
            return rng.choice(role.executive)


def pay_range(rng: random.Random, role: RoleSpec, seniority: str, place: Place) -> tuple[int, int, str]:
    """(min, max, period) in the place's currency: a year's pay, or an hour's for interns in USD/CAD."""
    usd = role.pay * SENIORITY_PAY[seniority] * place.pay * rng.uniform(0.92, 1.08)
    rate = RATES[place.currency]
    if seniority == "intern" and place.currency in ("USD", "CAD"):
        hourly = usd * rate / 2080
        low = round(hourly * 0.9)
        return low, low + rng.choice((4, 6, 8, 10)), "hour"
    middle = usd * rate
    step = 100_000 if place.currency in ("INR", "JPY") else 1_000
    low = int(round(middle * 0.88 / step) * step)
    high = int(round(middle * 1.12 / step) * step)
    return low, max(high, low + step), "year"


def days_ago(rng: random.Random, role: RoleSpec) -> int:
    """How long before the anchor day a posting went up: most in the last two months, hot roles more recent."""
    return min(89, int(rng.betavariate(1.2, 2.2 * role.heat) * 90))


def money(amount: int, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount:,}" if symbol else f"{amount:,} {currency}"


@dataclass
class Draft:
    """One posting before it is written in a board's format."""

    company: Company
    role: RoleSpec
    seniority: str
    title: str
    place: Place
    posted: dt.datetime
    duties: list[str]
    requirements: list[str]
    nice: list[str]
    pay: tuple[int, int, str] | None
    commitment: str
    intro: str


def draft(rng: random.Random, company: Company) -> Draft:
    weights = [4 if role.key in company.roles else 1 for role in ROLES]
    role = rng.choices(ROLES, weights=weights)[0]
    seniority = pick_seniority(rng, role)
    place = rng.choice(company.places)
    title = title_of(rng, role, seniority)
    years = SENIORITY_YEARS[seniority]
    skills = list(role.skills[:3])
    rng.shuffle(skills)
    others = list(role.skills[3:])
    rng.shuffle(others)
    skills += others[: rng.randint(1, 3)]
    requirements: list[str] = []
    if seniority == "intern":
        requirements += [shape.format(a=skills[0], b=skills[1]) for shape in INTERN_REQUIREMENTS]
    else:
        pairs = [(skills[i], skills[i + 1] if i + 1 < len(skills) else skills[0]) for i in range(0, len(skills), 2)]
        for a, b in pairs:
            requirements.append(rng.choice(REQUIREMENT_SHAPES).format(years=max(1, years), a=a, b=b))
        if seniority in ("lead", "principal", "executive"):
            requirements.append(
                rng.choice(
                    (
                        "A track record of mentoring engineers and raising the bar of a team",
                        "Experience leading work across several teams and Leadership of people",
                    )
                )
            )
    requirements.append(rng.choice(SOFT_REQUIREMENTS))
    nice = [f"Experience with {extra}" for extra in rng.sample(role.extras, rng.randint(1, 2))]
    duties = rng.sample(role.duties, 4)
    offset_hours = int(company.offset[:3])
    posted = dt.datetime.combine(
        ANCHOR_DAY - dt.timedelta(days=days_ago(rng, role)),
        dt.time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))),
        tzinfo=dt.timezone(dt.timedelta(hours=offset_hours)),
    )
    pay = pay_range(rng, role, seniority, place) if rng.random() < company.salary_share else None
    commitment = "Internship" if seniority == "intern" else rng.choices(("Full-time", "Contract", "Part-time"), weights=(90, 7, 3))[0]
    intro = (
        f"{company.about} We are looking for a {title} to join our {role.department} team"
        f"{' and work from anywhere in ' + place.text.split(' - ', 1)[-1] if place.workplace == 'remote' and ' - ' in place.text else ''}."
    )
    return Draft(company, role, seniority, title, place, posted, duties, requirements, nice, pay, commitment, intro)


def _li(items: list[str]) -> str:
    return "".join(f"<li>{html.escape(item)}</li>" for item in items)


def greenhouse_content(d: Draft) -> str:
    """The posting's HTML as a Greenhouse board holds it (the API sends it HTML-escaped once more)."""
    parts = [
        f'<div class="content-intro"><p><strong>About {html.escape(d.company.name)}</strong></p><p>{html.escape(d.intro)}</p></div>',
        "<h3>What you&rsquo;ll do</h3>",
        f"<ul>{_li(d.duties)}</ul>",
        "<h3>What you&rsquo;ll bring</h3>",
        f"<ul>{_li(d.requirements)}</ul>",
        "<p><strong>Nice to have</strong></p>",
        f"<ul>{_li(d.nice)}</ul>",
    ]
    if d.pay and d.company.pay_style == "text":
        low, high, period = d.pay
        unit = " per hour" if period == "hour" else ""
        parts.append(
            f"<p>The base salary range for this role is {money(low, d.place.currency)} - {money(high, d.place.currency)}{unit} "
            f"{d.place.currency}, plus equity and benefits.</p>"
        )
    parts.append(f'<div class="content-conclusion"><p>{html.escape(EEO.format(name=d.company.name))}</p></div>')
    if d.pay and d.company.pay_style == "transparency":
        low, high, period = d.pay
        parts.append(
            '<div class="content-pay-transparency"><div class="pay-input"><div class="title">Salary range</div>'
            f'<div class="pay-range"><span>{money(low, d.place.currency)}</span><span class="divider">&mdash;</span>'
            f"<span>{money(high, d.place.currency)} {d.place.currency}</span></div></div></div>"
        )
    return "".join(parts)


def greenhouse_job(rng: random.Random, d: Draft, job_id: int) -> dict:
    fields = [{"id": 4122003, "name": "Employment Type", "value": d.commitment, "value_type": "single_select"}]
    if d.pay and d.company.pay_style == "metadata":
        low, high, period = d.pay
        fields.append(
            {
                "id": 4122004,
                "name": "Pay Transparency Range",
                "value": {"unit": d.place.currency, "min_value": f"{low}.0", "max_value": f"{high}.0"},
                "value_type": "currency_range",
            }
        )
        fields.append({"id": 4122005, "name": "Pay Frequency", "value": "Hourly" if period == "hour" else "Annual", "value_type": "single_select"})
    metadata = None if rng.random() < 0.15 else fields  # boards without custom fields send null
    updated = min(
        d.posted + dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 5)),
        dt.datetime.combine(ANCHOR_DAY, dt.time(7, 0), tzinfo=d.posted.tzinfo),
    )
    requisition = rng.choice((f"REQ-{rng.randint(1000, 9999)}", f"{d.role.department[:3].upper()}-{rng.randint(100, 999)}", None))
    office_id = 40_000 + zlib.crc32(d.place.office.encode()) % 1000
    office = (
        [{"id": office_id, "name": d.place.office, "location": d.place.office_location, "child_ids": [], "parent_id": None}] if d.place.office else []
    )
    return {
        "absolute_url": f"https://job-boards.greenhouse.io/{d.company.token}/jobs/{job_id}",
        "data_compliance": [
            {
                "type": "gdpr",
                "requires_consent": False,
                "requires_processing_consent": False,
                "requires_retention_consent": False,
                "retention_period": None,
            }
        ],
        "internal_job_id": job_id - 3_000_000_000 + 1_000_000,
        "location": {"name": d.place.text},
        "metadata": metadata,
        "id": job_id,
        "updated_at": updated.isoformat(),
        "requisition_id": requisition,
        "title": d.title,
        "company_name": d.company.name,
        "first_published": d.posted.isoformat(),
        "language": "en",
        "content": html.escape(greenhouse_content(d), quote=True),
        "departments": [{"id": 4_010_000 + ROLES.index(d.role), "name": d.role.department, "child_ids": [], "parent_id": None}],
        "offices": office,
    }


def lever_posting(rng: random.Random, d: Draft) -> dict:
    posting_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    site = d.company.token
    benefits = rng.sample(BENEFITS, 3)
    lists = [
        {"text": "What you'll do", "content": _li(d.duties)},
        {"text": "What you'll bring", "content": _li(d.requirements)},
        {"text": "Nice to have", "content": _li(d.nice)},
    ]
    all_locations = [d.place.text]
    if len(d.company.places) > 1 and rng.random() < 0.15:
        all_locations.append(rng.choice([p.text for p in d.company.places if p != d.place]))
    workplace = "unspecified" if d.place.workplace == "on-site" and rng.random() < 0.1 else d.place.workplace
    additional_plain = "What we offer\n" + "\n".join(benefits) + "\n\n" + EEO.format(name=d.company.name)
    posting = {
        "additionalPlain": additional_plain,
        "additional": "<div><b>What we offer</b></div><ul>" + _li(benefits) + f"</ul><div>{html.escape(EEO.format(name=d.company.name))}</div>",
        "categories": {
            "commitment": d.commitment,
            "department": DIVISIONS.get(d.role.department, "R&D"),
            "location": d.place.text,
            "team": d.role.department,
            "allLocations": all_locations,
        },
        "createdAt": int(d.posted.timestamp() * 1000),
        "descriptionPlain": d.intro + "\n",
        "description": f"<div>{html.escape(d.intro)}</div>",
        "id": posting_id,
        "lists": lists,
        "text": d.title,
        "country": d.place.country or None,
        "workplaceType": workplace,
        "opening": f"<div>{html.escape(d.intro)}</div>",
        "openingPlain": d.intro,
        "descriptionBody": "",
        "descriptionBodyPlain": "",
        "hostedUrl": f"https://jobs.lever.co/{site}/{posting_id}",
        "applyUrl": f"https://jobs.lever.co/{site}/{posting_id}/apply",
    }
    if d.pay:
        low, high, period = d.pay
        interval = "per-hour-wage" if period == "hour" else "per-year-salary"
        if d.place.currency in ("BRL", "MXN") and period == "year" and rng.random() < 0.6:
            low, high, interval = int(round(low / 12, -2)), int(round(high / 12, -2)), "per-month-salary"  # pay stated by the month there
        posting["salaryRange"] = {"currency": d.place.currency, "interval": interval, "min": int(low), "max": int(high)}
        posting["salaryDescriptionPlain"] = "The range is the base pay; equity and benefits come on top."
        posting["salaryDescription"] = "<div>The range is the base pay; equity and benefits come on top.</div>"
    return posting


def generate() -> dict[Path, object]:
    rng = random.Random(SEED)
    files: dict[Path, object] = {}
    next_greenhouse_id = 3_004_511_000
    for company in COMPANIES:
        drafts = [draft(rng, company) for _ in range(company.postings)]
        drafts.sort(key=lambda d: d.posted, reverse=True)  # boards list newest first
        if company.format == "greenhouse":
            jobs = []
            for d in drafts:
                next_greenhouse_id += rng.randint(7, 400)
                jobs.append(greenhouse_job(rng, d, next_greenhouse_id))
            files[HERE / "greenhouse" / f"{company.token}.json"] = {"jobs": jobs, "meta": {"total": len(jobs)}}
        else:
            files[HERE / "lever" / f"{company.token}.json"] = [lever_posting(rng, d) for d in drafts]
    return files


def main() -> int:
    for path, document in generate().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
