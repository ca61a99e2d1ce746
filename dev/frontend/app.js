/**
 * The frontend on another origin (http://localhost:<PORT+1>): logs in, signs URLs and plays the
 * stream by calling the stack at `window.EDGEPASS_API` cross-origin, the way an app on its own
 * domain would. Every answer and error goes to #log. `window.edgepassFrontend` keeps the last token,
 * the last login and sign results and the hls.js instance, for browser tests.
 */

const API = window.EDGEPASS_API;

// Each load fails at its first HTTP error (hls.js never retries a 4xx anyway) and gets one retry
// on a timeout, so a missing cookie or a CORS refusal shows up at once.
const LOAD_POLICY = {
  default: {
    maxTimeToFirstByteMs: 10000,
    maxLoadTimeMs: 20000,
    timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: null,
  },
};

const video = document.getElementById('player');
const logList = document.getElementById('log');
const currentUser = document.getElementById('current-user');
const playStatus = document.getElementById('play-status');
const signedUrls = document.getElementById('signed-urls');

const state = { api: API, user: null, token: null, login: null, sign: null, hls: null, video, log: [] };
window.edgepassFrontend = state;

/** Adds one line to #log; `kind` is `ok`, `error` or `info`. */
function log(kind, text) {
  state.log.push({ kind, text });
  const item = document.createElement('li');
  item.dataset.kind = kind;
  if (kind !== 'info') item.className = kind;
  item.textContent = text;
  logList.append(item);
}

function setUser(user) {
  state.user = user;
  currentUser.textContent = user ?? 'nobody';
}

function showPlayState(kind, text) {
  playStatus.dataset.state = kind;
  playStatus.textContent = text;
}

/** `403 FORBIDDEN_RESOURCE: …` for an edgepass error body, else the bare status. */
function describe(result) {
  const error = result.json?.error;
  if (typeof error?.code === 'string') return `${result.status} ${error.code}: ${error.message ?? ''}`;
  return `${result.status}`;
}

/**
 * POSTs to the stack and reads its JSON answer: `{ status, ok, json }` whatever the status, or
 * `undefined` after logging why no answer came (a CORS refusal looks like that too).
 */
async function post(path, { body, token, credentials = 'include' } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`${API}${path}`, {
      method: 'POST',
      headers,
      credentials,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    log('error', `POST ${path}: no answer (${error.message}; a CORS refusal looks the same)`);
    return undefined;
  }
  let json;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  return { status: response.status, ok: response.ok, json };
}

function at(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString();
}

async function logIn(user) {
  // The dev token endpoint needs no cookies, so it is asked without credentials.
  const issued = await post('/dev/token', { body: { user }, credentials: 'omit' });
  if (issued === undefined) return;
  if (!issued.ok || typeof issued.json?.token !== 'string') {
    log('error', `POST /dev/token (${user}) → ${describe(issued)}`);
    return;
  }
  log('ok', `POST /dev/token (${user}) → ${issued.status}, a token`);
  state.token = issued.json.token;
  const login = await post('/auth/login', { token: issued.json.token });
  if (login === undefined) return;
  state.login = login;
  if (!login.ok) {
    log('error', `POST /auth/login (${user}) → ${describe(login)}`);
    return;
  }
  setUser(user);
  const grants = (login.json?.grants ?? []).map((grant) => `${grant.path} until ${at(grant.expiresAt)}`);
  log('ok', `POST /auth/login (${user}) → ${login.status}, cookies for ${grants.join(', ') || 'nothing'}`);
}

async function sign() {
  if (state.token === null) {
    log('error', 'Sign URLs: log in first (no token yet)');
    return;
  }
  const paths = document
    .getElementById('sign-paths')
    .value.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const result = await post('/api/sign', { body: { paths }, token: state.token });
  if (result === undefined) return;
  state.sign = result;
  signedUrls.replaceChildren();
  if (!result.ok) {
    log('error', `POST /api/sign → ${describe(result)}`);
    return;
  }
  for (const signed of result.json?.urls ?? []) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = signed.url;
    link.textContent = signed.path;
    item.append(link, ` (until ${at(signed.expiresAt)})`);
    signedUrls.append(item);
  }
  log('ok', `POST /api/sign → ${result.status}, ${result.json?.urls?.length ?? 0} URL(s)`);
}

