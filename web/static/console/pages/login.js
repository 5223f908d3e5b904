// 登录: password, then the TOTP code when the account has a second factor.
import { api, session } from '../api.js';
import { h, field } from '../dom.js';

export async function render(main, _r, nav) {
  const login = h('input', { name: 'login', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const code = h('input', { name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}' });
  const codeField = field('动态验证码（6 位）', code);
  codeField.hidden = true;
  const msg = h('p', { class: 'error', role: 'alert' });
  let pending = false;
  const form = h('form', { class: 'card narrow', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    try {
      const s = pending
        ? await api('POST', '/api/v1/session/totp', { code: code.value.trim() })
        : await api('POST', '/api/v1/session', { login: login.value.trim(), password: password.value });
      session.csrf = s.csrf_token ?? session.csrf;
      if (s.mfa_required) {
        pending = true;
        codeField.hidden = false;
        code.focus();
        return;
      }
      session.user = s.user;
      nav.refreshChrome();
      nav.go(nav.afterLogin());
    } catch (err) {
      msg.textContent = err.message === 'login or password is wrong' ? '账号或密码错误' : err.message;
    }
  } },
  h('h1', {}, '工作人员登录'),
  field('账号', login), field('密码', password), codeField, msg,
  h('button', { type: 'submit', class: 'primary' }, '登录'));
  main.append(form);
  login.focus();
}
