// Talking to the server: JSON GETs and streamed completions with the stored API key.
import { createSseParser } from './sse.js';

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(apiKey, extra = {}) {
  return apiKey ? { ...extra, Authorization: `Bearer ${apiKey}` } : extra;
}

async function errorOf(response) {
  let message = `${response.status} ${response.statusText}`;
  let code = null;
  try {
    const body = await response.json();
    if (body && body.error) {
      message = body.error.message || message;
      code = body.error.code || null;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message, code);
}

/** GET a JSON document; refusals (401, 404...) throw ApiError with the server's message. */
export async function getJson(path, apiKey) {
  const response = await fetch(path, { headers: headers(apiKey), cache: 'no-store' });
  if (!response.ok) {
    throw await errorOf(response);
  }
  return response.json();
}

/** GET /health: its body whatever the status (503 while loading or draining still says why). */
export async function getHealth() {
  const response = await fetch('/health', { cache: 'no-store' });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { httpStatus: response.status, body };
}

export async function getText(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) {
    throw await errorOf(response);
  }
  return response.text();
}

/**
 * POSTs a streaming completion and calls onChunk with each parsed chunk until [DONE].
 * Aborting `signal` drops the connection, which makes the server cancel the request.
 */
export async function streamCompletion(path, body, apiKey, signal, onChunk) {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers(apiKey, { 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    throw await errorOf(response);
  }
  let finished = false;
  const parser = createSseParser((data) => {
    if (data === '[DONE]') {
      finished = true;
      return;
    }
    const chunk = JSON.parse(data);
    if (chunk.error) {
      throw new ApiError(response.status, chunk.error.message || 'error', chunk.error.code || null);
    }
    onChunk(chunk);
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    parser.push(value);
  }
  parser.end();
  if (!finished) {
    throw new ApiError(response.status, 'The stream ended before [DONE].', 'incomplete');
  }
}
