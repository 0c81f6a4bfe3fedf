// Server-sent events, parsed incrementally from text as it arrives (the fetch body is read in
// pieces that can split a line anywhere). Only `data` fields matter to the OpenAI API.

/** Returns a parser; push(text) feeds it, end() flushes; onData gets each event's data. */
export function createSseParser(onData) {
  let buffer = '';
  let data = [];

  function line(text) {
    if (text === '') {
      if (data.length > 0) {
        const event = data.join('\n');
        data = [];
        onData(event);
      }
      return;
    }
    if (text.startsWith(':')) {
      return; // a comment, e.g. a keep-alive
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'data') {
      data.push(value);
    }
  }

  return {
    push(text) {
      buffer += text;
      for (;;) {
        const i = buffer.search(/\r\n|\r|\n/);
        if (i < 0 || (buffer[i] === '\r' && i === buffer.length - 1)) {
          return; // no whole line yet (a lone trailing CR may be half of CRLF)
        }
        const width = buffer.startsWith('\r\n', i) ? 2 : 1;
        const text = buffer.slice(0, i);
        buffer = buffer.slice(i + width);
        line(text);
      }
    },
    end() {
      if (buffer !== '') {
        line(buffer);
        buffer = '';
      }
      line('');
    },
  };
}
