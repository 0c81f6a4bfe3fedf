// The browser's local storage: settings, the API key, and conversations (bounded in number).
const KEYS = {
  apiKey: 'ovserve.apiKey',
  settings: 'ovserve.settings',
  conversations: 'ovserve.conversations',
  current: 'ovserve.current',
};
const MAX_CONVERSATIONS = 50;

function read(key, fallback) {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback; // unreadable or corrupt: start afresh rather than break the page
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the page keeps working, it just forgets
  }
}

export const DEFAULT_SETTINGS = {
  mode: 'chat',
  echo: false,
  temperature: '0.8',
  topP: '1',
  maxTokens: '64',
  seed: '',
  stop: '',
};

export function loadSettings() {
  return { ...DEFAULT_SETTINGS, ...read(KEYS.settings, {}) };
}

export function saveSettings(settings) {
  write(KEYS.settings, settings);
}

export function loadApiKey() {
  return read(KEYS.apiKey, '');
}

export function saveApiKey(key) {
  if (key) {
    write(KEYS.apiKey, key);
  } else {
    localStorage.removeItem(KEYS.apiKey);
  }
}

export function newConversation() {
  return { id: `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, title: '', system: '', messages: [], updated: Date.now() };
}

export function loadConversations() {
  const list = read(KEYS.conversations, []);
  return Array.isArray(list) ? list.filter((c) => c && typeof c.id === 'string' && Array.isArray(c.messages)) : [];
}

/** Keeps the most recently updated conversations only, so storage cannot grow without bound. */
export function saveConversations(list) {
  const kept = [...list].sort((a, b) => b.updated - a.updated).slice(0, MAX_CONVERSATIONS);
  write(KEYS.conversations, kept);
  return kept;
}

export function loadCurrentId() {
  return read(KEYS.current, null);
}

export function saveCurrentId(id) {
  write(KEYS.current, id);
}
