'use strict';
// Request bodies are read whole up to 10 kB; past that, 413 payload_too_large (src/errors.js).
const express = require('express');

const BODY_LIMIT = '10kb';

const jsonBody = express.json({ limit: BODY_LIMIT });
// Any content type, kept as bytes: for bodies passed on unparsed (parsing would round JSON numbers).
const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT });

module.exports = { jsonBody, rawBody, BODY_LIMIT };
