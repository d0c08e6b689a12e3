/**
 * The dashboard's two HTML documents: the login form (no script at all) and the app shell that loads the bundle.
 * Every URL in them is relative (`ui/app.js` from `/ui`), so the pages work under any path prefix. The strict
 * Content-Security-Policy allows only the gateway's own script, style and data.
 */

/** CSP of every dashboard answer: own origin only, no inline script, no framing. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The login page; `error` is shown above the form (a wrong key). `root` is the relative way to /ui from the
 * page's own URL: `ui` from /ui, `../ui` from /ui/login (where a refused login is answered).
 *
 * @example loginPage('../ui', 'The key was not accepted.')
 */
export function loginPage(root: 'ui' | '../ui', error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard — log in</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${root}/app.css"></head>
<body class="login"><main class="login-box">
<h1>Switchyard</h1>
<form method="post" action="${root}/login" autocomplete="off">
<label for="key">Admin key</label>
<input id="key" name="key" type="password" required autofocus>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<button type="submit">Log in</button>
</form></main></body></html>`;
}

/** @example appPage() */
export function appPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard dashboard</title><link rel="icon" href="data:,"><link rel="stylesheet" href="ui/uplot.css"><link rel="stylesheet" href="ui/app.css"></head>
<body><div id="app"></div><script src="ui/app.js"></script></body></html>`;
}
