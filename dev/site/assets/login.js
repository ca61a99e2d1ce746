/**
 * The login page: one button per dev user. A click gets that user's JWT from the dev identity
 * provider, trades it at /auth/login for the CloudFront cookies and goes to `return_to`; an
 * error stays on the page with its code.
 */
import { describeFailure, fetchJson } from './api.js';
import { sameSitePath } from './return-to.js';

const users = document.getElementById('users');
const status = document.getElementById('login-status');
const errorLine = document.getElementById('login-error');

const target = sameSitePath(new URLSearchParams(location.search).get('return_to') ?? '/', location.origin);
document.getElementById('return-to').textContent = target;
window.edgepassLogin = { target };

function showError(code, text) {
  status.textContent = '';
  errorLine.dataset.code = code;
  errorLine.textContent = text;
  errorLine.hidden = false;
}

function clearError() {
  errorLine.hidden = true;
  errorLine.textContent = '';
  delete errorLine.dataset.code;
}

function setBusy(busy) {
  for (const button of users.querySelectorAll('button')) button.disabled = busy;
}

async function logIn(user) {
  clearError();
  setBusy(true);
  try {
    status.textContent = `Getting a token for ${user}…`;
    const issued = await fetchJson('/dev/token', { method: 'POST', body: { user } });
    if (!issued.ok || typeof issued.json?.token !== 'string') {
      const failure = describeFailure(issued);
      showError(failure.code, `No token for ${user}: ${failure.text}`);
      return;
    }
    status.textContent = `Logging in as ${user}…`;
    const login = await fetchJson('/auth/login', { method: 'POST', token: issued.json.token });
    if (!login.ok) {
      const failure = describeFailure(login);
      showError(failure.code, failure.text);
      return;
    }
    status.textContent = `Logged in as ${user}; going to ${target}`;
    location.assign(target);
  } catch (error) {
    showError('NETWORK', `The request failed: ${error.message}`);
  } finally {
    setBusy(false);
  }
}

async function showUsers() {
  let answer;
  try {
    answer = await fetchJson('/dev/users');
  } catch (error) {
    showError('NETWORK', `Could not list the dev users: ${error.message}`);
    return;
  }
  const list = answer.json?.users;
  if (!answer.ok || !Array.isArray(list)) {
    const failure = describeFailure(answer);
    showError(failure.code, `Could not list the dev users: ${failure.text}`);
    return;
  }
  for (const { user, description } of list) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.user = user;
    button.textContent = user;
    const text = document.createElement('span');
    text.textContent = description ?? '';
    item.append(button, text);
    users.append(item);
  }
  users.dataset.state = 'ready';
}

users.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-user]');
  if (button !== null) logIn(button.dataset.user);
});

showUsers();
