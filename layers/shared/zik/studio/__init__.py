"""Studio (seed 004, ilikeyacut): a user's photos uploaded through presigned S3 POSTs and cleaned by an
event-driven image pipeline, AI hairstyle try-ons run by a workflow, the hairstyle library, the gallery
and the notifications of a finished try-on.

  images  an uploaded photo's bytes checked (format by its bytes, size, pixels before decoding), decoded,
          turned upright, stripped of every metadata (EXIF, GPS, XMP, ICC) and re-encoded; thumbnails
  hairstyles      the hairstyle library (hairstyles.json: 53 styles), its filters and colours, the shape
                  geometry of a style around a face, and each style's preview asset
  tryon_offline   the `local` provider's try-on: the face found with OpenCV's bundled Haar cascade, the hair
                  found with GrabCut seeded by it, reshaped to the style and recoloured; the face untouched

Not built yet (issue 14): the template's tables, bucket, queues, workflow and functions, the image AI task
in the gateway (Bedrock, Gemini, local), the gallery, sessions and notifications.

Pillow, pillow-heif, NumPy and OpenCV are native code shipped in a layer only the studio's image functions
carry (layers/image): only the functions that decode or edit import them, never this package or a shared
module.
"""
