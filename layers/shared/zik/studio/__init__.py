"""Studio (seed 004, ilikeyacut): a user's photos uploaded through presigned S3 POSTs and cleaned by an
event-driven image pipeline, AI hairstyle try-ons run by a workflow, the hairstyle library, the gallery
and the notifications of a finished try-on.

  images  an uploaded photo's bytes checked (format by its bytes, size, pixels before decoding), decoded,
          turned upright, stripped of every metadata (EXIF, GPS, XMP, ICC) and re-encoded; thumbnails

Pillow and pillow-heif are native code shipped in a layer only the studio's image functions carry: only
the functions of ``images`` that decode import them, never this package or a shared module.
"""
