/**
 * The connect modal's shadow DOM: fixed markup (no app or wallet text goes through innerHTML) and
 * its stylesheet. Every colour, radius and font is a CSS variable an app can set on the element.
 */
export const STYLE = `
:host {
  --pairline-bg: #ffffff;
  --pairline-fg: #111418;
  --pairline-muted: #5b6470;
  --pairline-border: #d9dde3;
  --pairline-accent: #2456d6;
  --pairline-accent-fg: #ffffff;
  --pairline-danger: #b3261e;
  --pairline-success: #1b7f3b;
  --pairline-backdrop: rgb(12 14 18 / 0.55);
  --pairline-radius: 16px;
  --pairline-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --pairline-qr-size: 248px;
  all: initial;
  font-family: var(--pairline-font);
  color: var(--pairline-fg);
}
:host([hidden]) { display: none; }
@media (prefers-color-scheme: dark) {
  :host(:not([theme="light"])) {
    --pairline-bg: #16191e; --pairline-fg: #eef1f5; --pairline-muted: #a3acb9;
    --pairline-border: #2e343d; --pairline-accent: #7aa2ff; --pairline-accent-fg: #0b1020;
    --pairline-danger: #ff8a80; --pairline-success: #6fdc8c;
  }
}
:host([theme="dark"]) {
  --pairline-bg: #16191e; --pairline-fg: #eef1f5; --pairline-muted: #a3acb9;
  --pairline-border: #2e343d; --pairline-accent: #7aa2ff; --pairline-accent-fg: #0b1020;
  --pairline-danger: #ff8a80; --pairline-success: #6fdc8c;
}
.backdrop {
  position: fixed; inset: 0; z-index: 2147483000; display: grid; place-items: center;
  background: var(--pairline-backdrop); padding: 16px; box-sizing: border-box;
}
.dialog {
  box-sizing: border-box; width: min(400px, 100%); max-height: 100%; overflow: auto;
  background: var(--pairline-bg); color: var(--pairline-fg); border: 1px solid var(--pairline-border);
  border-radius: var(--pairline-radius); padding: 20px; display: grid; gap: 14px;
  box-shadow: 0 24px 64px rgb(0 0 0 / 0.3); font: 15px/1.45 var(--pairline-font);
}
section { display: grid; gap: 12px; }
header { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
h2 { margin: 0; font-size: 18px; }
p { margin: 0; }
.status { color: var(--pairline-muted); }
.status[data-tone="error"] { color: var(--pairline-danger); }
.status[data-tone="ok"] { color: var(--pairline-success); }
.qr {
  justify-self: center; width: var(--pairline-qr-size); max-width: 100%; aspect-ratio: 1;
  background: #fff; border-radius: 12px; padding: 8px; box-sizing: border-box;
}
.qr svg { display: block; width: 100%; height: 100%; }
.row { display: flex; gap: 8px; flex-wrap: wrap; }
.row > * { flex: 1 1 0; }
button, a.button {
  font: inherit; font-weight: 600; min-height: 44px; padding: 8px 14px; border-radius: 10px;
  border: 1px solid var(--pairline-border); background: transparent; color: var(--pairline-fg);
  cursor: pointer; text-align: center; text-decoration: none; box-sizing: border-box;
  display: inline-flex; align-items: center; justify-content: center;
}
button.primary, a.primary {
  background: var(--pairline-accent); color: var(--pairline-accent-fg); border-color: var(--pairline-accent);
}
button:focus-visible, a.button:focus-visible { outline: 3px solid var(--pairline-accent); outline-offset: 2px; }
button.close { min-height: 36px; min-width: 36px; padding: 0; border: none; font-size: 22px; line-height: 1; }
a.open { display: none; }
@media (max-width: 640px), (pointer: coarse) { a.open { display: inline-flex; } }
.code {
  font: 700 34px/1.1 ui-monospace, "SF Mono", Menlo, monospace; letter-spacing: 0.12em;
  text-align: center; padding: 10px; border-radius: 12px; border: 1px dashed var(--pairline-border);
}
.peer { text-align: center; font-weight: 600; }
[hidden] { display: none !important; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`

export const MARKUP = `
<div class="backdrop" part="backdrop">
  <div class="dialog" part="dialog" role="dialog" aria-modal="true" aria-labelledby="title" aria-describedby="status">
    <header>
      <h2 id="title">Connect your wallet</h2>
      <button type="button" class="close" data-action="close" aria-label="Close">×</button>
    </header>
    <p id="status" class="status" role="status" aria-live="polite"></p>
    <section data-part="scan" aria-label="Scan or open the pairing link">
      <div class="qr" role="img" aria-label="QR code of the pairing link"></div>
      <div class="row">
        <button type="button" data-action="copy">Copy link</button>
        <a class="button primary open" data-part="open" href="#">Open in wallet</a>
      </div>
    </section>
    <section data-part="compare" aria-labelledby="code-label" hidden>
      <p id="code-label">Check that your wallet shows this code:</p>
      <p class="code" data-part="code" aria-live="polite"></p>
      <div class="row">
        <button type="button" class="primary" data-action="confirm">My wallet shows this code</button>
        <button type="button" data-action="reject">It does not</button>
      </div>
    </section>
    <p class="peer" data-part="peer" hidden></p>
    <div class="row" data-part="failed" hidden>
      <button type="button" class="primary" data-action="retry">Try again</button>
    </div>
  </div>
</div>
`
