// Sift playground: plain DOM, no framework, and no requests beyond this server's own API.

const $ = (selector) => document.querySelector(selector);
const form = $('#form');
const modelSelect = $('#model');
const modelInfo = $('#model-info');
const textInput = $('#text');
const batchToggle = $('#batch');
const explainToggle = $('#explain');
const button = $('#classify');
const errorBox = $('#error');
const summary = $('#summary');
const results = $('#results');

/** @type {Map<string, {name: string, version: string, labels: string[], default: boolean}>} */
const models = new Map();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function percent(probability) {
  if (probability > 0 && probability < 0.00001) return '<0.001%';
  return `${(probability * 100).toFixed(probability >= 0.001 || probability === 0 ? 1 : 3)}%`;
}

function showError(title, hint, message) {
  errorBox.replaceChildren(element('strong', '', title));
  if (hint) errorBox.append(element('span', '', hint));
  if (message) errorBox.append(element('small', '', message));
  errorBox.hidden = false;
}

/** Turns a failed answer into a sentence: Sift's errors carry `{statusCode, error, message}`. */
async function describeFailure(response) {
  let message = '';
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') message = body.message;
  } catch {
    message = '';
  }
  const retryAfter = response.headers.get('retry-after');
  const hints = {
    422: message.includes('EXPLAIN_MAX_WORDS')
      ? 'Too many words to explain: shorten the text or turn Explain off.'
      : 'The content filter refused this text.',
    429: `Rate limit reached${retryAfter ? `: try again in ${retryAfter} s` : ''}.`,
    503: `The server is busy or starting${retryAfter ? `: try again in ${retryAfter} s` : ''}.`,
  };
  const title = `${response.status} ${response.statusText || 'Error'}`;
  return { title, hint: hints[response.status], message };
}

async function loadModels() {
  try {
    const response = await fetch('/models');
    if (!response.ok) {
      const { title, hint, message } = await describeFailure(response);
      showError(`Could not list the models: ${title}`, hint, message);
      return;
    }
    const body = await response.json();
    modelSelect.replaceChildren();
    for (const model of body.models) {
      models.set(model.name, model);
      const option = element('option', '', `${model.name} (${model.labels.length} labels)`);
      option.value = model.name;
      option.selected = model.default;
      modelSelect.append(option);
    }
    modelSelect.disabled = false;
    button.disabled = false;
    describeModel();
  } catch (error) {
    showError('Could not reach the server', String(error));
  }
}

function describeModel() {
  const model = models.get(modelSelect.value);
  modelInfo.textContent = model
    ? `version ${model.version} · ${model.labels.slice(0, 8).join(', ')}${model.labels.length > 8 ? ', …' : ''}`
    : '';
}

function signed(weight) {
  return `${weight >= 0 ? '+' : '−'}${Math.abs(weight).toFixed(4)}`;
}

/**
 * The text with each word shaded by its weight: toward the label in one colour, against it in
 * another, the strongest word of the text fully shaded (weights of a confident answer are often
 * small, so an absolute scale would leave every word blank). The weight shows on hover, and on
 * tap or focus in a line under the text, as phones have no hover.
 */
function renderExplanation(text, explanation) {
  const box = element('div', 'explanation');
  const shaded = element('p', 'explained');
  const detail = element(
    'p',
    'word-detail hint',
    `Weights toward “${explanation.label}”: hover or tap a word.`,
  );
  const strongest = Math.max(...explanation.words.map((word) => Math.abs(word.weight)), 1e-9);
  let at = 0;
  for (const word of explanation.words) {
    if (word.start > at) shaded.append(text.slice(at, word.start));
    const direction = word.weight >= 0 ? 'toward' : 'against';
    const span = element('span', `word ${direction}`, word.text);
    const tip = `${signed(word.weight)} ${direction} ${explanation.label}`;
    span.dataset.weight = String(word.weight);
    span.style.setProperty('--strength', (Math.abs(word.weight) / strongest).toFixed(3));
    span.title = tip;
    span.tabIndex = 0;
    const show = () => {
      detail.textContent = `“${word.text}”: ${tip}`;
    };
    span.addEventListener('mouseenter', show);
    span.addEventListener('focus', show);
    shaded.append(span);
    at = word.end;
  }
  if (at < text.length) shaded.append(text.slice(at));
  box.append(shaded, detail);
  return box;
}

function renderResult(text, result) {
  const item = element('li', 'result');
  item.dataset.label = result.label;
  if (result.explanation) item.append(renderExplanation(text, result.explanation));
  else item.append(element('p', 'text', text.length > 240 ? `${text.slice(0, 240)}…` : text));

  const winner = element('div', 'winner');
  winner.append(element('b', 'label', result.label), element('span', '', percent(result.score)));
  winner.append(element('span', 'tag', `${result.model} @ ${result.model_version}`));
  winner.append(element('span', 'tag cached', result.cached ? 'cached' : 'computed'));
  if (result.truncated) winner.append(element('span', 'tag truncated', 'truncated'));
  item.append(winner);

  const bars = element('div', 'bars');
  const sorted = Object.entries(result.scores).sort(([, a], [, b]) => b - a);
  sorted.forEach(([label, probability], index) => {
    const bar = element('div', index === 0 ? 'bar top' : 'bar');
    bar.dataset.label = label;
    const track = element('div', 'track');
    const fill = element('div', 'fill');
    fill.style.width = `${Math.max(0, Math.min(1, probability)) * 100}%`;
    track.append(fill);
    bar.append(element('span', 'name', label), track, element('span', 'pct', percent(probability)));
    bars.append(bar);
  });
  item.append(bars);
  return item;
}

async function classify() {
  const raw = textInput.value;
  const texts = batchToggle.checked
    ? raw
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.length > 0)
    : [raw];
  errorBox.hidden = true;
  if (texts.length === 0 || texts.every((text) => text.trim() === '')) {
    showError('Nothing to classify', 'Type or paste a text first.');
    return;
  }
  const batch = texts.length > 1;
  const model = modelSelect.value || undefined;
  const explain = explainToggle.checked || undefined;
  const body = batch ? { texts, model, explain } : { text: texts[0], model, explain };
  button.disabled = true;
  summary.textContent = 'Classifying…';
  const started = performance.now();
  try {
    const response = await fetch(batch ? '/classify/batch' : '/classify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const latency = Math.round(performance.now() - started);
    if (!response.ok) {
      const { title, hint, message } = await describeFailure(response);
      showError(title, hint, message);
      summary.textContent = '';
      results.replaceChildren();
      return;
    }
    const answer = await response.json();
    const list = batch ? answer.results : [answer];
    summary.textContent = `${list.length} ${list.length === 1 ? 'result' : 'results'} in ${latency} ms (round trip)`;
    results.replaceChildren(...list.map((result, index) => renderResult(texts[index], result)));
  } catch (error) {
    summary.textContent = '';
    showError('Could not reach the server', String(error));
  } finally {
    button.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void classify();
});
textInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void classify();
  }
});
modelSelect.addEventListener('change', describeModel);
void loadModels();
