/**
 * The premium player: plays /videos/hls/index.m3u8 with hls.js (native HLS where the browser has
 * it and MSE is missing) and keeps #status saying what happened, including why a load failed.
 * `window.edgepassPlayer` holds `{ hls, video, errors }` for browser tests.
 */

const SOURCE = '/videos/hls/index.m3u8';

// Each load fails at its first HTTP error (hls.js never retries a 4xx anyway) and gets one retry
// on a timeout: an expired or missing cookie shows up as a 403 at once, not after a minute.
const LOAD_POLICY = {
  default: {
    maxTimeToFirstByteMs: 10000,
    maxLoadTimeMs: 20000,
    timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: null,
  },
};

const video = document.getElementById('player');
const status = document.getElementById('status');
const player = { hls: null, video, errors: [] };
window.edgepassPlayer = player;

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

video.addEventListener('playing', () => show('playing', 'playing'));
video.addEventListener('pause', () => {
  if (status.dataset.state === 'playing') show('paused', 'paused');
});
video.addEventListener('ended', () => show('ended', 'ended'));

function start() {
  const { Hls } = window;
  if (Hls?.isSupported()) {
    const hls = new Hls({
      // Cookies go with every playlist and segment request, also when the stream is on another origin.
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
    player.hls = hls;
    hls.on(Hls.Events.ERROR, (_event, data) => {
      const httpStatus = data.response?.code ?? data.networkDetails?.status;
      const error = {
        type: data.type,
        details: data.details,
        fatal: data.fatal,
        httpStatus,
        url: data.url ?? data.frag?.url,
      };
      player.errors.push(error);
      if (!data.fatal) return;
      show('error', `error: ${data.type} ${data.details}${httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`}`);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      show('loading', 'loading: playlist read, starting playback');
      video.play().catch((error) => show('blocked', `press play (${error.name})`));
    });
    hls.loadSource(SOURCE);
    hls.attachMedia(video);
    return;
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.addEventListener('error', () => {
      const code = video.error?.code;
      player.errors.push({ type: 'mediaError', details: video.error?.message ?? '', fatal: true, code });
      show('error', `error: native HLS could not play the stream (media error ${code})`);
    });
    video.src = SOURCE;
    return;
  }
  show('error', 'error: this browser plays neither HLS through MSE (hls.js) nor natively');
}

show('loading', 'loading');
start();
