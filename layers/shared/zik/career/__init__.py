"""Career (seed 002, the AI Career Agent): the career profile, resumes and their ATS analysis, jobs
ranked for a job seeker, applications and their status history, career roadmaps, market intelligence,
and interview invitations read from forwarded e-mail.

  tables             CareerTable's and JobsTable's item keys and shared shapes
  vocabulary         skills, role families and seniority, the words resumes, profiles and jobs share
  markup             HTML from strangers made safe for html.parser (postings, e-mails)
  profiles           the career profile's rules (GET / PUT /api/users); profile_store its data
  documents          text out of PDF, DOCX and plain-text resumes, by their bytes, with bounds
  ats                the ATS rules: sections, contact, skills, experience, score, strengths, weaknesses, suggestions
  resumes            analysis, originals in S3, history, uploads, deletion (/api/resume); resume_store its data
  feeds              Greenhouse and Lever feeds parsed into postings
  ingestion          the hourly upsert of postings, the close of those gone; admins' post and close
  jobs_store         JobsTable: jobs, their indexes, market aggregates
  market             market aggregates kept at ingestion, the answer of /api/market-intelligence
  matching           the deterministic match of a profile and a resume against a job
  search             a jobs page: filter, rank, explain (at most one AI call) (/api/jobs), saved jobs
  applications       the status machine and the stats (/api/applications)
  application_store  applications' data, the e-mails read and the forwarding address (the service too)
  interviews         an interview invitation read from an e-mail
  mail               MIME messages (SES's, or a forwarded .eml) and the forwarding address
  roadmaps           a career roadmap, and a roadmap made a quest (/api/ai/roadmap)
  *_ai               the AI tasks: career.resume, career.match, career.roadmap, career.market, career.email
  changes            the domain events read from CareerTable's stream
  userdata_hooks     the career's part of GET /me/export and of a user's erasure

Nothing here but the stores, the services and the ingestion reaches AWS.
"""
