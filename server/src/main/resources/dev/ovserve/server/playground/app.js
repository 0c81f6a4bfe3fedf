// The playground's controller: settings, conversations, sending, streaming, stopping.
import { ApiError, getJson, streamCompletion } from './api.js';
import { startStatus } from './status.js';
import * as store from './store.js';
import { el, messageView, showStats } from './view.js';

const $ = (id) => document.getElementById(id);
const ui = {
  modelId: $('model-id'),
  contextLength: $('context-length'),
  messages: $('messages'),
  error: $('error'),
  composer: $('composer'),
  input: $('input'),
  send: $('send'),
  stop: $('stop'),
  regenerate: $('regenerate'),
  newChat: $('new-chat'),
  modeChat: $('mode-chat'),
  modeRaw: $('mode-raw'),
  echo: $('echo'),
  system: $('system'),
  temperature: $('temperature'),
  topP: $('top-p'),
  maxTokens: $('max-tokens'),
  seed: $('seed'),
  stopStrings: $('stop-strings'),
  apiKey: $('api-key'),
  saveKey: $('save-key'),
  forgetKey: $('forget-key'),
  keyState: $('key-state'),
  conversations: $('conversations'),
  status: $('status'),
  statusUpdated: $('status-updated'),
};

const state = {
  settings: store.loadSettings(),
  apiKey: store.loadApiKey(),
  conversations: store.loadConversations(),
  current: null,
  model: null,
  abort: null,
};

// ---- settings -------------------------------------------------------------------------------

const FIELDS = [
  [ui.temperature, 'temperature'],
  [ui.topP, 'topP'],
  [ui.maxTokens, 'maxTokens'],
  [ui.seed, 'seed'],
  [ui.stopStrings, 'stop'],
];

function showSettings() {
  const s = state.settings;
  ui.modeChat.checked = s.mode !== 'raw';
  ui.modeRaw.checked = s.mode === 'raw';
  ui.echo.checked = !!s.echo;
  ui.echo.disabled = s.mode !== 'raw';
  ui.system.disabled = s.mode === 'raw';
  for (const [input, key] of FIELDS) {
    input.value = s[key];
  }
}

function readSettings() {
  const s = state.settings;
  s.mode = ui.modeRaw.checked ? 'raw' : 'chat';
  s.echo = ui.echo.checked;
  for (const [input, key] of FIELDS) {
    s[key] = input.value;
  }
  store.saveSettings(s);
  ui.echo.disabled = s.mode !== 'raw';
  ui.system.disabled = s.mode === 'raw';
}

/** The sampling fields of a request; empty inputs are left out so the server's defaults apply. */
function samplingParams() {
  const s = state.settings;
  const params = {};
  const number = (text) => (text.trim() === '' ? null : Number(text));
  const temperature = number(s.temperature);
  const topP = number(s.topP);
  const maxTokens = number(s.maxTokens);
  const seed = number(s.seed);
  if (temperature != null) params.temperature = temperature;
  if (topP != null) params.top_p = topP;
  if (maxTokens != null) params.max_tokens = maxTokens;
  if (seed != null) params.seed = seed;
  const stops = s.stop.split('\n').filter((x) => x !== '');
  if (stops.length > 0) params.stop = stops;
  return params;
}

// ---- API key --------------------------------------------------------------------------------

function showKeyState() {
  ui.keyState.textContent = state.apiKey ? 'A key is saved in this browser.' : 'No key saved.';
  ui.apiKey.value = '';
  ui.apiKey.placeholder = state.apiKey ? '•••••••• (saved)' : 'only if the server has --api-key';
}

function saveKey() {
  state.apiKey = ui.apiKey.value.trim();
  store.saveApiKey(state.apiKey);
  showKeyState();
  loadModel();
}

// ---- conversations --------------------------------------------------------------------------

function persist() {
  state.current.updated = Date.now();
  if (!state.conversations.includes(state.current)) {
    state.conversations.push(state.current);
  }
  state.conversations = store.saveConversations(state.conversations);
  if (!state.conversations.includes(state.current)) {
    state.conversations.push(state.current);
  }
  store.saveCurrentId(state.current.id);
  showConversationList();
}