async function logOut() {
  // A JSON body, not an empty one: the CSRF rule asks body-less and form posts for an Origin of
  // a configured site, while JSON is left to CORS.
  const result = await post('/auth/logout', { body: {} });
  if (result === undefined) return;
  if (!result.ok) {
    log('error', `POST /auth/logout → ${describe(result)}`);
    return;
  }
  setUser(null);
  state.token = null;
  log('ok', `POST /auth/logout → ${result.status}, cookies expired and the token forgotten`);
}

function onNativeError() {
  showPlayState('error', `error: media error ${video.error?.code}`);
  log('error', `Play: native HLS, media error ${video.error?.code} ${video.error?.message ?? ''}`.trimEnd());
}

/** Loads hls.js from the stack once; resolves to the `Hls` class. */
function loadHlsJs() {
  if (window.Hls !== undefined) return Promise.resolve(window.Hls);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${API}/assets/hls.min.js`;
    script.addEventListener('load', () => resolve(window.Hls));
    script.addEventListener('error', () => reject(new Error(`could not load ${script.src}`)));
    document.head.append(script);
  });
}

async function play() {
  const source = `${API}/videos/hls/index.m3u8`;
  state.hls?.destroy();
  state.hls = null;
  showPlayState('loading', 'loading');
  let Hls;
  try {
    Hls = await loadHlsJs();
  } catch (error) {
    showPlayState('error', 'error: hls.js did not load');
    log('error', `Play: ${error.message}`);
    return;
  }
  if (!Hls.isSupported()) {
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      // Native HLS sends cookies cross-origin only with crossorigin="use-credentials".
      video.crossOrigin = 'use-credentials';
      video.addEventListener('error', onNativeError, { once: true });
      video.src = source;
      log('info', 'Play: native HLS');
      return;
    }
    showPlayState('error', 'error: no HLS playback in this browser');
    log('error', 'Play: this browser plays neither HLS through MSE (hls.js) nor natively');
    return;
  }
  const hls = new Hls({
    // Cookies go with every playlist and segment request to the stack's origin.
    xhrSetup: (xhr) => {
      xhr.withCredentials = true;
    },
    // Transmux on the page: a worker would come from a blob: URL, which a CSP of script-src 'self'
    // refuses (hls.js then falls back to this anyway, after a console error). The stream is tiny.
    enableWorker: false,
    manifestLoadPolicy: LOAD_POLICY,
    playlistLoadPolicy: LOAD_POLICY,
    fragLoadPolicy: LOAD_POLICY,
  });
  state.hls = hls;
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
    log('ok', `Play: ${source} read, ${data.levels.length} level(s)`);
    video.play().catch((error) => log('error', `Play: video.play() refused (${error.name})`));
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    const httpStatus = data.response?.code ?? data.networkDetails?.status;
    const http = httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`;
    showPlayState('error', `error: ${data.type} ${data.details}${http}`);
    log('error', `Play: ${data.type} ${data.details}${http} ${data.url ?? data.frag?.url ?? ''}`.trimEnd());
  });
  hls.loadSource(source);
  hls.attachMedia(video);
}

video.addEventListener('playing', () => {
  showPlayState('playing', 'playing');
  log('ok', 'Play: playing');
});

if (typeof API !== 'string' || API === '') {
  log('error', 'window.EDGEPASS_API is not set: /config.js did not load');
  for (const button of document.querySelectorAll('button')) button.disabled = true;
} else {
  document.getElementById('api-origin').textContent = API;
  for (const button of document.querySelectorAll('button[data-user]')) {
    button.addEventListener('click', () => logIn(button.dataset.user));
  }
  document.getElementById('sign').addEventListener('click', sign);
  document.getElementById('play').addEventListener('click', play);
  document.getElementById('logout').addEventListener('click', logOut);
}
