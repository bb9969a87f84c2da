// Uploads one file with tus-js-client, the stock JavaScript tus client, run under Node, for the interop tests
// (tests/backend/test_tus_interop.py). Reads its job as JSON on stdin; prints one JSON line with the outcome.
//
// Job: library (path of the installed tus-js-client), endpoint, file, headers, metadata, chunkSize,
// retryDelays, uploadUrl (resume this upload), checksum (send Upload-Checksum: sha1 on every PATCH: tus-js-client
// has no checksum support of its own, so a wrapper around its own HTTP stack adds the header), creationWithUpload.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const tus = require(job.library);
const data = fs.readFileSync(job.file);
const statuses = [];

// One TCP connection per request (no keep-alive), so a test's fault proxy can aim at a chosen request.
const stack = new tus.DefaultHttpStack({ agent: new http.Agent({ keepAlive: false }) });

class ChecksumStack {
  createRequest(method, url) {
    const req = stack.createRequest(method, url);
    const send = req.send.bind(req);
    req.send = (body) => {
      if (body && body.length > 0 && method === 'PATCH') {
        req.setHeader('Upload-Checksum', 'sha1 ' + crypto.createHash('sha1').update(body).digest('base64'));
      }
      return send(body);
    };
    return req;
  }

  getName() {
    return 'ChecksumStack';
  }
}

const upload = new tus.Upload(data, {
  endpoint: job.endpoint,
  uploadUrl: job.uploadUrl || null,
  headers: job.headers,
  metadata: job.metadata,
  chunkSize: job.chunkSize,
  retryDelays: job.retryDelays,
  uploadDataDuringCreation: Boolean(job.creationWithUpload),
  storeFingerprintForResuming: false,
  httpStack: job.checksum ? new ChecksumStack() : stack,
  onAfterResponse(req, res) {
    statuses.push([req.getMethod(), res.getStatus()]);
  },
  // 460 (checksum mismatch) means "send that piece again"; otherwise tus-js-client's own rule.
  onShouldRetry(err) {
    const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
    return status === 460 || status === 409 || status === 423 || status === 0 || status >= 500;
  },
  onSuccess() {
    console.log(JSON.stringify({ ok: true, url: upload.url, statuses }));
  },
  onError(err) {
    const status = err.originalResponse ? err.originalResponse.getStatus() : null;
    console.log(JSON.stringify({ ok: false, url: upload.url, status, error: String(err), statuses }));
  },
});
upload.start();