function showConversationList() {
  ui.conversations.replaceChildren();
  const list = [...state.conversations].sort((a, b) => b.updated - a.updated);
  for (const c of list) {
    const item = el('li');
    const button = el('button', 'link', c.title || 'Untitled');
    button.type = 'button';
    if (c === state.current) {
      button.setAttribute('aria-current', 'true');
    }
    button.addEventListener('click', () => openConversation(c));
    item.append(button);
    ui.conversations.append(item);
  }
}

function openConversation(conversation) {
  if (state.abort) {
    return;
  }
  state.current = conversation;
  store.saveCurrentId(conversation.id);
  ui.system.value = conversation.system || '';
  ui.messages.replaceChildren();
  for (const m of conversation.messages) {
    ui.messages.append(messageView(m).item);
  }
  hideError();
  showConversationList();
  ui.input.focus();
}

function startNewConversation() {
  if (state.abort) {
    return;
  }
  const c = store.newConversation();
  c.system = ui.system.value;
  openConversation(c);
}

// ---- errors ---------------------------------------------------------------------------------

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function hideError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function explain(error) {
  if (error instanceof ApiError && error.status === 401) {
    ui.apiKey.focus();
    return `The server wants an API key (${error.message}). Enter it under "API key" and save it.`;
  }
  return error.message || String(error);
}

// ---- the model ------------------------------------------------------------------------------

async function loadModel() {
  try {
    const list = await getJson('/v1/models', state.apiKey);
    const model = list.data && list.data[0];
    state.model = model || null;
    ui.modelId.textContent = model ? model.id : 'no model';
    ui.contextLength.textContent = model && model.max_model_len != null ? String(model.max_model_len) : 'unknown';
    hideError();
  } catch (error) {
    ui.modelId.textContent = 'unavailable';
    ui.contextLength.textContent = '—';
    showError(explain(error));
  }
}

// ---- sending --------------------------------------------------------------------------------

function setBusy(busy) {
  ui.send.disabled = busy;
  ui.regenerate.disabled = busy;
  ui.newChat.disabled = busy;
  ui.stop.disabled = !busy;
  ui.messages.setAttribute('aria-busy', busy ? 'true' : 'false');
}

function requestFor(conversation) {
  const params = samplingParams();
  const model = state.model ? state.model.id : undefined;
  const stream = { stream: true, stream_options: { include_usage: true } };
  if (state.settings.mode === 'raw') {
    const last = [...conversation.messages].reverse().find((m) => m.role === 'prompt');
    return {
      path: '/v1/completions',
      body: { model, prompt: last.content, echo: !!state.settings.echo, ...params, ...stream },
      replyRole: 'completion',
    };
  }
  const messages = [];
  if (conversation.system && conversation.system.trim() !== '') {
    messages.push({ role: 'system', content: conversation.system });
  }
  for (const m of conversation.messages) {
    if (m.role === 'user' || m.role === 'assistant') {
      messages.push({ role: m.role, content: m.content });
    }
  }
  return { path: '/v1/chat/completions', body: { model, messages, ...params, ...stream }, replyRole: 'assistant' };
}

function deltaOf(chunk) {
  const choice = chunk.choices && chunk.choices[0];
  if (!choice) {
    return { text: '', finish: null };
  }
  const text = choice.delta ? choice.delta.content || '' : choice.text || '';
  return { text, finish: choice.finish_reason || null };
}

