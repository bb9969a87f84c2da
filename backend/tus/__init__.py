"""tus 1.0 (https://tus.io/protocols/resumable-upload): the one place the upload protocol lives.

`protocol` parses and formats the headers, `store` keeps uploads on disk (every file operation runs in a worker
thread, never on the event loop), `router` answers the HTTP requests. What may be uploaded, by whom, and what
happens to a finished upload is the caller's `UploadPolicy` (for Hedgerow: backend/routes/uploads.py).
"""
