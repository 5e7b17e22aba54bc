"""Career (seed 002, the AI Career Agent): the career profile, resumes and their ATS analysis, jobs
ranked for a job seeker, applications and their status history, career roadmaps, market intelligence,
and interview invitations read from forwarded e-mail.

  tables         CareerTable's and JobsTable's item keys, shared by the stores
  profiles       the career profile (GET / PUT /api/users)
  documents      text out of PDF, DOCX and plain-text resumes, with bounds
  ats            the ATS rules: sections, contact, skills, score, strengths, weaknesses, suggestions
  resumes        analysis, storage of originals, history, deletion (/api/resume)
  feeds          Greenhouse and Lever feeds parsed into postings
  ingestion      the hourly upsert of postings and the close of those gone
  market         market aggregates kept at ingestion, the narrative (/api/market-intelligence)
  matching       the deterministic match of a profile and a resume against a job
  search         a jobs page: filter, rank, explain (at most one AI call) (/api/jobs)
  applications   the status machine and the applications' store (/api/applications)
  interviews     an interview invitation read from an e-mail (MIME or JSON)
  roadmaps       a career roadmap, and a roadmap made a quest (/api/ai/roadmap)
  changes        the domain events read from CareerTable's stream

Nothing here but the stores reaches AWS.
"""