/** Streams one reply into a new message, updating its text as tokens arrive. */
async function generate() {
  const conversation = state.current;
  const request = requestFor(conversation);
  const reply = { role: request.replyRole, content: '', state: 'streaming', stats: null };
  conversation.messages.push(reply);
  const view = messageView(reply);
  ui.messages.append(view.item);
  view.item.scrollIntoView({ block: 'end' });
  hideError();

  const controller = new AbortController();
  state.abort = controller;
  setBusy(true);
  const started = performance.now();
  let firstAt = null;
  let chunks = 0;
  let usage = null;
  let finish = null;
  const stats = () => {
    const s = { ttftMs: firstAt == null ? null : firstAt - started, finishReason: finish };
    const completion = usage ? usage.completion_tokens : chunks;
    const elapsed = (performance.now() - (firstAt ?? started)) / 1000;
    if (firstAt != null && completion > 1 && elapsed > 0) {
      s.tokensPerSecond = (completion - 1) / elapsed; // decode rate: tokens after the first
    }
    if (usage) {
      s.promptTokens = usage.prompt_tokens;
      s.completionTokens = usage.completion_tokens;
      const details = usage.prompt_tokens_details;
      if (details && details.cached_tokens != null) {
        s.cachedTokens = details.cached_tokens;
      }
    } else {
      s.completionTokens = chunks;
    }
    return s;
  };
  try {
    await streamCompletion(request.path, request.body, state.apiKey, controller.signal, (chunk) => {
      if (chunk.usage) {
        usage = chunk.usage;
      }
      const delta = deltaOf(chunk);
      if (delta.finish) {
        finish = delta.finish;
      }
      if (delta.text !== '') {
        if (firstAt == null) {
          firstAt = performance.now();
        }
        chunks += 1;
        reply.content += delta.text;
        view.content.textContent = reply.content;
        if (chunks % 8 === 1) {
          view.item.scrollIntoView({ block: 'end' });
        }
      }
    });
    reply.state = 'done';
  } catch (error) {
    if (controller.signal.aborted) {
      reply.state = 'stopped';
      finish = 'stopped';
    } else {
      reply.state = 'error';
      showError(explain(error));
    }
  } finally {
    reply.stats = stats();
    showStats(view.stats, reply.stats);
    view.item.dataset.state = reply.state;
    state.abort = null;
    setBusy(false);
    if (reply.state === 'error' && reply.content === '') {
      conversation.messages.pop(); // nothing to keep: the request never produced a token
      view.item.remove();
    }
    persist();
    refreshStatus();
  }
}

function send() {
  if (state.abort) {
    return;
  }
  readSettings();
  const text = ui.input.value;
  if (text.trim() === '') {
    return;
  }
  const conversation = state.current;
  conversation.system = ui.system.value;
  const message = { role: state.settings.mode === 'raw' ? 'prompt' : 'user', content: text, state: 'done' };
  conversation.messages.push(message);
  if (!conversation.title) {
    conversation.title = text.slice(0, 48);
  }
  ui.messages.append(messageView(message).item);
  ui.input.value = '';
  persist();
  generate();
}

/** Drops the last reply (if any) and asks again for the message before it. */
function regenerate() {
  if (state.abort) {
    return;
  }
  readSettings();
  const messages = state.current.messages;
  const last = messages[messages.length - 1];
  if (last && (last.role === 'assistant' || last.role === 'completion')) {
    messages.pop();
    ui.messages.lastElementChild.remove();
  }
  const wanted = state.settings.mode === 'raw' ? 'prompt' : 'user';
  const tail = messages[messages.length - 1];
  if (!tail || tail.role !== wanted) {
    showError(`Nothing to regenerate: the conversation must end with a ${wanted === 'user' ? 'message' : 'prompt'}.`);
    return;
  }
  state.current.system = ui.system.value;
  generate();
}

function stop() {
  if (state.abort) {
    state.abort.abort();
  }
}

// ---- wiring ---------------------------------------------------------------------------------

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.abort) {
    event.preventDefault();
    stop();
  }
});
ui.stop.addEventListener('click', stop);
ui.regenerate.addEventListener('click', regenerate);
ui.newChat.addEventListener('click', startNewConversation);
ui.saveKey.addEventListener('click', saveKey);
ui.apiKey.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    saveKey();
  }
});
ui.forgetKey.addEventListener('click', () => {
  ui.apiKey.value = '';
  saveKey();
});
for (const input of [ui.modeChat, ui.modeRaw, ui.echo, ...FIELDS.map(([i]) => i)]) {
  input.addEventListener('change', readSettings);
}
ui.system.addEventListener('change', () => {
  state.current.system = ui.system.value;
});

showSettings();
showKeyState();
const currentId = store.loadCurrentId();
openConversation(state.conversations.find((c) => c.id === currentId) || store.newConversation());
const refreshStatus = startStatus(ui.status, ui.statusUpdated);
setBusy(false);
loadModel();
