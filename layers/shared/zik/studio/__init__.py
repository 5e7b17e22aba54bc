"""Studio (seed 004, ilikeyacut): a user's photos uploaded through presigned S3 POSTs and cleaned by an
event-driven image pipeline, AI hairstyle try-ons run by a workflow, the hairstyle library, the gallery
and the notifications of a finished try-on.

The photo's way (functions in brackets):
  POST /studio/photos [studio_photos] -> presigned POST -> S3 user-uploads/ -> EventBridge (default bus)
  -> [photo_uploaded] -> ImageProcessingQueue.fifo (a group per user) -> [image_processing]
  -> processed-images/ and thumbnails/, the photo ready or rejected
The try-on's way:
  POST /studio/tryons [studio_tryons] -> TryonStateMachine: [tryon_quota] -> [tryon_edit] (the AI's image
  task) | [tryon_failed] -> ProcessingJobs' stream [studio_stream] -> bus: TryOnCompleted / TryOnFailed
  -> NotificationQueue [studio_notifications] -> SNS push; GamificationQueue (points)

Pure rules (no AWS)
  images          an uploaded photo's bytes checked (format by its bytes, size, pixels before decoding), decoded,
                  turned upright, stripped of every metadata (EXIF, GPS, XMP, ICC) and re-encoded; thumbnails
  isolation       native decoders that read an upload run in a forked child (a HEIC that crashes libheif is
                  a refusal, not a dead process)
  hairstyles      the hairstyle library (hairstyles.json: 53 styles), its filters and colours, the shape
                  geometry of a style around a face, and each style's preview asset
  tryon_offline   the `local` provider's try-on: the face found with OpenCV's bundled Haar cascade, the hair
                  found with GrabCut seeded by it, reshaped to the style and recoloured; the face untouched
  tryons          try-on jobs: states, the daily quota in the user's day and when it resets, failures as told
  changes         ProcessingJobs' committed changes as the studio's events
  push            the payloads of a finished try-on's push (APNs, FCM)
Services and their data (each store's access patterns are written at its top and beside its table)
  photos, photo_store, uploads, processing, links    photos, the gallery, the pipeline, signed links
  tryon_service, job_store, session_store, tryon_ai  try-ons, their workflow's steps and the AI's edit
  library, library_store                             the hairstyle library's table
  devices, device_store                              push devices as SNS platform endpoints
  userdata_hooks                                     the studio's part of a user's export and erasure

Pillow, pillow-heif, NumPy and OpenCV are native code shipped in a layer only the studio's image functions
carry (layers/image): only the functions that decode or edit import them, never this package or a shared
module.
"""
