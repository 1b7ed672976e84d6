'use strict';
// The audit log admins read (GET /direct-api/binance/audit): python_service's (every placement, cancel,
// leverage and risk limit change, by users and bots) merged with express_api's own (src/audit-store.js),
// newest first by time, each entry saying which log it is from.
//
// Paging: each log pages by its own ids, so the cursor carries one position per log:
// `<python_service>.<express_api>`, each empty (from the newest), 0 (nothing more in that log) or the id
// to continue before. An answer's next_before is the cursor of the next page (null after the last).
const { ApiError } = require('../errors');
const { errorFrom } = require('../python-service');

const CURSOR = /^(|0|[1-9]\d{0,17})\.(|0|[1-9]\d{0,17})$/; // the document says the same (src/openapi.js)

function parseCursor(before) {
  const [, python, own] = CURSOR.exec(before ?? '.') || [];
  if (python === undefined) throw new ApiError(400, 'invalid_parameter', 'before must be a next_before of an earlier answer');
  const position = (text) => (text === '' ? null : Number(text));
  return { python: position(python), own: position(own) };
}

const formatCursor = ({ python, own }) => (python === 0 && own === 0 ? null : `${python ?? ''}.${own ?? ''}`);

async function pythonPage(pythonService, options, limit, before) {
  if (before === 0) return { entries: [] };
  const query = new URLSearchParams({ limit: String(limit) });
  if (before) query.set('before', String(before));
  try {
    const answer = await pythonService.getJson(`/api/binance/audit?${query}`, { ...options, withInternalToken: true });
    if (answer.status !== 200) throw errorFrom(answer);
    return { entries: answer.body.entries.map((entry) => ({ ...entry, source: 'python_service' })) };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { entries: [], error: { code: err.code, message: err.message } };
  }
}

// Two lists, each newest first, merged newest first; `limit` entries at most. Returns what each gave.
function merge(first, second, limit) {
  const merged = [];
  let [i, j] = [0, 0];
  while (merged.length < limit && (i < first.length || j < second.length)) {
    const takeFirst = j >= second.length || (i < first.length && first[i].at >= second[j].at);
    merged.push(takeFirst ? first[i++] : second[j++]);
  }
  return { merged, fromFirst: first.slice(0, i), fromSecond: second.slice(0, j) };
}

// Where a log's next page starts: after its last entry shown; 0 when all it had was shown and it had
// fewer than a page; unchanged when none of it was shown (or it could not be read).
function nextPosition(position, fetched, shown, limit, failed) {
  if (failed) return position;
  if (shown.length === fetched.length && fetched.length < limit) return 0;
  return shown.length ? shown.at(-1).id : position;
}

/** { entries, count, next_before, errors } — python_service's log unreadable: its error in errors. */
async function auditLog({ pythonService, audit }, options, { limit = 100, before } = {}) {
  const cursor = parseCursor(before);
  const python = await pythonPage(pythonService, options, limit, cursor.python);
  const own = cursor.own === 0 ? [] : audit.rows(limit, cursor.own).map((row) => ({ ...row, source: 'express_api' }));
  const { merged, fromFirst, fromSecond } = merge(python.entries, own, limit);
  const next = { python: nextPosition(cursor.python, python.entries, fromFirst, limit, Boolean(python.error)),
    own: nextPosition(cursor.own, own, fromSecond, limit, false) };
  const errors = python.error ? { python_service: python.error } : {};
  return { entries: merged, count: merged.length, next_before: formatCursor(next), errors };
}

module.exports = { auditLog, CURSOR };
