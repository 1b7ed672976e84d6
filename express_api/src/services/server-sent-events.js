'use strict';
// Server-sent events read from a fetch body (a web ReadableStream of bytes), as the WHATWG "event stream
// interpretation" says: blocks end at a blank line, `event:` names one, `data:` lines are joined by line
// breaks, comments (`:`) and other fields are skipped. A block without a name is a `message`.

const BLOCK_END = /\r\n\r\n|\n\n|\r\r/;

function parseBlock(block) {
  let name = 'message';
  const data = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event: name, data: data.join('\n') } : null;
}

/** Yields { event, data } for each event of `body` until it ends (or its reading fails: the error is thrown). */
async function* serverSentEvents(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = BLOCK_END.exec(buffer))) {
      const parsed = parseBlock(buffer.slice(0, end.index));
      buffer = buffer.slice(end.index + end[0].length);
      if (parsed) yield parsed;
    }
  }
}

module.exports = { serverSentEvents, parseBlock };
