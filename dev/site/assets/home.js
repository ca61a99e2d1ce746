/** The landing page: points at the frontend demo on the next port and logs out on request. */
import { describeFailure, fetchJson } from './api.js';

const frontend = document.getElementById('frontend-link');
const port = Number(location.port || (location.protocol === 'https:' ? 443 : 80));
// Always `localhost`, not this page's host: the stack allows CORS for http://localhost:<PORT+1>
// only, and localhost and 127.0.0.1 are different sites to the cookies.
frontend.href = `${location.protocol}//localhost:${port + 1}/`;
frontend.textContent = frontend.href;

const button = document.getElementById('logout');
const result = document.getElementById('logout-result');

button.addEventListener('click', async () => {
  button.disabled = true;
  result.className = '';
  result.textContent = 'Logging out…';
  try {
    // A JSON body, not an empty one: the CSRF rule asks body-less and form posts for an Origin
    // of a configured site, while JSON is left to CORS.
    const answer = await fetchJson('/auth/logout', { method: 'POST', body: {} });
    if (answer.ok && answer.json?.loggedOut === true) {
      result.className = 'ok';
      result.textContent = `Logged out (HTTP ${answer.status}): the CloudFront cookies are expired.`;
    } else {
      result.className = 'error';
      result.textContent = describeFailure(answer).text;
    }
    result.dataset.status = String(answer.status);
  } catch (error) {
    result.className = 'error';
    result.textContent = `The request failed: ${error.message}`;
    result.dataset.status = 'network';
  } finally {
    button.disabled = false;
  }
});
