// DOM building. Text from the model, the user or the server is only ever assigned through
// textContent: it can never become markup, whatever it contains.

/** An element with a class and text; never parses HTML. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  return node;
}

const ROLE_NAMES = { user: 'You', assistant: 'Model', prompt: 'Prompt', completion: 'Completion' };

/** One message: returns the list item and a setter for its text. */
export function messageView(message) {
  const item = el('li', `message ${message.role}`);
  item.dataset.role = message.role;
  item.dataset.state = message.state || 'done';
  item.append(el('div', 'role', ROLE_NAMES[message.role] || message.role));
  const content = el('div', 'content', message.content);
  item.append(content);
  const stats = el('p', 'stats');
  item.append(stats);
  if (message.stats) {
    showStats(stats, message.stats);
  }
  return { item, content, stats };
}

function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The reply's numbers: each as its own labelled span, so both people and tests can read them. */
export function showStats(node, stats) {
  node.replaceChildren();
  const parts = [];
  if (stats.ttftMs != null) {
    parts.push(['ttft', 'time to first token', formatMs(stats.ttftMs)]);
  }
  if (stats.tokensPerSecond != null) {
    parts.push(['tps', 'tokens/s', stats.tokensPerSecond.toFixed(1)]);
  }
  if (stats.promptTokens != null) {
    parts.push(['prompt', 'prompt tokens', String(stats.promptTokens)]);
  }
  if (stats.completionTokens != null) {
    parts.push(['completion', 'completion tokens', String(stats.completionTokens)]);
  }
  if (stats.cachedTokens != null) {
    parts.push(['cached', 'prefix-cache hits', `${stats.cachedTokens} tokens`]);
  }
  if (stats.finishReason) {
    parts.push(['finish', 'finish', stats.finishReason]);
  }
  for (const [key, label, value] of parts) {
    const span = el('span', 'stat');
    span.dataset.stat = key;
    span.dataset.value = value;
    span.append(el('span', 'label', `${label} `), el('strong', null, value));
    node.append(span);
  }
}

/** A definition list of name/value pairs, replaced wholesale. */
export function fillList(dl, rows) {
  dl.replaceChildren();
  for (const [key, name, value] of rows) {
    const dt = el('dt', null, name);
    const dd = el('dd', null, value);
    dd.dataset.field = key;
    dl.append(dt, dd);
  }
}
